/**
 * Child process of `signet plan`: evaluates one stack program under the mock runtime and sends
 * the result to the parent. One stack per process, so no program module or Pulumi runtime state
 * is shared between stacks.
 */
import * as pulumi from '@pulumi/pulumi';
import { SHARED_NAMESPACE, type SHARED_CONFIG_KEYS } from '@signet/platform';
import {
  runStackProgram,
  StackProgramError,
  StackReferenceUnavailableError,
  messageOf,
} from '@signet/platform/testing';
import type { PlanRequest, PlanResponse } from './protocol.js';
import { stackProjectName } from './workspace.js';

/** The config key holding the Pulumi organization of every Signet stack. */
const ORG_KEY = `${SHARED_NAMESPACE}:${'org' satisfies keyof typeof SHARED_CONFIG_KEYS}`;

/** Peak memory and CPU time of this process, for the benchmark. */
function usage(): { maxRssKb: number; cpuMs: number } {
  const u = process.resourceUsage();
  return { maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 };
}

/** Answers a StackReference from the upstream outputs the parent passed in. */
function resolveReference(request: PlanRequest) {
  return (stackName: string): Record<string, unknown> | undefined => {
    const [org, project, env] = stackName.split('/');
    const upstream = request.upstreams.find((u) => u.project === project);
    if (!upstream || env !== request.env) {
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
          `"${upstream.org}/${upstream.project}/${request.env}" (its ${ORG_KEY})`,
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

async function plan(request: PlanRequest): Promise<PlanResponse> {
  try {
    const result = await runStackProgram({
      stackDir: request.stackDir,
      env: request.env,
      stackReferences: resolveReference(request),
    });
    return {
      ok: true,
      project: result.project,
      org: result.config.values[ORG_KEY],
      resources: result.resources,
      outputs: result.outputs,
      rawOutputs: result.rawOutputs,
      ...usage(),
    };
  } catch (error) {
    return {
      ok: false,
      message: messageOf(error),
      missingOutput: error instanceof StackProgramError ? error.missingOutput : undefined,
      ...usage(),
    };
  }
}

process.once('message', (request: PlanRequest) => {
  void plan(request).then((response) => {
    // Exit once the answer is flushed: a program may leave timers or handles behind.
    process.send?.(response, () => process.exit(0));
  });
});
