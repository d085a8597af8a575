import { pipelineRoleName, type Environment } from '@signet/core';
import { buildGuardrails, type Guardrails } from '@signet/policies';
import { signerRoleNames } from './ecr/repository-access.js';

/** Where an environment's guardrails apply. */
export interface GuardrailScope {
  /** The environment's account; default `*` (every account of the OU the SCP is attached to). */
  readonly accountId?: string;
  /** AWS partition; default `aws`. */
  readonly partition?: string;
}

/**
 * The SCP and permissions boundary of an environment for the given apps (those deployed there):
 * the pipeline roles and signing stage roles they exempt are named exactly as the signing-pipeline
 * stack names them.
 */
export function environmentGuardrails(
  environment: Environment,
  apps: readonly string[],
  scope: GuardrailScope = {},
): Guardrails {
  return buildGuardrails({
    environment,
    ...(scope.accountId !== undefined && { accountId: scope.accountId }),
    ...(scope.partition !== undefined && { partition: scope.partition }),
    pipelineRoleNames: apps.map((app) => pipelineRoleName(environment, app)),
    signerRoleNames: apps.flatMap((app) => signerRoleNames(environment, app)),
  });
}
