import { stagesFor, type Stage, type StageEntry } from '@signet/buildspec';
import { StageGrant } from '@signet/policies';
import { environmentTraits, type Environment } from '../environment.js';
import { pipelineRoleName, stageRoleName } from '../naming.js';

/** The IAM role of one stage of an app, from its catalog entry: `signet-<env>-<app>-<roleSuffix>`. */
export function stageEntryRoleName(environment: Environment, app: string, entry: StageEntry<Stage>): string {
  return stageRoleName(environment, app, entry.roleSuffix);
}

/**
 * The roles whose sessions sign in an environment's pipelines: the role of every stage whose
 * catalog entry grants `SignWithProfile`, for every app.
 */
export function signingStageRoleNames(environment: Environment, apps: readonly string[]): string[] {
  const signing = stagesFor(environmentTraits(environment)).filter((entry) =>
    entry.roleGrants.includes(StageGrant.SignWithProfile),
  );
  return apps.flatMap((app) => signing.map((entry) => stageEntryRoleName(environment, app, entry))).sort();
}

/** The roles CodePipeline starts an environment's builds with: every app's pipeline role. */
export function pipelineRoleNames(environment: Environment, apps: readonly string[]): string[] {
  return apps.map((app) => pipelineRoleName(environment, app)).sort();
}
