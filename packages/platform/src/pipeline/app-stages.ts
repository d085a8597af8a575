import {
  buildspecHeader,
  inputsFor,
  renderStage,
  stagesFor,
  type Environment as BuildspecEnvironment,
  type Stage,
  type StageEntry,
} from '@signet/buildspec';
import type { DiscoveredApp } from '../apps.js';
import { environmentTraits, type Environment } from '../environment.js';
import { logGroupName } from '../naming.js';
import { STAGE_SLUG } from './stages.js';

/** The stages of an environment's pipeline, from the stage catalog and the environment's traits. */
export function pipelineStages(environment: Environment): readonly StageEntry<Stage>[] {
  return stagesFor(environmentTraits(environment));
}

/** The log group of one stage of one app: `/signet/<env>/pipeline/<app>/<stage>`. */
export function stageLogGroupName(environment: Environment, app: string, stage: Stage): string {
  return `${appLogGroupPrefix(environment, app)}${STAGE_SLUG[stage]}`;
}

/** The prefix of every stage log group of an app: `/signet/<env>/pipeline/<app>/`. */
export function appLogGroupPrefix(environment: Environment, app: string): string {
  return `${logGroupName(environment, 'pipeline')}/${app}/`;
}

/**
 * The buildspec of each stage, rendered by `@signet/buildspec` exactly as the committed
 * `buildspecs/<app>/<env>/` files (same inputs, same header).
 */
export function renderAppBuildspecs(
  app: DiscoveredApp,
  environment: Environment,
): Partial<Record<Stage, string>> {
  const declaration = {
    name: app.name,
    namespace: app.namespace,
    port: app.port,
    environments: app.environments,
    manifests: app.manifests,
  };
  const inputs = inputsFor({ directory: app.directory, declaration }, environment as BuildspecEnvironment);
  return Object.fromEntries(
    pipelineStages(environment).map(({ name: stage }) => [
      stage,
      renderStage(stage, inputs, buildspecHeader(stage, app.name, environment)),
    ]),
  );
}
