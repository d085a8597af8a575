// The Nx plugin that gives every stack its Pulumi targets, inferred from the stack configuration files, so
// an environment is added by committing its `Pulumi.<env>.yaml` and nothing else. nx.json registers it as
// `@signet/workspace-plugin/stacks`; Nx resolves that export with the workspace's `development` condition
// and loads this TypeScript file itself, so it must stay erasable syntax (Node strips the types) and import
// nothing at run time but Node built-ins: every Nx command loads it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { environmentOf, stackPluginOptions, StackTargetsError, stackTargets } from './targets.js';

/** The files the plugin infers from: one Pulumi stack configuration file per environment of a stack. */
export const STACK_CONFIG_FILES = 'stacks/*/Pulumi.*.yaml';

/**
 * The Nx project name a stack folder's package.json gives (`nx.name`, else the package name); `file` is
 * relative to the workspace root.
 */
function projectName(workspaceRoot: string, file: string): string {
  let pkg: { name?: unknown; nx?: { name?: unknown } };
  try {
    pkg = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8')) as typeof pkg;
  } catch (error) {
    throw new StackTargetsError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const name = pkg.nx?.name ?? pkg.name;
  if (typeof name !== 'string' || name === '') {
    throw new StackTargetsError(`${file}: needs "nx.name" (or "name") to name the stack's project`);
  }
  return name;
}

/**
 * The stack projects of `configFiles` (paths relative to `workspaceRoot`, as Nx passes them), each with its
 * Pulumi targets. A folder is a stack when it is a Pulumi project (`Pulumi.yaml`) and a workspace package
 * (`package.json`); other folders are left alone. The result is keyed by the first configuration file of
 * each stack (Nx attributes a project's inferred configuration to one source file).
 */
export function createStackNodes(
  configFiles: readonly string[],
  workspaceRoot: string,
  options: unknown = undefined,
): [string, CreateNodesResult][] {
  const { organization } = stackPluginOptions(options);
  const byRoot = new Map<string, string[]>();
  for (const file of [...configFiles].sort()) {
    const root = dirname(file);
    byRoot.set(root, [...(byRoot.get(root) ?? []), file]);
  }
  const results: [string, CreateNodesResult][] = [];
  for (const [root, files] of byRoot) {
    const packageJson = `${root}/package.json`;
    if (
      !existsSync(join(workspaceRoot, root, 'Pulumi.yaml')) ||
      !existsSync(join(workspaceRoot, packageJson))
    )
      continue;
    const targets = stackTargets({
      name: projectName(workspaceRoot, packageJson),
      root,
      environments: files.map(environmentOf),
      ...(organization !== undefined && { organization }),
    });
    results.push([files[0] as string, { projects: { [root]: { targets } } }]);
  }
  return results;
}

/** Nx's entry point: the glob and the function that turns every matching file into stack targets. */
export const createNodes: CreateNodes = [
  STACK_CONFIG_FILES,
  (configFiles: readonly string[], options: unknown, context: CreateNodesContext) =>
    createStackNodes(configFiles, context.workspaceRoot, options),
];

/** The same entry point under its former name, which Nx 23 still reads (`createNodes` comes first). */
export const createNodesV2 = createNodes;
