/**
 * The apps one run of a stack program creates. In a deployment (`pulumi up`, `pulumi preview`)
 * that is every app it is given. Under `signet plan` a stack whose per-app resources are
 * independent of each other may be planned by several processes, each creating the resources of
 * a share of the apps (the stack's `signet.appsPerPlanProcess`), so that no process holds every
 * app's pipeline in memory; the planner merges what they planned into the one stack's plan.
 *
 * The share is handed over in a process-wide slot that only the mock runtime's harness fills
 * (`runStackProgram`'s `apps`). Outside the mock runtime a filled slot is refused: a deployment
 * never creates only some of its apps.
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks.js';

/** The slot: a global symbol, so every copy of this module (a plan bundle has its own) shares it. */
const PLAN_SCOPE = Symbol.for('signet.plan.apps');

/** The share of the apps a plan process creates, and whether the program asked for it. */
export interface PlanAppScope {
  /** Names of the apps this process creates, in the program's order. */
  readonly names: readonly string[];
  /** Set when the program has read the share ({@link appsToCreate}). */
  used: boolean;
}

type ScopeSlot = { [PLAN_SCOPE]?: PlanAppScope | undefined };

/** Fills (or, with `undefined`, empties) the slot. For the mock runtime's harness only. */
export function setPlanAppScope(names: readonly string[] | undefined): PlanAppScope | undefined {
  const slot = globalThis as ScopeSlot;
  if (names === undefined) {
    slot[PLAN_SCOPE] = undefined;
    return undefined;
  }
  const scope: PlanAppScope = { names: [...names], used: false };
  slot[PLAN_SCOPE] = scope;
  return scope;
}

/**
 * The apps this run creates: `apps` as given, or under `signet plan` the share of them this plan
 * process was given. Call it on the stack's app list before creating any per-app resource.
 */
export function appsToCreate<A extends { readonly name: string }>(apps: readonly A[]): A[] {
  const scope = (globalThis as ScopeSlot)[PLAN_SCOPE];
  if (scope === undefined) return [...apps];
  if (!(pulumi.runtime.getMonitor() instanceof MockMonitor)) {
    throw new Error(
      'a plan share of the apps is set outside the mock runtime: a deployment creates every app; ' +
        'only signet plan divides a stack by app',
    );
  }
  const known = new Set(apps.map((a) => a.name));
  const unknown = scope.names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `the plan gave this process the apps ${unknown.map((n) => `"${n}"`).join(', ')}, which the ` +
        `program does not have; it has: ${[...known].join(', ') || 'none'}`,
    );
  }
  scope.used = true;
  const share = new Set(scope.names);
  return apps.filter((a) => share.has(a.name));
}
