import { assertArn, assertRegion } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import {
  IAM_POLICY_VERSION,
  policyDocument,
  resourcePolicyDocument,
  type IamPolicyDocument,
  type IamResourcePolicyDocument,
  type IamTrustPolicyDocument,
  type KmsKeyServiceGrant,
} from '../iam/document.js';
import { assertRegionalScope, logGroupArn, type RegionalScope } from '../iam/scope.js';

/** Input of {@link buildSigningGuardRolePolicy}. */
export interface SigningGuardRolePolicyInput extends RegionalScope {
  /** The guard function's log group name (`/signet/<env>/signing-guard`). */
  readonly logGroupName: string;
  /** The security topic the guard publishes to. */
  readonly topicArn: string;
  /** The guard's KMS key: the topic's, the dead-letter queue's and the log group's. */
  readonly keyArn: string;
  /** The queue of events the guard failed on (its on-failure destination). */
  readonly deadLetterQueueArn: string;
  /** Prefix of the environment's CodeBuild project names (`signet-<env>-`). */
  readonly projectPrefix: string;
}

const PROJECT_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

function assertQueueArn(value: string, field: string): void {
  const parts = value.split(':');
  if (
    parts.length !== 6 ||
    parts[0] !== 'arn' ||
    parts[2] !== 'sqs' ||
    !/^[\w-]{1,80}$/.test(parts[5] ?? '')
  ) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: 'an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<queue name>)',
    });
  }
  assertRegion(parts[3] ?? '', field);
}

/**
 * The guard function's identity policy, and nothing beyond what its answers need:
 * - `signer:RevokeSignature` and `signer:DescribeSigningJob` act on signing jobs, whose ARN
 *   (`…:/signing-jobs/<id>`) names no profile, and take no condition key that names one (only
 *   `signer:ProfileVersion`): IAM cannot narrow them to the environment's profiles, so the
 *   function reads the job first and revokes only jobs of the environment's profiles;
 * - `signer:ListSigningJobs` has no resource type (see `RESOURCE_WILDCARD_ACTIONS`);
 * - `codebuild:StopBuild`/`StopBuildBatch` on the environment's projects only;
 * - `sns:Publish` to the security topic, the KMS data key calls its encryption and the
 *   dead-letter queue's need, `sqs:SendMessage` to that queue, and its own log streams.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssigner.html#awssigner-actions-as-permissions
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
export function buildSigningGuardRolePolicy(input: SigningGuardRolePolicyInput): IamPolicyDocument {
  const partition = assertRegionalScope(input);
  const topic = assertArn(input.topicArn, 'snsTopic', 'topicArn');
  const key = assertArn(input.keyArn, 'kmsKey', 'keyArn');
  assertQueueArn(input.deadLetterQueueArn, 'deadLetterQueueArn');
  for (const [field, parts] of [
    ['topicArn', topic],
    ['keyArn', key],
  ] as const) {
    if (parts.account !== input.accountId || parts.region !== input.region) {
      throw new PolicyInputError({
        path: field,
        value: input[field],
        allowed: `a resource of account ${input.accountId} in ${input.region}`,
      });
    }
  }
  if (!PROJECT_PREFIX.test(input.projectPrefix)) {
    throw new PolicyInputError({
      path: 'projectPrefix',
      value: input.projectPrefix,
      allowed: 'the start of a CodeBuild project name ([A-Za-z0-9][A-Za-z0-9_-]*)',
    });
  }
  const scope = `${input.region}:${input.accountId}`;
  return policyDocument([
    {
      Sid: 'RevokeSigningJobs',
      Effect: 'Allow',
      Action: ['signer:DescribeSigningJob', 'signer:RevokeSignature'],
      Resource: [`arn:${partition}:signer:${scope}:/signing-jobs/*`],
    },
    {
      Sid: 'FindSigningJobs',
      Effect: 'Allow',
      Action: ['signer:ListSigningJobs'],
      Resource: ['*'],
    },
    {
      Sid: 'StopEnvironmentBuilds',
      Effect: 'Allow',
      Action: ['codebuild:StopBuild', 'codebuild:StopBuildBatch'],
      Resource: [`arn:${partition}:codebuild:${scope}:project/${input.projectPrefix}*`],
    },
    { Sid: 'PublishSecurityTopic', Effect: 'Allow', Action: ['sns:Publish'], Resource: [input.topicArn] },
    {
      Sid: 'SendDeadLetters',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: [input.deadLetterQueueArn],
    },
    {
      Sid: 'UseGuardKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [input.keyArn],
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroupArn(input, input.logGroupName)}:log-stream:*`],
    },
  ]);
}

/**
 * Trust policy of the guard function's execution role: Lambda only. Lambda documents no
 * `aws:SourceArn`/`aws:SourceAccount` for assuming an execution role, so a condition on them could
 * stop the function from starting; who can hand the role to a function is IAM's `iam:PassRole`.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 */
export function buildLambdaTrustPolicy(): IamTrustPolicyDocument {
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'LambdaAssumesExecutionRole',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: ['sts:AssumeRole'],
      },
    ],
  };
}

/** Input of {@link buildGuardDeadLetterQueuePolicy} and {@link eventsDeadLetterKeyGrant}. */
export interface GuardDeadLetterInput {
  readonly accountId: string;
  /** The queue. */
  readonly queueArn: string;
  /** The EventBridge rules whose undeliverable events the queue takes. */
  readonly ruleArns: readonly string[];
}

function checkRules(ruleArns: readonly string[]): string[] {
  if (ruleArns.length === 0) {
    throw new PolicyInputError({ path: 'ruleArns', value: [], allowed: 'at least one EventBridge rule ARN' });
  }
  ruleArns.forEach((arn, i) => {
    if (!/^arn:aws(-[a-z]+)*:events:[a-z0-9-]+:\d{12}:rule\/[\w.-]{1,64}$/.test(arn)) {
      throw new PolicyInputError({
        path: `ruleArns[${i}]`,
        value: arn,
        allowed:
          'an EventBridge rule ARN on the default bus (arn:<partition>:events:<region>:<account>:rule/<name>)',
      });
    }
  });
  return [...ruleArns];
}

/**
 * The dead-letter queue's policy: EventBridge may send the events it could not deliver to the
 * function, for the guard's rules only (the function's own failures reach the queue through its
 * execution role). https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export function buildGuardDeadLetterQueuePolicy(input: GuardDeadLetterInput): IamResourcePolicyDocument {
  assertQueueArn(input.queueArn, 'queueArn');
  return resourcePolicyDocument([
    {
      Sid: 'EventBridgeDeadLetters',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: input.queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': checkRules(input.ruleArns) } },
    },
  ]);
}

/**
 * Lets EventBridge encrypt what it sends to the KMS-encrypted dead-letter queue, for the guard's
 * rules only. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export function eventsDeadLetterKeyGrant(input: Pick<GuardDeadLetterInput, 'ruleArns'>): KmsKeyServiceGrant {
  return {
    sid: 'EventBridgeEncryptsDeadLetters',
    service: 'events.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    condition: { ArnEquals: { 'aws:SourceArn': checkRules(input.ruleArns) } },
  };
}
