import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from './apps.js';

const root = findWorkspaceRoot(import.meta.dirname);

/** The projects `nx affected` would run for a change to `file` (no git needed with --files). */
function affectedBy(file: string): string[] {
  const stdout = execFileSync('pnpm', ['exec', 'nx', 'show', 'projects', '--affected', `--files=${file}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
  });
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The project graph as Nx resolves it (inferred targets merged with package.json `nx`). */
function projectGraph(): { nodes: Record<string, { data: { targets: Record<string, NxTarget> } }> } {
  const dir = mkdtempSync(join(tmpdir(), 'signet-graph-'));
  try {
    execFileSync('pnpm', ['exec', 'nx', 'graph', `--file=${join(dir, 'graph.json')}`], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
    });
    return (
      JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as { graph: ReturnType<typeof projectGraph> }
    ).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface NxTarget {
  readonly cache?: boolean;
  readonly dependsOn?: readonly string[];
  readonly options?: { readonly cwd?: string; readonly command?: string };
  readonly configurations?: Readonly<Record<string, { readonly command?: string }>>;
}

/** Stacks that have a program: `stacks/<name>/src/index.ts`. */
const stacksWithPrograms = readdirSync(join(root, 'stacks')).filter((name) =>
  existsSync(join(root, 'stacks', name, 'src', 'index.ts')),
);

/** Who reads whose outputs (docs/stacks.md, deploy order): a change upstream must reach downstream. */
const CONSUMERS: Readonly<Record<string, readonly string[]>> = {
  networking: ['eks'],
  ecr: ['eks', 'signing-pipeline'],
  signer: ['eks', 'signing-pipeline'],
  eks: ['signing-pipeline'],
};

describe('nx affected over the workspace graph', { timeout: 120_000 }, () => {
  it('takes a networking change to the networking stack and the stacks that read it, not to its siblings', () => {
    const affected = affectedBy('stacks/networking/src/index.ts');
    expect(affected).toContain('stack-networking');
    for (const consumer of CONSUMERS['networking'] ?? []) {
      if (stacksWithPrograms.includes(consumer)) expect(affected).toContain(`stack-${consumer}`);
    }
    expect(affected).not.toContain('stack-ecr');
    expect(affected).not.toContain('stack-signer');
    expect(affected).not.toContain('platform');
  });

  it('takes an app change to the app and the stacks built from the app list, not to networking', () => {
    const affected = affectedBy('apps/hello-server/src/app.ts');
    expect(affected).toContain('hello-server');
    expect(affected).toContain('stack-ecr');
    expect(affected).toContain('stack-signer');
    expect(affected).not.toContain('stack-networking');
    expect(affected).not.toContain('platform');
  });

  it('takes a platform change to every stack', () => {
    const affected = affectedBy('packages/platform/src/naming.ts');
    const stacks = readdirSync(join(root, 'stacks')).filter((name) =>
      existsSync(join(root, 'stacks', name, 'package.json')),
    );
    expect(stacks).toEqual(expect.arrayContaining(['networking', 'ecr', 'signer']));
    for (const stack of stacks) expect(affected).toContain(`stack-${stack}`);
  });

  it('gives every stack uncached preview/up/destroy/refresh per environment, run from its folder after build', () => {
    const graph = projectGraph();
    const commands = {
      preview: 'pulumi preview --stack',
      up: 'pulumi up --stack',
      destroy: 'pulumi destroy --stack',
      refresh: 'pulumi refresh --stack',
    };
    for (const stack of ['networking', 'ecr', 'signer']) {
      const targets = graph.nodes[`stack-${stack}`]?.data.targets ?? {};
      for (const [target, command] of Object.entries(commands)) {
        const definition = targets[target];
        expect(definition?.cache).toBe(false);
        expect(definition?.dependsOn).toEqual(['build']);
        expect(definition?.options?.cwd).toBe(`stacks/${stack}`);
        // Without --configuration the target refuses to pick an environment.
        expect(definition?.options?.command).toContain('exit 1');
        for (const env of ['dev', 'staging', 'prod']) {
          expect(definition?.configurations?.[env]?.command).toMatch(new RegExp(`^${command} ${env}( |$)`));
        }
      }
    }
  });
});
