import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo, scratchWorkspace } from '../test/harness.js';
import { runCommand } from '../program.js';
import { runPlanCommand } from '../commands/plan.js';
import { installBundle, planBundle } from './bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-bundle-'));
const cache = join(dir, 'cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const child = write('child.ts', "import { shared } from './shared.js';\nexport const fromChild = shared;\n");
write('shared.ts', 'export const shared: { n: number } = { n: 1 };\n');
const program = write(
  'program.ts',
  "import { shared } from './shared.js';\nimport { version } from './version.js';\nexport const same = (o: unknown) => o === shared;\nexport { version };\n",
);
write('version.ts', 'export const version: number = 1;\n');

describe('the bundles plan processes run', () => {
  it('bundles the child and the program with one instance of what both import', async () => {
    const bundle = await planBundle(child, program, cache);
    const c = (await import(pathToFileURL(bundle.child).href)) as { fromChild: unknown };
    const p = (await import(pathToFileURL(bundle.program).href)) as { same: (o: unknown) => boolean };
    expect(p.same(c.fromChild)).toBe(true);
  });

  it('reuses a bundle while its sources are unchanged, and rebuilds it when one changes', async () => {
    const first = await planBundle(child, program, cache);
    const built = statSync(first.program).mtimeMs;
    expect(statSync((await planBundle(child, program, cache)).program).mtimeMs).toBe(built);
    write('version.ts', 'export const version: number = 2;\n');
    const rebuilt = await planBundle(child, program, cache);
    const p = (await import(`${pathToFileURL(rebuilt.program).href}?2`)) as { version: number };
    expect(p.version).toBe(2);
  });

  it('fails naming the file and line of a source that does not compile', async () => {
    write('version.ts', 'export const version: number = ;\n');
    await expect(planBundle(child, program, cache)).rejects.toMatchObject({
      errors: [expect.objectContaining({ location: expect.objectContaining({ line: 1 }) })],
    });
  });
});

describe('a stack program that does not compile', () => {
  const ws = scratchWorkspace('good');
  afterAll(() => ws.remove());

  it('fails the plan before any process starts, naming the stack, the file and the line', async () => {
    const program = join(ws.root, 'stacks/beta/src/index.ts');
    writeFileSync(program, `${readFileSync(program, 'utf8')}\nexport const broken = ;\n`);
    const io = captureIo();
    const code = await runCommand('plan', io, () => runPlanCommand({ env: 'dev', root: ws.root }, io));
    expect(code).toBe(1);
    expect(io.err).toMatch(
      new RegExp(`signet plan: stack beta: cannot load ${program}: .*stacks/beta/src/index\\.ts:\\d+: `),
    );
    expect(io.err).not.toMatch(/\[\d\/\d\]/);
  });
});

describe('two plans that build the same bundle at once', () => {
  const cacheDir = join(dir, 'install');

  /** A bundle of the current sources, as the second plan finished building it. */
  const build = async (): Promise<{ dir: string; staging: string }> => {
    const bundle = await planBundle(child, program, cacheDir);
    const built = dirname(bundle.child);
    const staging = `${built}.other`;
    cpSync(built, staging, { recursive: true });
    return { dir: built, staging };
  };

  it("leave the first one's bundle in place: its processes may be loading it", async () => {
    write('version.ts', 'export const version: number = 3;\n');
    const { dir: placed, staging } = await build();
    const inode = statSync(join(placed, 'child.mjs')).ino;
    installBundle(staging, placed);
    expect(statSync(join(placed, 'child.mjs')).ino).toBe(inode);
    rmSync(staging, { recursive: true, force: true });
  });

  it('replace a stale bundle (built from other sources)', async () => {
    const { dir: placed, staging } = await build();
    const inode = statSync(join(staging, 'child.mjs')).ino;
    write('version.ts', 'export const version: number = 4;\n');
    // The placed bundle is stale now; pretend the staging one was built from the new sources.
    const manifest = join(staging, 'manifest.json');
    const fresh = JSON.parse(readFileSync(manifest, 'utf8')) as { inputs: Record<string, string> };
    for (const path of Object.keys(fresh.inputs)) {
      fresh.inputs[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
    writeFileSync(manifest, JSON.stringify(fresh));
    installBundle(staging, placed);
    expect(statSync(join(placed, 'child.mjs')).ino).toBe(inode);
    expect(readdirSync(cacheDir).filter((e) => e.includes('.stale-'))).toEqual([]);
  });
});
