/**
 * A stack divided by app: its plan made by several processes, each creating a share of the
 * environment's apps (the stack's `signet.appsPerPlanProcess`), then merged into one stack plan.
 * A process holds every resource of its share in memory until its program has finished (Pulumi's
 * outputs and their promises, about 10 MiB per app of the signing pipeline), so the share bounds the
 * largest process whatever the number of apps.
 *
 * The merged plan has every resource the one process would have planned, each once: the resources
 * every process plans (the stack's shared ones, which must not depend on its apps) are taken from
 * the first, the others in the order of the shares. The order of the shares, and so of the plan, is
 * a function of the apps and the share size only.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PlannedResource } from '@signet/platform/testing';
import { CliError } from '../io.js';

/**
 * `apps` (in the program's order) in consecutive shares of at most `perProcess`, as even as the
 * count allows (50 apps by 16: 13, 13, 12, 12). One share, or none for no apps: the stack is planned
 * by one process, as without the setting.
 */
export function appShares(apps: readonly string[], perProcess: number): string[][] {
  const count = Math.ceil(apps.length / perProcess);
  if (count <= 1) return [[...apps]];
  const base = Math.floor(apps.length / count);
  const larger = apps.length % count;
  const shares: string[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < larger ? 1 : 0);
    shares.push(apps.slice(start, start + size));
    start += size;
  }
  return shares;
}

/** What one process of a divided stack planned. */
export interface SharePlan {
  readonly apps: readonly string[];
  readonly resources: readonly PlannedResource[];
  readonly outputs: Record<string, unknown>;
  readonly rawOutputs: Record<string, unknown>;
}

/** The merged plan of a divided stack. */
export interface MergedPlan {
  readonly resources: PlannedResource[];
  readonly outputs: Record<string, unknown>;
  readonly rawOutputs: Record<string, unknown>;
}

const resourceKey = (r: PlannedResource): string => `${r.type} "${r.name}"`;
const describeShare = (apps: readonly string[]): string =>
  apps.length === 1 ? `app ${apps[0]}` : `apps ${apps[0]} to ${apps[apps.length - 1]}`;

function divisionError(stack: string, what: string): CliError {
  return new CliError(
    `stack ${stack}: ${what}; a stack planned by app (stacks/${stack}/package.json signet.appsPerPlanProcess) ` +
      `may share between its apps only resources and outputs that do not depend on which apps there are: ` +
      `make them so, or remove the key`,
  );
}

/** A resource shared by the shares is planned the same by each; any other is planned by one. */
function mergeResources(stack: string, shares: readonly SharePlan[]): PlannedResource[] {
  const [first, ...rest] = shares;
  if (first === undefined) return [];
  const shared = new Map(first.resources.map((r) => [resourceKey(r), r]));
  const owner = new Map<string, readonly string[]>();
  const merged = [...first.resources];
  for (const share of rest) {
    for (const resource of share.resources) {
      const key = resourceKey(resource);
      const planned = shared.get(key);
      if (planned !== undefined) {
        if (!isDeepStrictEqual(planned, resource)) {
          throw divisionError(
            stack,
            `${key} is planned with other inputs by the process of ${describeShare(share.apps)} than by the process of ${describeShare(first.apps)}`,
          );
        }
        continue;
      }
      const other = owner.get(key);
      if (other !== undefined && other !== share.apps) {
        throw divisionError(
          stack,
          `${key} is planned by the processes of ${describeShare(other)} and of ${describeShare(share.apps)}, not by the first`,
        );
      }
      owner.set(key, share.apps);
      merged.push(resource);
    }
  }
  return merged;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stack's outputs: one every share exports alike is taken as it is; a map (by app) is the union
 * of the shares' entries, each entry exported by one share or alike by all that export it.
 */
function mergeOutputs(
  stack: string,
  shares: readonly SharePlan[],
  pick: (share: SharePlan) => Record<string, unknown>,
): Record<string, unknown> {
  const names = [...new Set(shares.flatMap((s) => Object.keys(pick(s))))];
  const merged: Record<string, unknown> = {};
  for (const name of names) {
    const values = shares.filter((s) => name in pick(s)).map((s) => ({ share: s, value: pick(s)[name] }));
    if (values.length !== shares.length) {
      throw divisionError(
        stack,
        `output "${name}" is exported by ${values.length} of its ${shares.length} plan processes`,
      );
    }
    const [first] = values;
    if (values.every((v) => isDeepStrictEqual(v.value, first?.value))) {
      merged[name] = first?.value;
      continue;
    }
    if (!values.every((v) => isRecord(v.value))) {
      throw divisionError(
        stack,
        `output "${name}" differs between the processes of ${values.map((v) => describeShare(v.share.apps)).join(' and ')}, and is not a map`,
      );
    }
    const entries: Record<string, unknown> = {};
    for (const { share, value } of values) {
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        if (key in entries && !isDeepStrictEqual(entries[key], entry)) {
          throw divisionError(
            stack,
            `output "${name}" has two values for "${key}" (one of them from the process of ${describeShare(share.apps)})`,
          );
        }
        entries[key] = entry;
      }
    }
    merged[name] = entries;
  }
  return merged;
}

/** Merges the plans of a divided stack's processes, given in the order of their shares. */
export function mergeSharePlans(stack: string, shares: readonly SharePlan[]): MergedPlan {
  return {
    resources: mergeResources(stack, shares),
    outputs: mergeOutputs(stack, shares, (s) => s.outputs),
    rawOutputs: mergeOutputs(stack, shares, (s) => s.rawOutputs),
  };
}
