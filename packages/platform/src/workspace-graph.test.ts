import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The workspace root: this file is packages/platform/src/workspace-graph.test.ts. */
const root = join(import.meta.dirname, '..', '..', '..');

/** The environment for a child Nx: no daemon, no cloud, and none of the NX_* variables of a surrounding Nx task. */
function nxEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_')));
  return { ...env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
}

/** Runs the workspace's Nx in `cwd` (the workspace, or a copy of it) and returns its standard output. */
function nx(args: readonly string[], cwd = root): string {
  return execFileSync(join(cwd, 'node_modules', '.bin', 'nx'), [...args], {
    cwd,
    encoding: 'utf8',
    env: nxEnv(),
  });
}

/** The projects `nx affected` would run for a change to `files` (no git needed with --files). */
function affectedBy(files: readonly string[], cwd = root): string[] {
  return nx(['show', 'projects', '--affected', `--files=${files.join(',')}`], cwd)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort();
}

/** The stack folders a change reaches, from the projects it affects (`stack-<folder>`). */
function stacksIn(projects: readonly string[]): string[] {
  return projects
    .filter((project) => project.startsWith('stack-'))
    .map((project) => project.slice('stack-'.length))
    .sort();
}

interface NxTarget {
  readonly executor?: string;
  readonly cache?: boolean;
  readonly dependsOn?: readonly string[];
  readonly options?: { readonly cwd?: string; readonly command?: string };
  readonly configurations?: Readonly<Record<string, { readonly command?: string }>>;
}

/** A project as `nx show project <name> --json` resolves it (inferred targets merged with package.json). */
function showProject(name: string): { targets: Record<string, NxTarget> } {
  return JSON.parse(nx(['show', 'project', name, '--json'])) as ReturnType<typeof showProject>;
}

interface ProjectGraph {
  readonly nodes: Record<string, { readonly data: { readonly targets: Record<string, NxTarget> } }>;
  readonly dependencies: Record<string, readonly { readonly target: string; readonly type: string }[]>;
}

/** The whole project graph as Nx resolves it, from one `nx graph --file`. */
function projectGraph(): ProjectGraph {
  const dir = mkdtempSync(join(tmpdir(), 'signet-graph-'));
  try {
    nx(['graph', `--file=${join(dir, 'graph.json')}`]);
    return (JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as { graph: ProjectGraph }).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every stack folder (`stacks/<name>/package.json`). */
const STACKS = readdirSync(join(root, 'stacks'))
  .filter((name) => existsSync(join(root, 'stacks', name, 'package.json')))
  .sort();

/** The stacks whose programs read the app list (`discoverApps`): an app declaration reaches them. */
const APP_LIST_READERS = ['ecr', 'eks', 'signer', 'signing-pipeline'];

/** Who reads whose outputs (docs/stacks.md, deploy order): a change upstream must reach downstream. */
const CONSUMERS: Readonly<Record<string, readonly string[]>> = {
  networking: ['eks', 'signing-pipeline'],
  ecr: ['eks', 'signing-pipeline'],
  signer: ['eks', 'signing-pipeline'],
  eks: ['signing-pipeline'],
};

/** Folders never copied into a throw-away workspace: installed or generated. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.nx', '.git', 'coverage', '.plan', 'tmp']);

/**
 * A copy of the workspace's sources in a temporary folder, with each node_modules linked to the real one,
 * so that a test can add files (a new app) without touching the working tree others use.
 */
function copyWorkspace(): string {
  const copy = mkdtempSync(join(tmpdir(), 'signet-graph-'));
  cpSync(root, copy, {
    recursive: true,
    filter: (source) =>
      !relative(root, source)
        .split(sep)
        .some((part) => NOT_COPIED.has(part)),
  });
  for (const dir of [
    '.',
    ...['apps', 'packages', 'stacks', 'tools'].flatMap((group) => projectDirs(group)),
  ]) {
    if (existsSync(join(root, dir, 'node_modules')) && existsSync(join(copy, dir))) {
      symlinkSync(join(root, dir, 'node_modules'), join(copy, dir, 'node_modules'), 'dir');
    }
  }
  return copy;
}

function projectDirs(group: string): string[] {
  if (!existsSync(join(root, group))) return [];
  return readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(group, entry.name));
}

/** Files of a folder, relative to `base`, recursively. */
function filesUnder(base: string, dir: string): string[] {
  return readdirSync(join(base, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(base, join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('nx affected over the workspace graph', { timeout: 180_000 }, () => {
  it('takes a change to an app’s code to that app only, never to a stack', () => {
    const affected = affectedBy(['apps/hello-server/src/app.ts']);
    expect(affected).toEqual(['hello-server']);
  });

  it('takes a change to an app’s declaration (its package.json) to the stacks that read the app list', () => {
    const affected = affectedBy(['apps/hello-server/package.json']);
    expect(affected).toContain('hello-server');
    expect(stacksIn(affected)).toEqual(APP_LIST_READERS);
  });

  it('takes a change to a committed buildspec to the stack that embeds it only', () => {
    const affected = affectedBy(['buildspecs/hello-server/prod/build.yml']);
    expect(stacksIn(affected)).toEqual(['signing-pipeline']);
    expect(affected).not.toContain('buildspec');
  });

  it('takes a networking change to the networking stack and the stacks that read it, not to its siblings', () => {
    const affected = affectedBy(['stacks/networking/src/index.ts']);
    expect(stacksIn(affected)).toEqual(['networking', ...(CONSUMERS['networking'] ?? [])].sort());
    expect(affected).not.toContain('platform');
    expect(affected).not.toContain('hello-server');
  });

  it('takes every other producing stack’s change to the stacks that read its outputs', () => {
    for (const [producer, consumers] of Object.entries(CONSUMERS).filter(([name]) => name !== 'networking')) {
      const affected = affectedBy([`stacks/${producer}/src/index.ts`]);
      expect(stacksIn(affected)).toEqual([producer, ...consumers].sort());
    }
  });

  it('takes a platform change to every stack', () => {
    const affected = affectedBy(['packages/platform/src/naming.ts']);
    expect(STACKS).toEqual(['ecr', 'eks', 'networking', 'signer', 'signing-pipeline']);
    expect(stacksIn(affected)).toEqual(STACKS);
  });

  it("takes a change to the environments' accounts (accounts.json) to every stack, which all read it", () => {
    const affected = affectedBy(['accounts.json']);
    expect(stacksIn(affected)).toEqual(STACKS);
    expect(affected).not.toContain('hello-server');
  });

  it('takes a service-kit change to the apps built on it, not to the stacks', () => {
    // Stacks do not run the kit: the pipelines rebuild the images when it changes (their source trigger
    // lists packages/service-kit, SHARED_IMAGE_INPUTS), which needs no stack update.
    const affected = affectedBy(['packages/service-kit/src/index.ts']);
    expect(affected).toEqual(['hello-server', 'service-kit']);
  });

  describe('a new app', () => {
    let copy: string;
    let newApp: string[];

    beforeAll(() => {
      copy = copyWorkspace();
      // What `pnpm new-app orders-api` adds: a folder like hello-server with its own declaration.
      cpSync(join(root, 'apps', 'hello-server'), join(copy, 'apps', 'orders-api'), {
        recursive: true,
        filter: (source) =>
          !relative(root, source)
            .split(sep)
            .some((part) => NOT_COPIED.has(part)),
      });
      const manifest = join(copy, 'apps', 'orders-api', 'package.json');
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name: string;
        nx: { name: string };
        signet: { name: string; namespace: string };
      };
      pkg.name = '@signet/orders-api';
      pkg.nx.name = 'orders-api';
      pkg.signet = { ...pkg.signet, name: 'orders-api', namespace: 'orders-api' };
      writeFileSync(manifest, JSON.stringify(pkg, null, 2));
      newApp = filesUnder(copy, join('apps', 'orders-api'));
    });
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    it('reaches the stacks that read the app list, with no stack code change', () => {
      expect(newApp).toContain('apps/orders-api/package.json');
      const affected = affectedBy(newApp, copy);
      expect(affected).toContain('orders-api');
      expect(affected).not.toContain('hello-server');
      expect(stacksIn(affected)).toEqual(APP_LIST_READERS);
    });
  });
});

describe('stack targets', { timeout: 120_000 }, () => {
  let graph: ProjectGraph;
  beforeAll(() => {
    graph = projectGraph();
  });

  it('runs `nx run stack-eks:up --configuration=dev` as: select or create the stack, then update it', () => {
    const up = showProject('stack-eks').targets['up'];
    expect(up?.options?.cwd).toBe('stacks/eks');
    expect(up?.configurations?.['dev']?.command).toBe(
      'pulumi stack select --non-interactive --create dev && pulumi up --stack dev',
    );
  });

  it('gives every stack uncached preview/up/destroy/refresh per environment, run from its folder after build', () => {
    const commands = {
      preview: (env: string) =>
        `pulumi stack select --non-interactive --create ${env} && pulumi preview --stack ${env} --diff`,
      up: (env: string) =>
        `pulumi stack select --non-interactive --create ${env} && pulumi up --stack ${env}`,
      refresh: (env: string) =>
        `pulumi stack select --non-interactive --create ${env} && pulumi refresh --stack ${env}`,
      // Destroy selects an existing stack and never creates one.
      destroy: (env: string) =>
        `pulumi stack select --non-interactive ${env} && pulumi destroy --stack ${env}`,
    };
    for (const stack of STACKS) {
      const environments = readdirSync(join(root, 'stacks', stack))
        .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
        .filter((env): env is string => env !== undefined)
        .sort();
      expect(environments).toEqual(['dev', 'prod', 'staging']);
      const targets = graph.nodes[`stack-${stack}`]?.data.targets ?? {};
      for (const [target, command] of Object.entries(commands)) {
        const definition = targets[target];
        expect(definition?.executor).toBe('nx:run-commands');
        expect(definition?.cache).toBe(false);
        expect(definition?.dependsOn).toEqual(['build']);
        expect(definition?.options?.cwd).toBe(`stacks/${stack}`);
        // Without --configuration the target refuses to pick an environment.
        expect(definition?.options?.command).toContain('exit 1');
        expect(definition?.configurations).toEqual(
          Object.fromEntries(environments.map((env) => [env, { command: command(env) }])),
        );
      }
    }
  });

  it('orders stacks by implicit dependencies on the stacks they read, no longer on every app', () => {
    for (const stack of STACKS) {
      const implicit = (graph.dependencies[`stack-${stack}`] ?? [])
        .filter((dependency) => dependency.type === 'implicit' && dependency.target.startsWith('stack-'))
        .map((dependency) => dependency.target)
        .sort();
      const producers = Object.entries(CONSUMERS)
        .filter(([, consumers]) => consumers.includes(stack))
        .map(([producer]) => `stack-${producer}`)
        .sort();
      expect(implicit).toEqual(producers);
    }
  });

  it('makes the committed buildspecs reach only the stack that embeds them', () => {
    const embedding = STACKS.filter((stack) =>
      (graph.dependencies[`stack-${stack}`] ?? []).some(
        (d) => d.type === 'implicit' && d.target === 'buildspecs',
      ),
    );
    expect(embedding).toEqual(['signing-pipeline']);
  });
});
