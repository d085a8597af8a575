import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateNodesContext } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodes, createNodesV2, STACK_CONFIG_FILES } from './plugin.js';
import { stackCommandLine } from './targets.js';

let root: string;

function write(file: string, content: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

/** A stack folder as the workspace has them: package.json, Pulumi.yaml and one file per environment. */
function addStack(
  name: string,
  environments: readonly string[],
  pkg: object = { nx: { name: `stack-${name}` } },
) {
  write(`stacks/${name}/package.json`, JSON.stringify({ name: `@signet/stack-${name}`, ...pkg }));
  write(`stacks/${name}/Pulumi.yaml`, `name: signet-${name}\n`);
  for (const env of environments) write(`stacks/${name}/Pulumi.${env}.yaml`, 'config: {}\n');
  return environments.map((env) => `stacks/${name}/Pulumi.${env}.yaml`);
}

/** Calls the plugin as Nx does: every file matching its glob, at once, with the workspace root. */
function infer(files: readonly string[]) {
  const context: CreateNodesContext = { workspaceRoot: root, nxJsonConfiguration: {} };
  return createNodes[1](files, undefined, context);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'signet-stacks-plugin-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the stacks plugin', () => {
  it('infers from every stack configuration file, under both entry point names', () => {
    expect(createNodes[0]).toBe(STACK_CONFIG_FILES);
    expect(STACK_CONFIG_FILES).toBe('stacks/*/Pulumi.*.yaml');
    expect(createNodesV2).toBe(createNodes);
  });

  it('gives each stack one set of targets with a configuration per Pulumi.<env>.yaml', async () => {
    const files = [...addStack('eks', ['dev', 'prod', 'staging']), ...addStack('ecr', ['dev'])];
    const results = await infer(files);

    expect(results.map(([file]) => file)).toEqual([
      'stacks/ecr/Pulumi.dev.yaml',
      'stacks/eks/Pulumi.dev.yaml',
    ]);
    const eks = results[1]?.[1].projects?.['stacks/eks'];
    expect(Object.keys(eks?.targets ?? {})).toEqual(['preview', 'up', 'destroy', 'refresh']);
    expect(eks?.targets?.['up']?.configurations).toEqual({
      dev: { command: stackCommandLine('up', 'dev') },
      prod: { command: stackCommandLine('up', 'prod') },
      staging: { command: stackCommandLine('up', 'staging') },
    });
    expect(eks?.targets?.['up']?.options).toEqual({
      cwd: 'stacks/eks',
      command:
        "echo 'stack-eks:up needs an environment: --configuration=dev|prod|staging' >&2; sleep 0.2; exit 1",
    });
    const ecr = results[0]?.[1].projects?.['stacks/ecr'];
    expect(Object.keys(ecr?.targets?.['destroy']?.configurations ?? {})).toEqual(['dev']);
  });

  it('adds an environment when its configuration file is added, and nothing else', async () => {
    const files = addStack('signer', ['dev', 'staging', 'prod']);
    const before = await infer(files);
    write('stacks/signer/Pulumi.perf.yaml', 'config: {}\n');
    const after = await infer([...files, 'stacks/signer/Pulumi.perf.yaml']);

    const configurations = (result: typeof before) =>
      Object.keys(result[0]?.[1].projects?.['stacks/signer']?.targets?.['preview']?.configurations ?? {});
    expect(configurations(before)).toEqual(['dev', 'prod', 'staging']);
    expect(configurations(after)).toEqual(['dev', 'perf', 'prod', 'staging']);
  });

  it('names the project from package.json nx.name, else the package name', async () => {
    const files = addStack('legacy', ['dev'], {});
    const [[, result] = []] = await infer(files);
    expect(result?.projects?.['stacks/legacy']?.targets?.['up']?.options).toMatchObject({
      command:
        "echo '@signet/stack-legacy:up needs an environment: --configuration=dev' >&2; sleep 0.2; exit 1",
    });
  });

  it('leaves alone a folder that is not a Pulumi project or not a workspace package', async () => {
    write('stacks/notes/package.json', JSON.stringify({ name: 'notes' }));
    write('stacks/notes/Pulumi.dev.yaml', 'config: {}\n');
    write('stacks/loose/Pulumi.yaml', 'name: loose\n');
    write('stacks/loose/Pulumi.dev.yaml', 'config: {}\n');
    expect(await infer(['stacks/notes/Pulumi.dev.yaml', 'stacks/loose/Pulumi.dev.yaml'])).toEqual([]);
  });

  it('refuses an environment that could not be a stack name, naming the file', async () => {
    const files = addStack('eks', ['dev', 'dev.local']);
    await expect(async () => infer(files)).rejects.toThrow(
      'stacks/eks/Pulumi.dev.local.yaml: environment "dev.local" is not allowed',
    );
  });

  it('refuses a stack whose package.json cannot name its project', async () => {
    write('stacks/eks/package.json', '{ "nx": ');
    write('stacks/eks/Pulumi.yaml', 'name: signet-eks\n');
    write('stacks/eks/Pulumi.dev.yaml', 'config: {}\n');
    await expect(async () => infer(['stacks/eks/Pulumi.dev.yaml'])).rejects.toThrow(
      'stacks/eks/package.json: not valid JSON',
    );
    write('stacks/eks/package.json', JSON.stringify({ nx: { name: '' } }));
    await expect(async () => infer(['stacks/eks/Pulumi.dev.yaml'])).rejects.toThrow(
      'stacks/eks/package.json: needs "nx.name" (or "name") to name the stack\'s project',
    );
  });
});
