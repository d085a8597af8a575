import { assertAccountId } from '../arn.js';
import { PolicyInputError } from '../errors.js';

/**
 * The CloudTrail events of Signer that make a signature: `SignPayload` (what the Notation plugin
 * calls) and `StartSigningJob` (the S3-based signing of the other platforms). Both are write
 * management events: CloudTrail lists no data-event resource type for Signer, so a trail that
 * records write management events records them.
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-signer.html
 */
export const SIGNING_EVENT_NAMES = ['SignPayload', 'StartSigningJob'] as const;

/**
 * The CodeBuild calls that run a stage project: a new build or batch, or a retry of one. The
 * pipeline starts builds with `StartBuild` (and never retries them itself: a stage retry in
 * CodePipeline is a new `StartBuild`).
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-codebuild.html
 */
export const BUILD_START_EVENT_NAMES = ['StartBuild', 'StartBuildBatch'] as const;
export const BUILD_RETRY_EVENT_NAMES = ['RetryBuild', 'RetryBuildBatch'] as const;

/** The `detail-type` of every API call EventBridge receives from CloudTrail. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * EventBridge's default quota of an event pattern's size, in characters (adjustable to 4096 by a
 * quota increase). https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
export const EVENT_PATTERN_MAX_CHARACTERS = 2048;

/** IAM role names: 1 to 64 characters of `[\w+=,.@-]`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PROFILE_PREFIX = /^[a-zA-Z0-9_]{1,63}$/;
const PROJECT_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

/** Input of {@link buildSigningEventPattern} and {@link buildBuildEventPattern}. */
export interface GuardPatternInput {
  /** The account whose roles are the pipeline's (the account the rule lives in). */
  readonly accountId: string;
  /** AWS region of the projects (the rule's region). */
  readonly region: string;
  /** AWS partition, e.g. `aws`. */
  readonly partition: string;
}

/**
 * Input of the environment's catch-all patterns ({@link buildSigningEventPattern},
 * {@link buildBuildEventPattern}): every role of the environment is named `<rolePrefix>…`.
 */
export interface CatchAllPatternInput extends GuardPatternInput {
  /** Prefix of every IAM role name of the environment (`signet-<env>-`). */
  readonly rolePrefix: string;
}

/** Input of {@link buildSigningEventPattern}. */
export interface SigningEventPatternInput extends CatchAllPatternInput {
  /** Prefix of every signing profile name of the environment (`signingProfilePrefix`). */
  readonly profilePrefix: string;
}

/** Input of {@link buildBuildEventPattern}. */
export interface BuildEventPatternInput extends CatchAllPatternInput {
  /** Prefix of every CodeBuild project name of the environment (`signet-<env>-`). */
  readonly projectPrefix: string;
}

/** Input of {@link buildAppSigningEventPattern}: one app. */
export interface AppSigningEventPatternInput extends GuardPatternInput {
  /** Every signing profile name of the app (pipeline, release and extra identities). */
  readonly profileNames: readonly string[];
  /** Names of the app's roles whose sessions sign in its pipeline (its signing stages' roles). */
  readonly signingRoleNames: readonly string[];
}

/** Input of {@link buildAppBuildEventPattern}: one app. */
export interface AppBuildEventPatternInput extends GuardPatternInput {
  /** The names of the app's stage projects. */
  readonly projectNames: readonly string[];
  /** The start of every project name of the app (`signet-<env>-<app>-`). */
  readonly projectPrefix: string;
  /** The role the app's pipeline starts its builds with. */
  readonly pipelineRoleName: string;
}

/** An EventBridge event pattern (JSON). */
export type EventPattern = { readonly [key: string]: unknown };
/** One value of a pattern's list: an exact string, or a filter (`prefix`, `suffix`, `wildcard`, …). */
type PatternValue = string | EventPattern;

function checkRoleNames(names: readonly string[], field: string): string[] {
  names.forEach((name, i) => {
    if (!ROLE_NAME.test(name)) {
      throw new PolicyInputError({
        path: `${field}[${i}]`,
        value: name,
        allowed: 'an IAM role name (1 to 64 characters of letters, digits and +=,.@_-)',
      });
    }
  });
  return [...new Set(names)].sort();
}

const PROFILE_NAME = /^[a-zA-Z0-9_]{2,64}$/;
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

function checkNames(names: readonly string[], field: string, test: RegExp, allowed: string): string[] {
  if (names.length === 0) {
    throw new PolicyInputError({ path: field, value: [], allowed: `at least one: ${allowed}` });
  }
  names.forEach((name, i) => {
    if (!test.test(name)) throw new PolicyInputError({ path: `${field}[${i}]`, value: name, allowed });
  });
  return [...new Set(names)].sort();
}

/**
 * Matches unless the call was made by a session of a role of `accountId` that `userName` does
 * not match: CloudTrail writes an assumed-role session as `userIdentity.type` `AssumedRole` with
 * `sessionContext.sessionIssuer` naming the role (`userName`, without its path; role names are
 * unique in an account whatever the path) and its account. An IAM user, the root user, a
 * federated user or another account's role matches, and so does an identity with no session
 * issuer at all (`exists: false`: `anything-but` alone never matches a missing field).
 * `userName` is the last clause: the roles whose sessions are left alone, by exact name
 * (`anything-but` a list) or by prefix (`anything-but` `{prefix}`).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
function notSessionOf(accountId: string, userName: EventPattern): EventPattern {
  const issuer = (filter: EventPattern): EventPattern => ({
    userIdentity: { sessionContext: { sessionIssuer: filter } },
  });
  return {
    $or: [
      issuer({ userName: [{ exists: false }] }),
      issuer({ accountId: [{ 'anything-but': [accountId] }] }),
      issuer({ type: [{ 'anything-but': ['Role'] }] }),
      issuer({ userName: [userName] }),
    ],
  };
}

function checkSize(pattern: EventPattern, what: string, count: number, unit: string): EventPattern {
  const size = JSON.stringify(pattern).length;
  if (size > EVENT_PATTERN_MAX_CHARACTERS) {
    throw new PolicyInputError({
      path: what,
      value: `${size} characters for ${count} ${unit}`,
      allowed: `an event pattern of at most ${EVENT_PATTERN_MAX_CHARACTERS} characters (EventBridge's default quota; fewer names, or raise the quota and this limit together)`,
    });
  }
  return pattern;
}

function checkScope(input: GuardPatternInput): void {
  assertAccountId(input.accountId, 'accountId');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(input.region)) {
    throw new PolicyInputError({ path: 'region', value: input.region, allowed: 'an AWS region code' });
  }
  if (!/^aws(-[a-z]+)*$/.test(input.partition)) {
    throw new PolicyInputError({ path: 'partition', value: input.partition, allowed: 'an AWS partition' });
  }
}

function checkRolePrefix(prefix: string): string {
  if (!/^[\w+=,.@-]{1,63}$/.test(prefix)) {
    throw new PolicyInputError({
      path: 'rolePrefix',
      value: prefix,
      allowed: 'the start of an IAM role name (1 to 63 characters of letters, digits and +=,.@_-)',
    });
  }
  return prefix;
}

/** The start of every CodeBuild ARN of the scope: `arn:<partition>:codebuild:<region>:<account>:`. */
const arn = (input: GuardPatternInput): string =>
  `arn:${input.partition}:codebuild:${input.region}:${input.accountId}:`;

function signingPattern(profileName: PatternValue[], notPipeline: EventPattern): EventPattern {
  return {
    source: ['aws.signer'],
    'detail-type': [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: ['signer.amazonaws.com'],
      eventName: [...SIGNING_EVENT_NAMES],
      requestParameters: { profileName },
      ...notPipeline,
    },
  };
}

/**
 * The CodeBuild pattern: a start (`StartBuild`, `StartBuildBatch`) naming a project in
 * `requestParameters.projectName` (a name, or an ARN for shared projects), or a retry
 * (`RetryBuild`, `RetryBuildBatch`) naming a build in `requestParameters.id` (build ids are
 * `<project>:<uuid>`, ARNs `…:build/<project>:<uuid>`, batches `…:build-batch/<project>:<uuid>`),
 * by `notPipeline`. A start has no `id` and a retry no `projectName`, so one `$or` over the two
 * request members is exact, and `notPipeline` is written once.
 */
function buildPattern(
  projectName: PatternValue[],
  id: PatternValue[],
  notPipeline: EventPattern,
): EventPattern {
  return {
    source: ['aws.codebuild'],
    'detail-type': [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: ['codebuild.amazonaws.com'],
      eventName: [...BUILD_START_EVENT_NAMES, ...BUILD_RETRY_EVENT_NAMES],
      requestParameters: { $or: [{ projectName }, { id }] },
      ...notPipeline,
    },
  };
}

/**
 * One app's signatures made outside its pipeline: a `SignPayload` or `StartSigningJob` on one of
 * the app's own profiles (exact names) by any identity other than a session of one of THAT app's
 * signing-stage roles. Another app's signing role signing with this app's profile matches.
 */
export function buildAppSigningEventPattern(input: AppSigningEventPatternInput): EventPattern {
  checkScope(input);
  const profiles = checkNames(
    input.profileNames,
    'profileNames',
    PROFILE_NAME,
    'a signing profile name (2 to 64 characters of [a-zA-Z0-9_])',
  );
  const roles = checkRoleNames(input.signingRoleNames, 'signingRoleNames');
  if (roles.length === 0) {
    throw new PolicyInputError({
      path: 'signingRoleNames',
      value: [],
      allowed: "at least one role name: the app's signing-stage roles",
    });
  }
  return checkSize(
    signingPattern(profiles, notSessionOf(input.accountId, { 'anything-but': roles })),
    'profileNames',
    profiles.length + roles.length,
    'profile and role names',
  );
}

/**
 * One app's builds that its pipeline did not start: a `StartBuild`/`StartBuildBatch` of one of the
 * app's stage projects or a `RetryBuild`/`RetryBuildBatch` of one of their builds, by any identity
 * other than a session of the app's pipeline role. Names and build ids are matched exactly; ARNs by
 * the app's project prefix (`signet-<env>-<app>-`), since an ARN per project and form would not fit
 * the size quota for long app names. That prefix also covers the projects of an app whose name
 * starts with `<app>-`: the function decides on the exact name, so that is only an invocation more.
 * No `wildcard` filter: EventBridge allows 30 rules with wildcards per bus, not adjustable. Overrides are not part
 * of the pattern: the pipeline itself starts builds with overrides (`environmentVariablesOverride`
 * and the source of its artifacts), and a direct build without overrides is out of the pipeline
 * just the same.
 */
export function buildAppBuildEventPattern(input: AppBuildEventPatternInput): EventPattern {
  checkScope(input);
  const projects = checkNames(
    input.projectNames,
    'projectNames',
    PROJECT_NAME,
    'a CodeBuild project name (2 to 255 characters of [A-Za-z0-9_-], starting with a letter or digit)',
  );
  const [role] = checkRoleNames([input.pipelineRoleName], 'pipelineRoleName');
  const appPrefix = input.projectPrefix;
  projects.forEach((name, i) => {
    if (!name.startsWith(appPrefix) || !PROJECT_PREFIX.test(appPrefix)) {
      throw new PolicyInputError({
        path: `projectNames[${i}]`,
        value: name,
        allowed: `a project name starting with the app's projectPrefix "${appPrefix}"`,
      });
    }
  });
  return checkSize(
    buildPattern(
      // The name, or an ARN of a project of the app (`…:project/<appPrefix>…`).
      [...projects, { prefix: `${arn(input)}project/${appPrefix}` }],
      // A build id `<name>:<uuid>`, or the ARN of a build or batch of a project of the app
      // (`…:build/<appPrefix>…`, `…:build-batch/<appPrefix>…`).
      [
        ...projects.map((p) => ({ prefix: `${p}:` })),
        { prefix: `${arn(input)}build/${appPrefix}` },
        { prefix: `${arn(input)}build-batch/${appPrefix}` },
      ],
      notSessionOf(input.accountId, { 'anything-but': [role] }),
    ),
    'projectNames',
    projects.length,
    'projects',
  );
}

/**
 * The environment's catch-all of signatures: a `SignPayload` or `StartSigningJob` on any profile
 * named with the environment's prefix (profiles of removed apps and earlier generations included)
 * by any identity other than a session of one of the environment's roles (`rolePrefix`). What it
 * leaves to the per-app rules: a role of the environment signing with a profile of the
 * environment; for a removed app's profile, no per-app rule remains.
 */
export function buildSigningEventPattern(input: SigningEventPatternInput): EventPattern {
  checkScope(input);
  if (!PROFILE_PREFIX.test(input.profilePrefix)) {
    throw new PolicyInputError({
      path: 'profilePrefix',
      value: input.profilePrefix,
      allowed: 'the start of a signing profile name (1 to 63 characters of [a-zA-Z0-9_])',
    });
  }
  const rolePrefix = checkRolePrefix(input.rolePrefix);
  return checkSize(
    signingPattern(
      [{ prefix: input.profilePrefix }],
      notSessionOf(input.accountId, { 'anything-but': { prefix: rolePrefix } }),
    ),
    'profilePrefix',
    1,
    'prefix',
  );
}

/**
 * The environment's catch-all of builds: a start of any project named with the environment's
 * prefix, or a retry of one of their builds, by any identity other than a session of one of the
 * environment's roles (`rolePrefix`).
 */
export function buildBuildEventPattern(input: BuildEventPatternInput): EventPattern {
  checkScope(input);
  if (!PROJECT_PREFIX.test(input.projectPrefix)) {
    throw new PolicyInputError({
      path: 'projectPrefix',
      value: input.projectPrefix,
      allowed: 'the start of a CodeBuild project name ([A-Za-z0-9][A-Za-z0-9_-]*)',
    });
  }
  const rolePrefix = checkRolePrefix(input.rolePrefix);
  const prefix = input.projectPrefix;
  return checkSize(
    buildPattern(
      [{ prefix }, { prefix: `${arn(input)}project/${prefix}` }],
      [
        { prefix },
        { prefix: `${arn(input)}build/${prefix}` },
        { prefix: `${arn(input)}build-batch/${prefix}` },
      ],
      notSessionOf(input.accountId, { 'anything-but': { prefix: rolePrefix } }),
    ),
    'projectPrefix',
    1,
    'prefix',
  );
}
