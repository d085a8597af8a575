import { ACCOUNT_ID } from './accounts.js';
import type { Environment } from './environments.js';

const ROLE = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

function checkRole(role: string, what: string): void {
  if (!ROLE.test(role)) {
    throw new Error(
      `${what} "${role}" is invalid; allowed: lowercase letters, digits and "-", starting with a letter and not ending with "-"`,
    );
  }
}

/**
 * The physical name of an environment-scoped resource: `signet-<env>-<role>`. Every physical name
 * in Signet comes from this module so two environments in one account never collide.
 */
export function physicalName(environment: Environment, role: string): string {
  checkRole(role, 'resource role');
  return `${physicalNamePrefix(environment)}${role}`;
}

/** What every physical name of an environment starts with: `signet-<env>-`. */
export function physicalNamePrefix(environment: Environment): string {
  return `signet-${environment}-`;
}

/**
 * The CodePipeline of an app in an environment: `signet-<env>-<app>`. CodeBuild reports a build
 * that pipeline started with `CODEBUILD_INITIATOR=codepipeline/<this name>`, which every stage
 * buildspec requires.
 */
export function pipelineName(environment: Environment, app: string): string {
  checkRole(app, 'app name');
  return physicalName(environment, app);
}

/** The IAM role CodePipeline runs an app's pipeline as (it starts the stage builds): `signet-<env>-<app>-pipeline`. */
export function pipelineRoleName(environment: Environment, app: string): string {
  checkRole(app, 'app name');
  return physicalName(environment, `${app}-pipeline`);
}

/** The CodeBuild project of one stage of an app: `signet-<env>-<app>-<slug>` (the slug is the stage catalog's). */
export function stageProjectName(environment: Environment, app: string, slug: string): string {
  checkRole(app, 'app name');
  checkRole(slug, 'stage slug');
  return physicalName(environment, `${app}-${slug}`);
}

/** The IAM role of one stage of an app: `signet-<env>-<app>-<roleSuffix>` (the suffix is the stage catalog's). */
export function stageRoleName(environment: Environment, app: string, roleSuffix: string): string {
  checkRole(app, 'app name');
  checkRole(roleSuffix, 'stage role suffix');
  return physicalName(environment, `${app}-${roleSuffix}`);
}

/**
 * The IAM role that alone may approve (`codepipeline:PutApprovalResult`) the manual approvals of
 * an environment's pipelines: `signet-<env>-pipeline-approver`. Signet does not create it (who
 * approves is the organisation's choice); the guardrails deny approval to every other principal.
 */
export function approverRoleName(environment: Environment): string {
  return physicalName(environment, 'pipeline-approver');
}

/**
 * The IAM role that deploys an environment's stacks (`pulumi up`, the CI role of
 * `.github/workflows/stacks.yml`): `signet-<env>-deployer`. The guardrails leave it the project,
 * profile and pipeline changes a deployment makes, and deny them to everyone else.
 */
export function deployerRoleName(environment: Environment): string {
  return physicalName(environment, 'deployer');
}

/**
 * The IAM role GitHub Actions deploys an environment with (OIDC, `.github/workflows/stacks.yml`,
 * docs/deploy.md): `signet-<env>-github-deploy`. It runs `up` of the stacks that need no private
 * endpoint and starts the deployer project for the others, so the guardrails leave it the same
 * changes as the deployer.
 */
export function githubDeployRoleName(environment: Environment): string {
  return physicalName(environment, 'github-deploy');
}

/**
 * An IAM name pattern (`*`: any run of characters) for every name of one kind in an environment,
 * apps added later included: the physical names (`signet-<env>-*`) or the signing profile names
 * (`signet_<env>_*`, every generation).
 */
export function environmentNamePattern(environment: Environment, kind: 'physical' | 'profile'): string {
  return `${kind === 'physical' ? physicalNamePrefix(environment) : signingProfilePrefix(environment)}*`;
}

/** S3 bucket names: 3 to 63 characters (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const BUCKET_NAME_MAX = 63;

/**
 * A fixed bucket name `signet-<env>-<role>-<account>-<region>`: bucket names are global, so the
 * account and Region make it unique. `what` names the bucket in the errors.
 */
function accountBucketName(
  environment: Environment,
  role: string,
  accountId: string,
  region: string,
  what: string,
): string {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new Error(`${what}: account id "${accountId}" is invalid; allowed: 12 digits`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`${what}: region "${region}" is invalid; allowed: an AWS Region code such as eu-west-1`);
  }
  const name = `${physicalName(environment, role)}-${accountId}-${region}`;
  if (name.length > BUCKET_NAME_MAX) {
    throw new Error(
      `${what}: bucket name ${name} has ${name.length} characters; allowed: at most ${BUCKET_NAME_MAX} (shorten ${role} by ${name.length - BUCKET_NAME_MAX})`,
    );
  }
  return name;
}

/**
 * The signer stack's bucket that mirrors the verified AWS Signer plugin builds:
 * `signet-<env>-signer-plugin-<account>-<region>`. S3 bucket names are global, so the account and
 * region make it unique; a fixed name (not a generated suffix) lets `signet mirror-plugin` find it
 * from the caller's account and region alone. At most 63 characters, as S3 allows
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function pluginMirrorBucketName(environment: Environment, accountId: string, region: string): string {
  return accountBucketName(environment, 'signer-plugin', accountId, region, 'plugin mirror bucket');
}

/** The KMS alias of an environment-scoped key: `alias/signet-<env>-<role>`. */
export function kmsAliasName(environment: Environment, role: string): string {
  return `alias/${physicalName(environment, role)}`;
}

/**
 * The artifact bucket of an app's pipeline: `signet-<env>-<app>-<account>-<region>`. Bucket names
 * are global, so the account and Region make it unique; it is fixed (not a generated suffix) because
 * the previous environment's pipeline writes the promotion request into it, and its policies name it
 * before this environment is deployed.
 */
export function artifactBucketName(
  environment: Environment,
  app: string,
  accountId: string,
  region: string,
): string {
  checkRole(app, 'app name');
  return accountBucketName(environment, app, accountId, region, `artifact bucket of ${app}`);
}

/** A CloudWatch log group name: `/signet/<env>/<role>`. */
export function logGroupName(environment: Environment, role: string): string {
  checkRole(role, 'log group role');
  return `/signet/${environment}/${role}`;
}

/** An app's ECR repository name: `signet-<env>/<app>`. */
export function repositoryName(environment: Environment, app: string): string {
  checkRole(app, 'app name');
  return `signet-${environment}/${app}`;
}

/** AWS Signer profile names: https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html */
export const SIGNING_PROFILE_NAME = /^[a-zA-Z0-9_]{2,64}$/;

/**
 * The generation of an environment's signing profiles. Signer keeps a canceled or revoked profile's
 * name reserved, so an environment re-created after a decommission needs new names: generation 1
 * (the first) adds nothing, generation N > 1 adds the segment `_<N>` after the environment.
 */
export const FIRST_GENERATION = 1;

/**
 * The prefix every signing profile name of an environment starts with, of every generation:
 * `signet_<env>_`. Environment names hold no "_", so no other environment's names start with it.
 */
export function signingProfilePrefix(environment: Environment): string {
  return `signet_${environment}_`;
}

/**
 * The AWS Signer profile name of one signing identity of an app in an environment:
 * `signet_<env>_<app>` for the pipeline identity, `signet_<env>_<app>_<identity>` for others, with
 * `_<generation>` after the environment from the second generation on (`signet_prod_2_<app>`; app
 * and identity names start with a letter, so that segment is never part of them). Hyphens become
 * underscores (Signer allows `[a-zA-Z0-9_]{2,64}` only); a name over 64 characters is an error,
 * never silently truncated, because the name is the identity the cluster trusts.
 */
export function signingProfileName(
  environment: Environment,
  app: string,
  identity?: string,
  generation: number = FIRST_GENERATION,
): string {
  checkRole(app, 'app name');
  if (identity !== undefined) checkRole(identity, 'signing identity');
  if (!Number.isInteger(generation) || generation < FIRST_GENERATION) {
    throw new Error(`signing profile generation ${generation} is invalid; allowed: an integer from 1`);
  }
  const name = [
    'signet',
    environment,
    generation === FIRST_GENERATION ? undefined : String(generation),
    app,
    identity,
  ]
    .filter((part): part is string => part !== undefined)
    .join('_')
    .replaceAll('-', '_');
  if (!SIGNING_PROFILE_NAME.test(name)) {
    throw new Error(
      `signing profile name "${name}" (app "${app}"${identity === undefined ? '' : `, identity "${identity}"`}) ` +
        `is ${name.length} characters; allowed: ${SIGNING_PROFILE_NAME.source} (at most 64 characters): shorten the app or identity name`,
    );
  }
  return name;
}

/**
 * Throws when two signing identities of one environment map to the same profile name (for example
 * app "a-b" with identity "c" and app "a" with identity "b-c").
 */
export function assertUniqueProfileNames(
  entries: readonly { readonly name: string; readonly owner: string }[],
): void {
  const seen = new Map<string, string>();
  for (const { name, owner } of entries) {
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new Error(
        `signing profile name "${name}" is used by both ${previous} and ${owner}; names must be unique per environment`,
      );
    }
    seen.set(name, owner);
  }
}
