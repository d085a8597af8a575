import {
  appsForEnvironment,
  discoverApps,
  isEnvironment,
  loadStackConfig,
  PIPELINE_IDENTITY,
  planSigningIdentities,
  repositoryName,
  ENVIRONMENTS,
  FIRST_GENERATION,
  type Environment,
  type LoadedStackConfig,
} from '@signet/platform';
import { signerConfig } from '@signet/stack-signer/config';
import { CliError, ExitCode } from '../io.js';
import { readStackConfig, type StackConfigOwner } from './stack-config.js';

/** One signing profile of an environment, as the signer stack names it. */
export interface EnvironmentProfile {
  readonly app: string;
  readonly identity: string;
  readonly profileName: string;
}

/** What an environment holds, derived from the workspace exactly as the stacks derive it. */
export interface EnvironmentTargets {
  readonly environment: Environment;
  /** The signer stack's `generation` of profile names. */
  readonly generation: number;
  /** Per app deployed to the environment, its ECR repository name. */
  readonly repositories: readonly { readonly app: string; readonly repository: string }[];
  /** Every signing profile of the environment (pipeline identity first per app). */
  readonly profiles: readonly EnvironmentProfile[];
}

/** The signer stack's configuration, loaded as the signer stack loads it. */
const SIGNER: StackConfigOwner<LoadedStackConfig<typeof signerConfig.keys>> = {
  project: signerConfig.project,
  load: (source) => loadStackConfig(signerConfig, source),
};

/** Parses `--env`, naming the allowed values on a mistake. */
export function parseEnvironment(value: string): Environment {
  if (!isEnvironment(value)) {
    throw new CliError(
      `--env "${value}" is not an environment; allowed: ${ENVIRONMENTS.join(', ')}`,
      ExitCode.Usage,
    );
  }
  return value;
}

/**
 * The repositories and signing profiles of an environment: apps from the workspace's declarations,
 * extra identities from the signer stack's `Pulumi.<env>.yaml` (validated by the signer stack's
 * config), names from `@signet/platform`.
 */
export function environmentTargets(root: string, environment: Environment): EnvironmentTargets {
  // No signer config for the environment: the signer stack is not deployed there, so no extra identities.
  const signer = readStackConfig(root, environment, SIGNER)?.config.values;
  const extraIdentities = signer?.extraIdentities ?? [];
  const generation = signer?.generation ?? FIRST_GENERATION;
  let apps: string[];
  let profiles: EnvironmentProfile[];
  try {
    apps = appsForEnvironment(discoverApps(root), environment).map((app) => app.name);
    profiles = planSigningIdentities(environment, apps, extraIdentities, generation);
  } catch (error) {
    throw new CliError(
      `the workspace at ${root} does not describe environment ${environment}: ${(error as Error).message}`,
    );
  }
  return {
    environment,
    generation,
    repositories: apps.map((app) => ({ app, repository: repositoryName(environment, app) })),
    profiles: [...profiles].sort(
      (a, b) =>
        a.app.localeCompare(b.app) ||
        Number(b.identity === PIPELINE_IDENTITY) - Number(a.identity === PIPELINE_IDENTITY) ||
        a.identity.localeCompare(b.identity),
    ),
  };
}
