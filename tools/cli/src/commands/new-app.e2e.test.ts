import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../test/harness.js';

const APP = 'demo-api';
const SKIPPED = /^(node_modules|dist|coverage|tmp|\.nx|\.plan|\.git)$|\.tsbuildinfo$/;

/** The child processes get a clean environment: nothing of the Nx or vitest run that started them. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(NX_|VITEST|npm_package_|npm_lifecycle_)/.test(key)) env[key] = value;
  }
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
}

function run(cwd: string, command: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

/** The workspace without build output, installs, caches or git: what a fresh checkout holds. */
function copyWorkspace(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (SKIPPED.test(entry.name)) continue;
    if (entry.isDirectory()) {
      mkdirSync(join(to, entry.name), { recursive: true });
      copyWorkspace(join(from, entry.name), join(to, entry.name));
    } else if (entry.isFile()) {
      cpSync(join(from, entry.name), join(to, entry.name));
    }
  }
}

interface PlanDocument {
  readonly stacks: readonly {
    readonly name: string;
    readonly resources: readonly { readonly type: string; readonly name: string; readonly inputs: unknown }[];
    readonly outputs: Record<string, Record<string, unknown>>;
  }[];
}

// One run of the whole path a user takes, in a copy of the workspace: install, `pnpm new-app`, the
// new app's own lint/typecheck/test/build, then `pnpm plan --env dev`. Minutes, hence the timeouts.
describe(`pnpm new-app ${APP} in a copy of the workspace`, { timeout: 15 * 60_000 }, () => {
  let root: string;
  let created: { status: number | null; out: string };
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'signet-new-app-e2e-'));
    copyWorkspace(WORKSPACE_ROOT, root);
    const install = run(root, 'pnpm', ['install', '--offline', '--frozen-lockfile=false']);
    expect(install.status, install.out).toBe(0);
    created = run(root, 'pnpm', ['new-app', APP]);
  }, 15 * 60_000);
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  }, 5 * 60_000);

  it('creates the app and installs it offline', () => {
    expect(created.status, created.out).toBe(0);
    expect(created.out).toContain(`created apps/${APP}`);
    expect(created.out).toContain('running pnpm install --offline --no-frozen-lockfile');
    expect(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')).toContain(`\n  apps/${APP}:\n`);
    expect(existsSync(join(root, `buildspecs/${APP}/dev/build.yml`))).toBe(true);
  });

  it('gives an app that lints, typechecks, tests and builds, formatted like the workspace', () => {
    const targets = run(root, 'pnpm', [
      'nx',
      'run-many',
      '-t',
      'lint',
      'typecheck',
      'test',
      'build',
      '-p',
      APP,
      '--outputStyle=stream',
    ]);
    expect(targets.status, targets.out).toBe(0);
    const format = run(root, 'pnpm', ['exec', 'prettier', '--check', `apps/${APP}`]);
    expect(format.status, format.out).toBe(0);
    const buildspecs = run(root, 'pnpm', ['nx', 'run', 'buildspec:check-buildspecs', '--skip-nx-cache']);
    expect(buildspecs.status, buildspecs.out).toBe(0);
  });

  it('plans its ECR repository, namespace, trust-policy scope and pipeline in dev', () => {
    const plan = run(root, 'pnpm', ['plan', '--env', 'dev', '--json', 'out.json']);
    expect(plan.status, plan.out).toBe(0);
    const document = JSON.parse(readFileSync(join(root, 'out.json'), 'utf8')) as PlanDocument;
    const stack = (name: string) => {
      const found = document.stacks.find((s) => s.name === name);
      if (found === undefined) throw new Error(`no stack ${name} in the plan`);
      return found;
    };
    const repository = `signet-dev/${APP}`;
    const ecr = stack('ecr');
    expect(ecr.outputs['repositories']?.[APP]).toMatchObject({ name: repository });
    expect(ecr.resources).toContainEqual(
      expect.objectContaining({
        type: 'aws:ecr/repository:Repository',
        inputs: expect.objectContaining({ name: repository }),
      }),
    );
    const eks = stack('eks');
    expect(eks.outputs['appNamespaces']?.[APP]).toBe(APP);
    expect(eks.resources).toContainEqual(
      expect.objectContaining({
        type: 'kubernetes:core/v1:Namespace',
        inputs: expect.objectContaining({ metadata: expect.objectContaining({ name: APP }) }),
      }),
    );
    const trustPolicy = eks.resources.find((r) => r.type.endsWith(':TrustPolicy'));
    expect(JSON.stringify(trustPolicy?.inputs)).toContain(`.amazonaws.com/${repository}"`);
    const pipelines = stack('signing-pipeline');
    expect(pipelines.outputs['pipelineNames']?.[APP]).toBe(`signet-dev-${APP}`);
    expect(pipelines.resources).toContainEqual(
      expect.objectContaining({
        type: 'aws:codepipeline/pipeline:Pipeline',
        inputs: expect.objectContaining({ name: `signet-dev-${APP}` }),
      }),
    );
  });
});
