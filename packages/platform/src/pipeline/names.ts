import { stagesFor, type Stage, type StageEntry } from '@signet/buildspec';
import { StageGrant } from '@signet/policies';
import { environmentTraits, type Environment } from '../environment.js';
import { physicalName } from '../naming.js';

/** An app's pipeline (CodePipeline) name: `signet-<env>-<app>`. */
export function pipelineName(environment: Environment, app: string): string {
  return physicalName(environment, app);
}

/** The CodeBuild project of one stage of an app: `signet-<env>-<app>-<slug>`. */
export function stageProjectName(environment: Environment, app: string, entry: StageEntry<Stage>): string {
  return physicalName(environment, `${app}-${entry.slug}`);
}

/** The IAM role of one stage of an app: `signet-<env>-<app>-<roleSuffix>`. */
export function stageRoleName(environment: Environment, app: string, entry: StageEntry<Stage>): string {
  return physicalName(environment, `${app}-${entry.roleSuffix}`);
}

/** The IAM role CodePipeline runs an app's pipeline with: `signet-<env>-<app>-pipeline`. */
export function pipelineRoleName(environment: Environment, app: string): string {
  return physicalName(environment, `${app}-pipeline`);
}

/**
 * The roles whose sessions sign in an environment's pipelines: the role of every stage whose
 * catalog entry grants `SignWithProfile`, for every app.
 */
export function signingStageRoleNames(environment: Environment, apps: readonly string[]): string[] {
  const signing = stagesFor(environmentTraits(environment)).filter((entry) =>
    entry.roleGrants.includes(StageGrant.SignWithProfile),
  );
  return apps.flatMap((app) => signing.map((entry) => stageRoleName(environment, app, entry))).sort();
}

/** The roles CodePipeline starts an environment's builds with: every app's pipeline role. */
export function pipelineRoleNames(environment: Environment, apps: readonly string[]): string[] {
  return apps.map((app) => pipelineRoleName(environment, app)).sort();
}
