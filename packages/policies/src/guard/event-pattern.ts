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

/** Input of {@link buildSigningEventPattern}. */
export interface SigningEventPatternInput extends GuardPatternInput {
  /** Prefix of every signing profile name of the environment (`signingProfilePrefix`). */
  readonly profilePrefix: string;
  /** Names of the roles whose sessions sign in the pipeline (the signing stages' roles). */
  readonly signingRoleNames: readonly string[];
}

/** Input of {@link buildBuildEventPattern}. */
export interface BuildEventPatternInput extends GuardPatternInput {
  /** Prefix of every CodeBuild project name of the environment (`signet-<env>-`). */
  readonly projectPrefix: string;
  /** Names of the roles CodePipeline starts the builds with (the pipelines' roles). */
  readonly pipelineRoleNames: readonly string[];
}

/** An EventBridge event pattern (JSON). */
export type EventPattern = { readonly [key: string]: unknown };

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

/**
 * Matches unless the call was made by a session of one of `roleNames` in `accountId`: CloudTrail
 * writes an assumed-role session as `userIdentity.type` `AssumedRole` with
 * `sessionContext.sessionIssuer` naming the role (`userName`, without its path; role names are
 * unique in an account whatever the path) and its account. An IAM user, the root user, a
 * federated user or another account's role matches, and so does an identity with no session
 * issuer at all (`exists: false`: `anything-but` alone never matches a missing field).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
function notPipelineSession(accountId: string, roleNames: readonly string[]): EventPattern {
  const issuer = (filter: EventPattern): EventPattern => ({
    userIdentity: { sessionContext: { sessionIssuer: filter } },
  });
  const clauses: EventPattern[] = [
    issuer({ userName: [{ exists: false }] }),
    issuer({ accountId: [{ 'anything-but': [accountId] }] }),
    issuer({ type: [{ 'anything-but': ['Role'] }] }),
  ];
  // With no pipeline role (an environment without apps), every session issuer matches.
  clauses.push(
    issuer({ userName: roleNames.length === 0 ? [{ exists: true }] : [{ 'anything-but': [...roleNames] }] }),
  );
  return { $or: clauses };
}

function checkSize(pattern: EventPattern, what: string, count: number): EventPattern {
  const size = JSON.stringify(pattern).length;
  if (size > EVENT_PATTERN_MAX_CHARACTERS) {
    throw new PolicyInputError({
      path: what,
      value: `${size} characters for ${count} pipeline roles`,
      allowed: `an event pattern of at most ${EVENT_PATTERN_MAX_CHARACTERS} characters (EventBridge's default quota; fewer apps per environment, or raise the quota and this limit together)`,
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

/**
 * The pattern of signatures made outside the pipeline: a `SignPayload` or `StartSigningJob` on
 * any of the environment's signing profiles (`requestParameters.profileName` by prefix, so
 * profiles of removed apps and earlier generations are covered) by any identity other than a
 * session of a signing stage's role.
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
  const roles = checkRoleNames(input.signingRoleNames, 'signingRoleNames');
  return checkSize(
    {
      source: ['aws.signer'],
      'detail-type': [CLOUDTRAIL_API_CALL],
      detail: {
        eventSource: ['signer.amazonaws.com'],
        eventName: [...SIGNING_EVENT_NAMES],
        requestParameters: { profileName: [{ prefix: input.profilePrefix }] },
        ...notPipelineSession(input.accountId, roles),
      },
    },
    'signingRoleNames',
    roles.length,
  );
}

/**
 * The pattern of builds of the environment's projects that the pipeline did not start: any
 * `StartBuild`/`StartBuildBatch` of a project named with the environment's prefix, and any
 * `RetryBuild`/`RetryBuildBatch` of one of its builds (build ids are `<project>:<uuid>`, ARNs
 * `…:build/<project>:<uuid>`), by any identity other than a session of a pipeline role. Overrides
 * are not part of the pattern: the pipeline itself starts builds with overrides
 * (`environmentVariablesOverride` and the source of its artifacts), and a direct build without
 * overrides is out of the pipeline just the same.
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
  const roles = checkRoleNames(input.pipelineRoleNames, 'pipelineRoleNames');
  const notPipeline = notPipelineSession(input.accountId, roles);
  const projectArnPrefix = `arn:${input.partition}:codebuild:${input.region}:${input.accountId}:project/${input.projectPrefix}`;
  const buildArnPrefix = `arn:${input.partition}:codebuild:${input.region}:${input.accountId}:build/${input.projectPrefix}`;
  const batchArnPrefix = `arn:${input.partition}:codebuild:${input.region}:${input.accountId}:build-batch/${input.projectPrefix}`;
  return checkSize(
    {
      source: ['aws.codebuild'],
      'detail-type': [CLOUDTRAIL_API_CALL],
      detail: {
        eventSource: ['codebuild.amazonaws.com'],
        $or: [
          {
            eventName: [...BUILD_START_EVENT_NAMES],
            // A project is started by name, or by ARN (shared projects).
            requestParameters: {
              projectName: [{ prefix: input.projectPrefix }, { prefix: projectArnPrefix }],
            },
            ...notPipeline,
          },
          {
            eventName: [...BUILD_RETRY_EVENT_NAMES],
            requestParameters: {
              id: [{ prefix: input.projectPrefix }, { prefix: buildArnPrefix }, { prefix: batchArnPrefix }],
            },
            ...notPipeline,
          },
        ],
      },
    },
    'pipelineRoleNames',
    roles.length,
  );
}
