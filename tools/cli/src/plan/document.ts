import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EnvironmentPlan } from './planner.js';

/** The JSON plan, as documented in docs/plan.md. */
export interface PlanDocument {
  readonly environment: string;
  readonly stacks: {
    readonly name: string;
    readonly project: string;
    readonly resources: {
      readonly type: string;
      readonly name: string;
      readonly inputs: Record<string, unknown>;
    }[];
    readonly outputs: Record<string, unknown>;
  }[];
}

/** Object keys sorted at every level, so equal plans serialize to equal bytes. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** The documented JSON shape of a plan (no timings or memory: it must be reproducible). */
export function toPlanDocument(plan: EnvironmentPlan): PlanDocument {
  return {
    environment: plan.environment,
    stacks: plan.stacks.map((s) => ({
      name: s.name,
      project: s.project,
      resources: s.resources.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: canonical(r.inputs) as Record<string, unknown>,
      })),
      outputs: canonical(s.outputs) as Record<string, unknown>,
    })),
  };
}

/** Writes the document through a temporary file and a rename, so readers never see half a plan. */
export function writePlanDocument(file: string, document: PlanDocument): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(document, null, 2)}\n`);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}
