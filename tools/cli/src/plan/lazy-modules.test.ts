import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ROOT } from '../test/harness.js';
import { planBundle } from './bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Loads the SDK as a plan process does, then reads what function serialization uses.
const probe = join(dir, 'probe.mjs');
writeFileSync(
  probe,
  `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(CLI_ROOT, 'package.json'))});
const loaded = () =>
  Object.keys(require.cache).filter((k) => /\\/node_modules\\/(@npmcli\\/arborist|typescript)\\//.test(k)).length;
require('@pulumi/pulumi');
const atLoad = loaded();
const sdk = createRequire(require.resolve('@pulumi/pulumi'));
const ts = sdk('./typescript-shim');
const arborist = sdk('@npmcli/arborist');
console.log(JSON.stringify({
  atLoad,
  typescript: typeof ts.createSourceFile,
  arborist: typeof arborist.Arborist,
  afterUse: loaded(),
}));
`,
);

function run(execArgv: string[]): { atLoad: number; typescript: string; arborist: string; afterUse: number } {
  const result = spawnSync(process.execPath, [...execArgv, probe], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as {
    atLoad: number;
    typescript: string;
    arborist: string;
    afterUse: number;
  };
}

describe("the plan process's deferred SDK modules", () => {
  it('are not loaded with the SDK, and are the real modules once read', async () => {
    const program = join(dir, 'program.ts');
    writeFileSync(program, 'export const x = 1;\n');
    const bundle = await planBundle(join(dir, 'program.ts'), program, join(dir, 'cache'));
    const deferred = run(['--conditions=development', `--import=${pathToFileURL(bundle.hooks).href}`]);
    expect(deferred).toMatchObject({ atLoad: 0, typescript: 'function', arborist: 'function' });
    expect(deferred.afterUse).toBeGreaterThan(1);
    // Without the hooks the SDK loads both at once: what the first assertion tells apart.
    expect(run(['--conditions=development']).atLoad).toBeGreaterThan(2);
  }, 120_000);
});
