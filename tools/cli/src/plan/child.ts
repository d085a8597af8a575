/**
 * Child process of `signet plan`: evaluates one stack program under the mock runtime and sends
 * the result to the parent. One stack per process, so no program module or Pulumi runtime state
 * is shared between stacks.
 */
import { pathToFileURL } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { DIY_ORGANIZATION } from '@signet/platform';
import {
  runStackProgram,
  StackProgramError,
  StackReferenceUnavailableError,
  messageOf,
} from '@signet/platform/testing';
import type { PlanRequest, PlanResponse } from './protocol.js';
import { stackProjectName } from './workspace.js';

/**
 * The organization every stack is planned in: one for all stacks, as deployed (they read each
 * other's outputs from their own organization), the self-managed backend's.
 */
const PLAN_ORGANIZATION = DIY_ORGANIZATION;

/** Peak memory and CPU time of this process, for the benchmark. */
function usage(): { maxRssKb: number; cpuMs: number } {
  const u = process.resourceUsage();
  return { maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 };
}

/** Answers a StackReference from the upstream outputs the parent passed in. */
function resolveReference(request: PlanRequest) {
  return (stackName: string): Record<string, unknown> | undefined => {
    const [org, project, env] = stackName.split('/');
    const upstream = request.upstreams.find((u) => u.project === project && (u.env ?? request.env) === env);
    if (!upstream) {
      const folder = project !== undefined ? request.workspaceProjects[project] : undefined;
      if (folder !== undefined && env === request.env) {
        throw new Error(
          `stack reference "${stackName}" is not available: stacks/${request.stack}/package.json must list ` +
            `"${stackProjectName(folder)}" in nx.implicitDependencies so ${folder} is planned (and deployed) first`,
        );
      }
      throw new StackReferenceUnavailableError(stackName);
    }
    if (upstream.org !== undefined && upstream.org !== org) {
      throw new Error(
        `stack reference "${stackName}" is not available: ${upstream.name} is planned as ` +
          `"${upstream.org}/${upstream.project}/${upstream.env ?? request.env}"`,
      );
    }
    return Object.fromEntries(
      Object.entries(upstream.outputs).map(([key, value]) => [
        key,
        upstream.secretOutputNames.includes(key) ? pulumi.secret(value) : value,
      ]),
    );
  };
}

// The program's third-party modules (the parent passes their paths): loaded while the upstream
// stacks are still planning. A module that fails to load fails again, with the program's context,
// when the program imports it.
const preloaded = Promise.allSettled(process.argv.slice(2).map((file) => import(pathToFileURL(file).href)));

/**
 * The stack name of an unavailable reference to another environment's stack, from the mock runtime's
 * message: the parent plans every such stack it knows of first, and names one it did not foresee.
 */
function otherEnvironmentReference(message: string, env: string): string | undefined {
  const name = /stack reference "([^"/]+\/[^"/]+\/([^"/]+))" is not available: deploy\/plan/.exec(message);
  return name !== null && name[2] !== env ? name[1] : undefined;
}

async function plan(request: PlanRequest): Promise<PlanResponse> {
  // The SDK formats a stack trace for every promise it makes, for a leak report at exit: a quarter
  // of a large stack's CPU (50 apps). Resources take their source position with a limit of their
  // own, and the plan reports errors by message, so the traces are not formatted while it runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    await preloaded;
    const result = await runStackProgram({
      stackDir: request.stackDir,
      program: request.program,
      env: request.env,
      stackReferences: resolveReference(request),
      organization: PLAN_ORGANIZATION,
      ...(request.apps !== undefined && { apps: request.apps }),
    });
    return {
      ok: true,
      project: result.project,
      org: PLAN_ORGANIZATION,
      resources: result.resources,
      outputs: result.outputs,
      rawOutputs: result.rawOutputs,
      appsScoped: result.appsScoped,
      ...usage(),
    };
  } catch (error) {
    return {
      ok: false,
      message: messageOf(error),
      missingOutput: error instanceof StackProgramError ? error.missingOutput : undefined,
      missingReference: otherEnvironmentReference(messageOf(error), request.env),
      ...usage(),
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

process.once('message', (request: PlanRequest) => {
  void plan(request).then((response) => {
    // Exit once the answer is flushed: a program may leave timers or handles behind.
    process.send?.(response, () => process.exit(0));
  });
});
