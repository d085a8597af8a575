import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../io.js';

/** A stack of the workspace: a folder of `stacks/` holding a `Pulumi.yaml`. */
export interface WorkspaceStack {
  /** Folder name under `stacks/`, e.g. `networking`. */
  readonly name: string;
  /** Pulumi project name from `Pulumi.yaml`, e.g. `signet-networking`. */
  readonly project: string;
  /** Absolute path of the stack folder. */
  readonly dir: string;
  /** Folder names of the stacks it reads outputs from (its `nx.implicitDependencies` on `stack-*`). */
  readonly dependsOn: readonly string[];
  /** Environments it has a `Pulumi.<env>.yaml` for. */
  readonly environments: readonly string[];
  /**
   * `signet.appsPerPlanProcess` of its package.json: the plan divides the environment's apps
   * between processes of at most this many (the program reads its share with `appsToCreate`) and
   * merges their plans. Unset: one process plans the stack.
   */
  readonly appsPerPlanProcess?: number;
}

/** Nx names the project of `stacks/<name>` `stack-<name>`; dependencies between stacks use that name. */
const STACK_PROJECT_PREFIX = 'stack-';

/** The Nx project of a stack folder, e.g. `stack-eks`: what `nx run` and `nx.implicitDependencies` name. */
export function stackProjectName(name: string): string {
  return `${STACK_PROJECT_PREFIX}${name}`;
}

function readProject(dir: string): string {
  const file = join(dir, 'Pulumi.yaml');
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const name = (doc as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name === '') throw new CliError(`${file}: "name" must be the project name`);
  return name;
}

/** What a stack's package.json tells the planner. */
interface StackPackage {
  readonly dependsOn: string[];
  readonly appsPerPlanProcess: number | undefined;
}

function readStackPackage(dir: string): StackPackage {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return { dependsOn: [], appsPerPlanProcess: undefined };
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const { nx, signet } = pkg as {
    nx?: { implicitDependencies?: unknown };
    signet?: { appsPerPlanProcess?: unknown };
  };
  const deps = nx?.implicitDependencies ?? [];
  if (!Array.isArray(deps)) throw new CliError(`${file}: nx.implicitDependencies must be an array`);
  const perProcess = signet?.appsPerPlanProcess;
  if (perProcess !== undefined && !(Number.isSafeInteger(perProcess) && (perProcess as number) >= 1)) {
    throw new CliError(
      `${file}: signet.appsPerPlanProcess is ${JSON.stringify(perProcess)}; allowed: a whole number of at least 1 ` +
        '(the apps one plan process creates), or no key (one process plans every app)',
    );
  }
  return {
    // Only `stack-<name>` entries order stacks; tags (`tag:type:app`) and negations do not.
    dependsOn: deps
      .filter((d): d is string => typeof d === 'string' && d.startsWith(STACK_PROJECT_PREFIX))
      .map((d) => d.slice(STACK_PROJECT_PREFIX.length)),
    appsPerPlanProcess: perProcess as number | undefined,
  };
}

/** The stacks under `<root>/stacks` that exist (have a `Pulumi.yaml`), sorted by name. */
export function discoverStacks(root: string): WorkspaceStack[] {
  const stacksDir = join(root, 'stacks');
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(stacksDir, e.name, 'Pulumi.yaml')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(stacksDir, name);
      const environments = readdirSync(dir)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((env): env is string => env !== undefined)
        .sort();
      const { dependsOn, appsPerPlanProcess } = readStackPackage(dir);
      return {
        name,
        project: readProject(dir),
        dir,
        dependsOn,
        environments,
        ...(appsPerPlanProcess !== undefined && { appsPerPlanProcess }),
      };
    });
}

/**
 * Orders stacks so every stack comes after the stacks it depends on (ties by name, so the order is
 * stable). A dependency on a stack that does not exist yet is ignored: it is simply not planned.
 * The CLI's one stack order: `signet plan` plans in it, `signet decommission` destroys in its reverse.
 */
export function orderStacks(stacks: readonly WorkspaceStack[]): WorkspaceStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const ordered: WorkspaceStack[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: WorkspaceStack, path: string[]): void => {
    const seen = state.get(stack.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new CliError(`stack dependency cycle: ${[...path, stack.name].join(' -> ')}`);
    }
    state.set(stack.name, 'visiting');
    for (const dep of [...stack.dependsOn].sort()) {
      const upstream = byName.get(dep);
      if (upstream) visit(upstream, [...path, stack.name]);
    }
    state.set(stack.name, 'done');
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack, []);
  return ordered;
}

/**
 * The order stacks are destroyed in: the reverse of {@link orderStacks}, the order `signet plan` plans
 * and stacks are deployed in, so no stack loses an upstream whose outputs it reads while it exists.
 */
export function destroyOrder(stacks: readonly WorkspaceStack[]): WorkspaceStack[] {
  return orderStacks(stacks).reverse();
}

/** The stack and, transitively, every existing stack it depends on. */
export function withUpstreams(stacks: readonly WorkspaceStack[], name: string): Set<string> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const selected = new Set<string>();
  const add = (n: string): void => {
    const stack = byName.get(n);
    if (!stack || selected.has(n)) return;
    selected.add(n);
    stack.dependsOn.forEach(add);
  };
  add(name);
  return selected;
}
