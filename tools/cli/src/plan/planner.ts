import { availableParallelism } from 'node:os';
import type { PlannedResource } from '@signet/platform/testing';
import { join, relative } from 'node:path';
import { planBundle, type PlanBundle } from './bundle.js';
import { appsForEnvironment, discoverApps, isEnvironment } from '@signet/core';
import { CHILD_ENTRY, startChild, type ChildOutcome, type PlanChild } from './run-child.js';
import type { PlanRequest, PlanResponse, UpstreamOutputs } from './protocol.js';
import { appShares, mergeSharePlans } from './shards.js';
import { planningGraph, transitiveDependencies, type PlanNode } from './graph.js';
import { CliError, ExitCode } from '../io.js';
import { discoverStacks, orderStacks, withUpstreams, type WorkspaceStack } from './workspace.js';

/** Options of {@link planEnvironment}. */
export interface PlanOptions {
  /** Workspace root (holding `stacks/`). */
  readonly root: string;
  /** Environment to plan: selects each stack's `Pulumi.<env>.yaml`. */
  readonly env: string;
  /** Plan only this stack (its upstreams are planned for their outputs but not reported). */
  readonly stack?: string;
  /** Stack processes alive at once (started in planning order). Default {@link defaultConcurrency}. */
  readonly concurrency?: number;
}

/**
 * Plan processes alive at once: every stack of an environment that builds (five; prod's plan has
 * seven, with staging's ecr and dev's signer, and the last two start as the first finish). A process
 * waiting for its upstreams holds about 150 MiB and no CPU, and one started early has loaded its
 * modules by the time its upstreams are planned; the CPUs then decide how much of the work overlaps.
 */
export function defaultConcurrency(): number {
  return Math.min(5, availableParallelism() + 3);
}

/** One planned stack. */
export interface StackPlan {
  /** Folder under `stacks/`. */
  readonly name: string;
  /** Pulumi project. */
  readonly project: string;
  /** Resources in creation order; inputs with secrets as `"[secret]"`. */
  readonly resources: PlannedResource[];
  /** Outputs with secrets as `"[secret]"`. */
  readonly outputs: Record<string, unknown>;
  /** Peak RSS of the stack's (largest) child process, in KiB. */
  readonly maxRssKb: number;
  /** CPU time (user + system) of the stack's child processes, in milliseconds. */
  readonly cpuMs: number;
  /** Wall time of the stack's plan, in milliseconds. */
  readonly durationMs: number;
  /** Processes that planned it: more than one for a stack divided by app (see shards.ts). */
  readonly processes: number;
}

/** The plan of an environment. */
export interface EnvironmentPlan {
  readonly environment: string;
  /** Every planned stack in dependency order (upstreams of `--stack` included). */
  readonly planned: StackPlan[];
  /** The stacks to report: all, or only the one asked for. */
  readonly stacks: StackPlan[];
}

/** Progress events, for a live display. */
export interface PlanProgress {
  /** Before any child starts: the stacks in order, and which are reported. */
  start?(order: readonly string[], reported: ReadonlySet<string>): void;
  stackStarted?(name: string, index: number, total: number): void;
  stackDone?(plan: StackPlan, index: number, total: number): void;
  /** What a stack's program printed (warnings, console output) when it planned successfully. */
  stackOutput?(name: string, text: string): void;
  /** After the last stack, planned or failed. */
  finish?(): void;
}

/** esbuild's message: its errors, each with the file and line. */
function bundleMessage(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
    .errors;
  if (errors === undefined || errors.length === 0)
    return error instanceof Error ? error.message : String(error);
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
    .join('\n  ');
}

/** The environments the stacks have config for: the union of their `Pulumi.<env>.yaml` files. */
export function knownEnvironments(stacks: readonly WorkspaceStack[]): string[] {
  return [...new Set(stacks.flatMap((s) => s.environments))].sort();
}

/**
 * Plans an environment: every existing stack in dependency order, each in its own process under
 * the mock runtime, each StackReference answered with the outputs its upstream produced here.
 */
export async function planEnvironment(
  options: PlanOptions,
  progress: PlanProgress = {},
): Promise<EnvironmentPlan> {
  const stacks = discoverStacks(options.root);
  if (stacks.length === 0)
    throw new CliError(`no stacks found: no ${options.root}/stacks/*/Pulumi.yaml`, ExitCode.Usage);
  const environments = knownEnvironments(stacks);
  if (!environments.includes(options.env)) {
    throw new CliError(
      `unknown environment "${options.env}"; allowed: ${environments.join(', ')}`,
      ExitCode.Usage,
    );
  }
  if (options.stack !== undefined && !stacks.some((s) => s.name === options.stack)) {
    throw new CliError(
      `unknown stack "${options.stack}"; stacks: ${stacks.map((s) => s.name).join(', ')}`,
      ExitCode.Usage,
    );
  }
  const selected = options.stack !== undefined ? withUpstreams(stacks, options.stack) : undefined;
  const order = orderStacks(stacks).filter((s) => !selected || selected.has(s.name));
  const reported = new Set(options.stack !== undefined ? [options.stack] : order.map((s) => s.name));
  const workspaceProjects = Object.fromEntries(stacks.map((s) => [s.project, s.name]));
  progress.start?.(
    order.map((s) => s.name),
    reported,
  );

  const graph = planningGraph(stacks, options.env, order);
  const produced = new Map<string, UpstreamOutputs>();
  const plans = new Map<string, StackPlan>();
  const reportedIndex = (node: PlanNode): number =>
    node.env === options.env ? order.findIndex((s) => s.name === node.stack.name) : -1;

  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());

  /** The child's answer, or the error that tells the user what went wrong. */
  const answered = (node: PlanNode, outcome: ChildOutcome): Extract<PlanResponse, { ok: true }> => {
    const { stack, env } = node;
    const { response } = outcome;
    if (response === undefined) {
      const how =
        outcome.signal !== null ? `signal ${outcome.signal}` : `exit code ${String(outcome.exitCode)}`;
      const output = outcome.stderr.trim();
      throw new CliError(
        `stack ${stack.name}: the plan process crashed (${how})${output ? `:\n${output}` : ''}`,
      );
    }
    if (!response.ok) {
      if (response.missingOutput) {
        const upstream = stacks.find((s) => s.project === response.missingOutput?.stack.split('/')[1]);
        throw new CliError(
          `stack ${stack.name} requires output "${response.missingOutput.key}" from stack ` +
            `${upstream?.name ?? response.missingOutput.stack} (${response.missingOutput.stack}), which does not export it`,
        );
      }
      if (response.missingReference !== undefined) {
        // Every reference to another environment is planned before the stack runs; one that was
        // not would be answered by nothing, so the plan says where the prediction comes from.
        throw new CliError(
          `stack ${stack.name} (${stack.project}, ${env}) references "${response.missingReference}", a stack of ` +
            `another environment that was not planned first: before a stack of ${env}, the plan plans the ` +
            `other environments' stacks that promotionUpstreamStacks (@signet/platform/promotion-stacks) ` +
            `names for ${env}, for a stack that lists them in nx.implicitDependencies; read other ` +
            `environments through readPromotionUpstreams, or add the stack there`,
        );
      }
      // Config validation lists one problem per line; keep them readable under the stack's name.
      const message = response.message.split('\n').join('\n  ');
      throw new CliError(`stack ${stack.name} (${stack.project}, ${env}): ${message}`);
    }
    return response;
  };

  /**
   * The shares of the environment's apps a stack divided by app is planned in (see shards.ts), or
   * one process for all of it.
   */
  const sharesOf = (node: PlanNode): (readonly string[] | undefined)[] => {
    const { stack, env } = node;
    if (stack.appsPerPlanProcess === undefined || !isEnvironment(env)) return [undefined];
    let apps: string[];
    try {
      apps = appsForEnvironment(discoverApps(options.root), env).map((a) => a.name);
    } catch (error) {
      throw new CliError(`stack ${stack.name} (${stack.project}, ${env}): ${(error as Error).message}`);
    }
    const shares = appShares(apps, stack.appsPerPlanProcess);
    return shares.length > 1 ? shares : [undefined];
  };

  /**
   * Runs one stack's processes: the started one for the first share, more (at most `concurrency`
   * alive) for the others. Answers in the order of the shares.
   */
  const runShares = async (
    node: PlanNode,
    first: PlanChild,
    bundle: PlanBundle,
    request: PlanRequest,
    shares: readonly (readonly string[] | undefined)[],
  ): Promise<ChildOutcome[]> => {
    const outcomes: ChildOutcome[] = new Array<ChildOutcome>(shares.length);
    let next = 0;
    let failed = false;
    const worker = async (started: PlanChild | undefined): Promise<void> => {
      let child = started;
      // A failed share stops the others from starting; the first failure is reported.
      for (let i = next++; i < shares.length && !failed; i = next++) {
        const share = shares[i];
        const running = child ?? startChild(bundle, options.root);
        child = undefined;
        const outcome = await running.plan(share === undefined ? request : { ...request, apps: share });
        outcomes[i] = outcome;
        if (outcome.response?.ok !== true) failed = true;
      }
      child?.kill();
    };
    const workers = Math.min(shares.length, concurrency);
    await Promise.all(Array.from({ length: workers }, (_, w) => worker(w === 0 ? first : undefined)));
    return outcomes;
  };

  /** Plans one stack whose upstreams (of its environment and of others) are all planned. */
  const planStack = async (node: PlanNode, child: PlanChild, bundle: PlanBundle): Promise<void> => {
    const { stack, env } = node;
    const index = reportedIndex(node);
    if (index >= 0) progress.stackStarted?.(stack.name, index, order.length);
    const upstreams = [...transitiveDependencies(graph, node)].map((key) => {
      const upstream = produced.get(key) as UpstreamOutputs;
      const upstreamEnv = graph.get(key)?.env;
      return upstreamEnv === env ? upstream : { ...upstream, env: upstreamEnv };
    });
    const started = performance.now();
    let shares: (readonly string[] | undefined)[];
    try {
      shares = sharesOf(node);
    } catch (error) {
      child.kill();
      throw error;
    }
    const request: PlanRequest = {
      stack: stack.name,
      stackDir: stack.dir,
      program: relative(stack.dir, bundle.program),
      env,
      upstreams,
      workspaceProjects,
    };
    const outcomes = await runShares(node, child, bundle, request, shares);
    const durationMs = performance.now() - started;
    const responses = outcomes.filter((o) => o !== undefined).map((outcome) => answered(node, outcome));
    const [first] = responses as [Extract<PlanResponse, { ok: true }>];
    if (shares.length > 1 && responses.some((r) => !r.appsScoped)) {
      throw new CliError(
        `stack ${stack.name}: stacks/${stack.name}/package.json sets signet.appsPerPlanProcess, but its program ` +
          `does not read its share of the apps with appsToCreate (@signet/platform), so each process would plan ` +
          `every app: call it on the program's apps, or remove the key`,
      );
    }
    const response =
      shares.length > 1
        ? {
            ...first,
            ...mergeSharePlans(
              stack.name,
              responses.map((r, i) => ({ ...r, apps: shares[i] ?? [] })),
            ),
            maxRssKb: Math.max(...responses.map((r) => r.maxRssKb)),
            cpuMs: responses.reduce((n, r) => n + r.cpuMs, 0),
          }
        : first;
    const stderr = outcomes.map((o) => o.stderr).join('');
    produced.set(node.key, {
      name: stack.name,
      project: response.project,
      org: response.org,
      outputs: response.rawOutputs,
      // Masking changed the rendering exactly where a value (or part of it) is a secret.
      secretOutputNames: Object.keys(response.rawOutputs).filter(
        (k) => JSON.stringify(response.outputs[k]) !== JSON.stringify(response.rawOutputs[k]),
      ),
    });
    if (index < 0) return;
    const plan: StackPlan = {
      name: stack.name,
      project: response.project,
      resources: response.resources,
      outputs: response.outputs,
      maxRssKb: response.maxRssKb,
      cpuMs: response.cpuMs,
      durationMs,
      processes: shares.length,
    };
    if (stderr.trim() !== '') progress.stackOutput?.(stack.name, stderr);
    plans.set(stack.name, plan);
    progress.stackDone?.(plan, index, order.length);
  };

  // Every stack's program is bundled (or found in the cache) before any process starts.
  const bundles = new Map(
    await Promise.all(
      [...new Set([...graph.values()].map((n) => n.stack))].map(async (s) => {
        const program = join(s.dir, 'src', 'index.ts');
        try {
          return [s.name, await planBundle(CHILD_ENTRY, program)] as const;
        } catch (error) {
          throw new CliError(`stack ${s.name}: cannot load ${program}: ${bundleMessage(error)}`);
        }
      }),
    ),
  );

  // Up to `concurrency` processes live at once, started in planning order: a process loads its
  // modules as soon as it starts, and plans once all its upstreams are planned.
  const nodes = [...graph.values()];
  const unstarted = [...nodes];
  const idle = new Map<string, PlanChild>();
  const running = new Map<string, Promise<void>>();
  const failures: { index: number; error: unknown }[] = [];
  for (;;) {
    while (failures.length === 0 && idle.size + running.size < concurrency && unstarted.length > 0) {
      const node = unstarted.shift() as PlanNode;
      idle.set(node.key, startChild(bundles.get(node.stack.name) as PlanBundle, options.root));
    }
    for (const [key, child] of failures.length === 0 ? [...idle] : []) {
      const node = graph.get(key) as PlanNode;
      if (!node.dependsOn.every((d) => produced.has(d))) continue;
      idle.delete(key);
      const run = planStack(node, child, bundles.get(node.stack.name) as PlanBundle)
        .catch((error: unknown) => {
          failures.push({ index: nodes.indexOf(node), error });
        })
        .finally(() => running.delete(key));
      running.set(key, run);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const child of idle.values()) child.kill();
  progress.finish?.();
  // With several stacks in flight, report the failure of the one that comes first in planning order.
  const [first] = failures.sort((a, b) => a.index - b.index);
  if (first !== undefined) throw first.error;

  const planned = order.map((s) => plans.get(s.name)).filter((p): p is StackPlan => p !== undefined);
  return { environment: options.env, planned, stacks: planned.filter((p) => reported.has(p.name)) };
}
