import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackCommandLine } from './targets.js';
import { fixtureWorkspace, type FixtureWorkspace } from './test/fixture-workspace.js';

interface ShownTarget {
  readonly executor?: string;
  readonly cache?: boolean;
  readonly dependsOn?: readonly string[];
  readonly options?: { readonly cwd?: string; readonly command?: string };
  readonly configurations?: Readonly<Record<string, { readonly command?: string }>>;
}

// Real Nx, real nx.json, the plugin package without dist/: what a fresh clone runs before any build.
describe('the stacks plugin under Nx', { timeout: 120_000 }, () => {
  let fixture: FixtureWorkspace;

  beforeAll(() => {
    fixture = fixtureWorkspace();
    fixture.write(
      'stacks/demo/package.json',
      JSON.stringify({
        name: '@fixture/stack-demo',
        private: true,
        nx: { name: 'stack-demo', targets: { build: { command: 'echo built' } } },
      }),
    );
    fixture.write('stacks/demo/Pulumi.yaml', 'name: signet-demo\n');
    fixture.write('stacks/demo/Pulumi.dev.yaml', 'config: {}\n');
    fixture.write('stacks/demo/Pulumi.qa.yaml', 'config: {}\n');
  });
  afterAll(() => fixture.remove());

  it('loads the plugin from its TypeScript source and infers the targets of each environment', () => {
    expect(existsSync(join(fixture.root, 'tools', 'workspace-plugin', 'dist'))).toBe(false);
    const shown = fixture.nx(['show', 'project', 'stack-demo', '--json']);
    expect(shown.stderr).not.toMatch(/error/i);
    expect(shown.status).toBe(0);
    const targets = (JSON.parse(shown.stdout) as { targets: Record<string, ShownTarget> }).targets;
    for (const target of ['preview', 'up', 'destroy', 'refresh'] as const) {
      expect(targets[target]).toMatchObject({
        executor: 'nx:run-commands',
        cache: false,
        dependsOn: ['build'],
        options: { cwd: 'stacks/demo' },
      });
      expect(targets[target]?.configurations).toEqual({
        dev: { command: stackCommandLine(target, 'dev') },
        qa: { command: stackCommandLine(target, 'qa') },
      });
    }
  });

  it('runs up after build, in the stack folder: select or create the stack, then update it', () => {
    const run = fixture.nx(['run', 'stack-demo:up', '--configuration=qa', '--outputStyle=stream']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('built');
    expect(fixture.pulumiCalls()).toEqual([
      'stacks/demo: stack select --non-interactive --create qa',
      'stacks/demo: up --stack qa',
    ]);
  });

  it('does not destroy when the stack cannot be selected', () => {
    const run = fixture.nx(['run', 'stack-demo:destroy', '--configuration=dev', '--outputStyle=stream'], {
      FAKE_PULUMI_FAIL: 'stack',
    });
    expect(run.status).not.toBe(0);
    expect(fixture.pulumiCalls().slice(2)).toEqual(['stacks/demo: stack select --non-interactive dev']);
  });

  it('refuses to guess an environment', () => {
    const run = fixture.nx(['run', 'stack-demo:preview', '--outputStyle=stream']);
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(
      'stack-demo:preview needs an environment: --configuration=dev|qa',
    );
    expect(fixture.pulumiCalls()).toHaveLength(3);
  });
});
