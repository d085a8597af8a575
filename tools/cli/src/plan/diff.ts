import type { PlanDocument } from './document.js';
import { securityChanges, type SecurityChange } from './diff-security.js';

/** One input that differs between the base and the head plan of a resource. */
export interface InputChange {
  /** Path into the inputs: `policy{}.Statement[0].Action` (`{}` marks a JSON string read as JSON). */
  readonly path: string;
  /** The value in the base plan; absent when the head adds the input. */
  readonly before?: unknown;
  /** The value in the head plan; absent when the head removes the input. */
  readonly after?: unknown;
}

/** A resource of a stack, as both plans know it. */
export interface ResourceKey {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
}

export interface ChangedResource extends ResourceKey {
  readonly changes: readonly InputChange[];
}

/** What a change does to an environment's plan. */
export interface PlanDiff {
  readonly environment: string;
  readonly added: readonly ResourceKey[];
  readonly removed: readonly ResourceKey[];
  readonly changed: readonly ChangedResource[];
  /** The changes a security reviewer must read, in words. */
  readonly security: readonly SecurityChange[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string that holds a JSON object or array (policies are inputs of that kind), parsed; else undefined. */
export function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Every leaf that differs between two input values, by path; JSON strings are compared as JSON. */
export function inputChanges(before: unknown, after: unknown, path = ''): InputChange[] {
  const beforeJson = parsedJson(before);
  const afterJson = parsedJson(after);
  if (beforeJson !== undefined && afterJson !== undefined) {
    return inputChanges(beforeJson, afterJson, `${path}{}`);
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      if (!(key in after)) return [{ path: join(path, key), before: before[key] }];
      if (!(key in before)) return [{ path: join(path, key), after: after[key] }];
      return inputChanges(before[key], after[key], join(path, key));
    });
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => inputChanges(item, after[i], `${path}[${i}]`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

const keyOf = (r: ResourceKey): string => `${r.stack}\u0000${r.type}\u0000${r.name}`;

function resourcesOf(plan: PlanDocument): Map<string, ResourceKey & { inputs: Record<string, unknown> }> {
  const resources = new Map<string, ResourceKey & { inputs: Record<string, unknown> }>();
  for (const stack of plan.stacks) {
    for (const r of stack.resources) {
      const resource = { stack: stack.name, type: r.type, name: r.name, inputs: r.inputs };
      resources.set(keyOf(resource), resource);
    }
  }
  return resources;
}

/**
 * The difference between the plan of a base (a commit or a saved plan) and the head plan of the same
 * environment: resources by stack, type and logical name (what Pulumi's URN is made of), each changed
 * input by path, and the security-relevant changes in words. Outputs are not compared: what reaches
 * the cloud is the resources.
 */
export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
  const before = resourcesOf(base);
  const after = resourcesOf(head);
  const strip = ({ stack, type, name }: ResourceKey): ResourceKey => ({ stack, type, name });
  const added = [...after.entries()].filter(([k]) => !before.has(k)).map(([, r]) => strip(r));
  const removed = [...before.entries()].filter(([k]) => !after.has(k)).map(([, r]) => strip(r));
  const changed: ChangedResource[] = [];
  for (const [key, resource] of after) {
    const old = before.get(key);
    if (old === undefined) continue;
    const changes = inputChanges(old.inputs, resource.inputs);
    if (changes.length > 0) changed.push({ ...strip(resource), changes });
  }
  return {
    environment: head.environment,
    added,
    removed,
    changed,
    security: securityChanges(base, head, { added, removed, changed }),
  };
}

/** Whether the head plan changes nothing of the base. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
