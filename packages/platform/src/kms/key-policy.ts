import type { KmsKeyServiceGrant } from '@signet/policies';
import {
  accountRootArn,
  assertAccountScope,
  assertScopedPrincipals,
  type AccountScope,
  type PolicyDocument,
  type ResourcePolicyStatement,
} from '../iam.js';

/**
 * A service allowed to use a key for its own encryption, scoped by a condition: the
 * `@signet/policies` grant, so the pipeline's grants built there go straight into a key policy.
 */
export type KmsServiceGrant = KmsKeyServiceGrant;

/** Inputs of {@link buildKmsKeyPolicy}. */
export interface KmsKeyPolicyInput extends AccountScope {
  readonly serviceGrants?: readonly KmsServiceGrant[];
}

/**
 * A key policy: the account's IAM policies govern use of the key (the AWS default key policy
 * statement; the principal is the account, never `*`), plus condition-scoped service grants.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function buildKmsKeyPolicy(input: KmsKeyPolicyInput): PolicyDocument<ResourcePolicyStatement> {
  assertAccountScope(input);
  const grants = input.serviceGrants ?? [];
  for (const grant of grants) {
    if (Object.keys(grant.condition).length === 0) {
      throw new Error(
        `KMS service grant "${grant.sid}" for ${grant.service} has no condition; allowed: a condition scoping the grant`,
      );
    }
  }
  const document: PolicyDocument<ResourcePolicyStatement> = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountIamPoliciesGovernKeyUse',
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(input) },
        Action: 'kms:*',
        Resource: '*',
      },
      ...grants.map((grant): ResourcePolicyStatement => ({
        Sid: grant.sid,
        Effect: 'Allow',
        Principal: { Service: grant.service },
        Action: [...grant.actions],
        Resource: '*',
        Condition: grant.condition,
      })),
    ],
  };
  assertScopedPrincipals(document, 'KMS key policy');
  return document;
}

/** Inputs of {@link cloudWatchLogsKeyGrant}. */
export interface LogsKeyGrantInput extends AccountScope {
  readonly region: string;
  readonly logGroupName: string;
}

/**
 * The KMS actions CloudWatch Logs uses on a log group's key: AWS's documented grant
 * (`kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:Describe*` under
 * `kms:EncryptionContext:aws:logs:arn`) written out as the actions that support that condition key.
 * `kms:DescribeKey` does not, so AWS's grant never allows it under the condition; it is left out.
 * The same list as `pipelineLogsKeyGrant` of `@signet/policies`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html#awskeymanagementservice-actions-as-permissions
 */
export const CLOUDWATCH_LOGS_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

/**
 * Lets CloudWatch Logs encrypt one log group with the key, and nothing else. The encryption context
 * key is of type String in the Service Authorization Reference, hence `StringEquals` (AWS's page
 * writes `ArnEquals`/`ArnLike`; for the exact ARN both match the same log group).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function cloudWatchLogsKeyGrant(input: LogsKeyGrantInput): KmsServiceGrant {
  assertAccountScope(input);
  return {
    sid: 'CloudWatchLogsEncryptsOneLogGroup',
    service: `logs.${input.region}.amazonaws.com`,
    actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
    condition: {
      StringEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${input.partition}:logs:${input.region}:${input.accountId}:log-group:${input.logGroupName}`,
      },
    },
  };
}
