import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../io.js';
import { createProgram, runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import type { NewAppCommandOptions, RunCommand } from './new-app.js';
import { runNewAppCommand } from './new-app.js';

/** A minimal workspace: the files the generator reads, and one app already declared. */
function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'signet-new-app-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'ws', devDependencies: { prettier: '3' } }),
  );
  writeFileSync(join(root, '.prettierrc'), JSON.stringify({ printWidth: 110, singleQuote: true }));
  mkdirSync(join(root, 'apps', 'hello-server', 'deploy'), { recursive: true });
  writeFileSync(
    join(root, 'apps', 'hello-server', 'package.json'),
    JSON.stringify({
      name: '@signet/hello-server',
      signet: { name: 'hello-server', namespace: 'hello-server' },
    }),
  );
  return root;
}

/** Runs `signet new-app` as the program does: a failure is printed and becomes the exit code. */
function newApp(options: NewAppCommandOptions, io: CommandIo, run: RunCommand): Promise<number> {
  return runCommand('new-app', io, () => runNewAppCommand(options, io, run));
}

/** Records the commands run and answers with the given exit codes in turn. */
function fakeRun(...codes: number[]): RunCommand & { calls: string[] } {
  const calls: string[] = [];
  const run = (command: string, args: readonly string[], cwd: string) => {
    calls.push(`${cwd}: ${command} ${args.join(' ')}`);
    return Promise.resolve(codes.shift() ?? 0);
  };
  return Object.assign(run, { calls });
}

describe('signet new-app', { timeout: 30_000 }, () => {
  let root: string;
  beforeEach(() => {
    root = makeWorkspace();
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the app, then installs offline, and says so', async () => {
    const io = captureIo();
    const run = fakeRun(0);
    const code = await newApp({ name: 'demo-api', port: '9000', root }, io, run);
    expect(code).toBe(0);
    expect(io.out).toContain('created apps/demo-api (');
    expect(io.out).toContain('namespace demo-api, port 9000, environments dev, staging, prod');
    expect(io.out).toContain(
      'running pnpm install --offline --no-frozen-lockfile to add apps/demo-api to the lockfile',
    );
    expect(io.out).toContain('  buildspecs/demo-api/dev/build.yml\n');
    expect(run.calls).toEqual([`${root}: pnpm install --offline --no-frozen-lockfile`]);
    const pkg = JSON.parse(readFileSync(join(root, 'apps/demo-api/package.json'), 'utf8'));
    expect(pkg.signet).toMatchObject({ name: 'demo-api', namespace: 'demo-api', port: 9000 });
    expect(readFileSync(join(root, 'apps/demo-api/src/config.ts'), 'utf8')).toContain(
      "APP_NAME = 'demo-api'",
    );
  });

  it('falls back to a plain pnpm install when the offline one fails', async () => {
    const run = fakeRun(1, 0);
    expect(await newApp({ name: 'demo-api', root }, captureIo(), run)).toBe(0);
    expect(run.calls).toEqual([
      `${root}: pnpm install --offline --no-frozen-lockfile`,
      `${root}: pnpm install --no-frozen-lockfile`,
    ]);
  });

  it('exits 1 and says what to run when both installs fail, keeping the app', async () => {
    const io = captureIo();
    expect(await newApp({ name: 'demo-api', root }, io, fakeRun(1, 1))).toBe(1);
    expect(io.err).toBe(
      'signet new-app: apps/demo-api was created, but pnpm install failed; run pnpm install, then pnpm test\n',
    );
    expect(existsSync(join(root, 'apps/demo-api/src/app.ts'))).toBe(true);
  });

  it.each([
    [{ name: 'Demo' }, 'option "name" has value "Demo"; allowed: a DNS label of 1 to 40 characters'],
    [
      { name: 'demo-api', port: '80' },
      'option "port" has value "80"; allowed: an integer from 1024 to 65535',
    ],
    [
      { name: 'kube-system' },
      'option "name" has value "kube-system"; allowed: a value other than the reserved names',
    ],
    [
      { name: 'hello-server' },
      'option "name" has value "hello-server"; allowed: a name not yet taken (apps/hello-server already exists)',
    ],
    [{ name: 'demo-api', environments: 'qa' }, 'option "environments" has value "qa"; allowed:'],
  ])('refuses %j with exit 2 and writes nothing', async (options, message) => {
    const io = captureIo();
    const run = fakeRun();
    const before = readdirSync(root, { recursive: true }).sort();
    expect(await newApp({ ...options, root }, io, run)).toBe(2);
    expect(io.err).toContain(`signet new-app: ${message}`);
    expect(io.out).toBe('');
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(before);
    expect(run.calls).toEqual([]);
  });

  it("refuses hello-server-release with exit 2, naming the clash with hello-server's release profile of the committed signer config", async () => {
    const signer = join(root, 'stacks', 'signer');
    mkdirSync(signer, { recursive: true });
    const real = new URL('../../../../stacks/signer/Pulumi.prod.yaml', import.meta.url);
    writeFileSync(join(signer, 'Pulumi.prod.yaml'), readFileSync(real, 'utf8'));
    const io = captureIo();
    const run = fakeRun();
    const before = readdirSync(root, { recursive: true }).sort();
    expect(await newApp({ name: 'hello-server-release', root }, io, run)).toBe(2);
    expect(io.err).toContain(
      'signet new-app: option "name" has value "hello-server-release"; allowed: a name whose derived names clash with no existing app\'s: the signing profile signet_prod_hello_server_release would be both app "hello-server-release"\'s and app "hello-server"\'s "release" identity in prod',
    );
    expect(io.out).toBe('');
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(before);
    expect(run.calls).toEqual([]);
  });

  it('exits 2 outside a workspace', async () => {
    const io = captureIo();
    const outside = mkdtempSync(join(tmpdir(), 'signet-no-workspace-'));
    try {
      expect(await newApp({ name: 'demo-api', cwd: outside }, io, fakeRun())).toBe(2);
      expect(io.err).toBe(`signet new-app: no pnpm-workspace.yaml at or above ${outside}; pass --root\n`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('is wired into the program with --no-install', async () => {
    const io = captureIo();
    let exitCode = -1;
    const program = createProgram(io, (code) => {
      exitCode = code;
    });
    await program.parseAsync(['new-app', 'demo-api', '--no-install', '--namespace', 'demo', '--root', root], {
      from: 'user',
    });
    expect(exitCode).toBe(0);
    expect(io.out).toContain('skipped pnpm install (--no-install); run it before pnpm test');
    expect(JSON.parse(readFileSync(join(root, 'apps/demo-api/package.json'), 'utf8')).signet.namespace).toBe(
      'demo',
    );
  });
});
