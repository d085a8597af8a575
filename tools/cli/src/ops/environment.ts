import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appsForEnvironment,
  discoverApps,
  isEnvironment,
  PIPELINE_IDENTITY,
  planSigningIdentities,
  repositoryName,
  ENVIRONMENTS,
  type Environment,
} from '@signet/platform';
import { parse } from 'yaml';
import { OpsError } from './errors.js';

/** One signing profile of an environment, as the signer stack names it. */
export interface EnvironmentProfile {
  readonly app: string;
  readonly identity: string;
  readonly profileName: string;
}

/** What an environment holds, derived from the workspace exactly as the stacks derive it. */
export interface EnvironmentTargets {
  readonly environment: Environment;
  /** Per app deployed to the environment, its ECR repository name. */
  readonly repositories: readonly { readonly app: string; readonly repository: string }[];
  /** Every signing profile of the environment (pipeline identity first per app). */
  readonly profiles: readonly EnvironmentProfile[];
}

/** The signer stack's config key holding the extra signing identities. */
const EXTRA_IDENTITIES_KEY = 'signet-signer:extraIdentities';

/** Parses `--env`, naming the allowed values on a mistake. */
export function parseEnvironment(value: string): Environment {
  if (!isEnvironment(value)) {
    throw new OpsError(`--env "${value}" is not an environment; allowed: ${ENVIRONMENTS.join(', ')}`, 2);
  }
  return value;
}

function extraIdentities(root: string, environment: Environment): string[] {
  const file = join(root, 'stacks', 'signer', `Pulumi.${environment}.yaml`);
  if (!existsSync(file)) return [];
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OpsError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const value = (doc as { config?: Record<string, unknown> } | null)?.config?.[EXTRA_IDENTITIES_KEY];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new OpsError(`${file}: key "${EXTRA_IDENTITIES_KEY}" must be a list of identity names`);
  }
  return value;
}

/**
 * The repositories and signing profiles of an environment: apps from the workspace's declarations,
 * extra identities from the signer stack's `Pulumi.<env>.yaml`, names from `@signet/platform`.
 */
export function environmentTargets(root: string, environment: Environment): EnvironmentTargets {
  let apps: string[];
  let profiles: EnvironmentProfile[];
  try {
    apps = appsForEnvironment(discoverApps(root), environment).map((app) => app.name);
    profiles = planSigningIdentities(environment, apps, extraIdentities(root, environment));
  } catch (error) {
    if (error instanceof OpsError) throw error;
    throw new OpsError(
      `the workspace at ${root} does not describe environment ${environment}: ${(error as Error).message}`,
    );
  }
  return {
    environment,
    repositories: apps.map((app) => ({ app, repository: repositoryName(environment, app) })),
    profiles: [...profiles].sort(
      (a, b) =>
        a.app.localeCompare(b.app) ||
        Number(b.identity === PIPELINE_IDENTITY) - Number(a.identity === PIPELINE_IDENTITY) ||
        a.identity.localeCompare(b.identity),
    ),
  };
}
