/**
 * What one plan runs: the stacks of the environment asked for and the stacks of other
 * environments they read (a promoting environment reads the repositories of the one it promotes
 * from and the signing profiles of the one that builds), each a node `<env>/<stack>` with the
 * nodes whose outputs it reads. Known before any process starts, so every stack is planned once,
 * with all its references answered on its first run, and the stacks of other environments plan
 * side by side with the environment's own.
 */
import { isEnvironment } from '@signet/core';
import { promotionUpstreamStacks } from '@signet/platform/promotion-stacks';
import { CliError } from '../io.js';
import type { WorkspaceStack } from './workspace.js';

/** A stack planned in one environment. */
export interface PlanNode {
  /** `<env>/<stack folder>`. */
  readonly key: string;
  readonly env: string;
  readonly stack: WorkspaceStack;
  /** Keys of the nodes it reads outputs of: its upstreams in `env`, then those of other environments. */
  readonly dependsOn: readonly string[];
}

const nodeKey = (env: string, stack: string): string => `${env}/${stack}`;

/**
 * The stacks of other environments a stack of `env` references: those `promotionUpstreamStacks`
 * names for `env` whose stack this one also reads in its own environment (`nx.implicitDependencies`),
 * as the stacks reading their promotion upstreams do. None for an environment the platform does not
 * define (a workspace of its own) or one that builds its images.
 */
export function otherEnvironmentUpstreams(
  env: string,
  stack: WorkspaceStack,
): { readonly env: string; readonly stack: string }[] {
  if (!isEnvironment(env)) return [];
  const upstreams = promotionUpstreamStacks(env);
  if (upstreams === undefined) return [];
  return Object.values(upstreams)
    .filter((u) => stack.dependsOn.includes(u.stack))
    .map((u) => ({ env: u.environment, stack: u.stack }));
}

/**
 * The nodes of a plan of `env` over `order` (stacks in planning order, see orderStacks), in the
 * order their processes start: every node after the nodes it reads, the environment's own before
 * other environments' where the order allows, so a stack's process starts no later than it can plan.
 * Other environments' nodes carry their own upstreams (in their environment) with them.
 */
export function planningGraph(
  stacks: readonly WorkspaceStack[],
  env: string,
  order: readonly WorkspaceStack[],
): Map<string, PlanNode> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const graph = new Map<string, PlanNode>();
  const visiting = new Set<string>();
  const visit = (nodeEnv: string, stack: WorkspaceStack, path: readonly string[]): string => {
    const key = nodeKey(nodeEnv, stack.name);
    if (graph.has(key)) return key;
    if (visiting.has(key)) throw new CliError(`stack reference cycle: ${[...path, key].join(' -> ')}`);
    visiting.add(key);
    const here = [...stack.dependsOn]
      .sort()
      .map((d) => byName.get(d))
      .filter((d): d is WorkspaceStack => d !== undefined)
      .map((d) => visit(nodeEnv, d, [...path, key]));
    const elsewhere = otherEnvironmentUpstreams(nodeEnv, stack)
      .map((u) => ({ env: u.env, stack: byName.get(u.stack) }))
      .filter((u): u is { env: string; stack: WorkspaceStack } => u.stack !== undefined)
      .map((u) => visit(u.env, u.stack, [...path, key]));
    visiting.delete(key);
    graph.set(key, { key, env: nodeEnv, stack, dependsOn: [...new Set([...here, ...elsewhere])] });
    return key;
  };
  for (const stack of order) visit(env, stack, []);
  return graph;
}

/** Every node `node` reads, directly or through its upstreams, in graph order. */
export function transitiveDependencies(graph: ReadonlyMap<string, PlanNode>, node: PlanNode): Set<string> {
  const found = new Set<string>();
  const add = (key: string): void => {
    if (found.has(key)) return;
    found.add(key);
    graph.get(key)?.dependsOn.forEach(add);
  };
  node.dependsOn.forEach(add);
  return new Set([...graph.keys()].filter((k) => found.has(k)));
}
