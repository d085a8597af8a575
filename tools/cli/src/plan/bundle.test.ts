import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo, scratchWorkspace } from '../test/harness.js';
import { runCommand } from '../program.js';
import { runPlanCommand } from '../commands/plan.js';
import { planBundle } from './bundle.js';

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
