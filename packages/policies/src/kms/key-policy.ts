import { PolicyInputError } from '../errors.js';
import {
  IAM_POLICY_VERSION,
  type IamResourcePolicyDocument,
  type IamResourcePolicyStatement,
  type KmsKeyServiceGrant,
} from '../iam/document.js';
import {
  accountRootArn,
  assertAccountScope,
  assertNoWildcardPrincipals,
  assertRegionalScope,
  logGroupArn,
  logsServicePrincipal,
  type AccountScope,
  type RegionalScope,
} from '../iam/scope.js';

/** Input of {@link buildKmsKeyPolicy}. */
export interface KmsKeyPolicyInput extends AccountScope {
  /** Services allowed to use the key for their own encryption, each under a condition. */
  readonly serviceGrants?: readonly KmsKeyServiceGrant[];
  /**
   * Statements for principals of other accounts (the previous environment's writer of the promotion
   * request), each with a role ARN as principal, never a wildcard, and a condition.
   */
  readonly principalGrants?: readonly IamResourcePolicyStatement[];
}

/**
 * A key policy: the account's IAM policies govern use of the key (the AWS default key policy
 * statement; the principal is the account, never `*`), plus condition-scoped service grants. In a
 * key policy `Resource: "*"` means the key itself.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function buildKmsKeyPolicy(input: KmsKeyPolicyInput): IamResourcePolicyDocument {
  assertAccountScope(input);
  const grants = input.serviceGrants ?? [];
  (input.principalGrants ?? []).forEach((grant, index) => {
    if (grant.Condition === undefined || Object.keys(grant.Condition).length === 0) {
      throw new PolicyInputError({
        path: `principalGrants[${index}].Condition`,
        value: grant.Condition,
        allowed: `a condition that scopes the use of the key (statement ${JSON.stringify(grant.Sid)})`,
      });
    }
  });
  grants.forEach((grant, index) => {
    if (Object.keys(grant.condition).length === 0) {
      throw new PolicyInputError({
        path: `serviceGrants[${index}].condition`,
        value: grant.condition,
        allowed: `a condition that scopes the use of the key by ${grant.service} (grant ${JSON.stringify(grant.sid)})`,
      });
    }
  });
  const document: IamResourcePolicyDocument = {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'AccountIamPoliciesGovernKeyUse',
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(input) },
        Action: 'kms:*',
        Resource: '*',
      },
      ...grants.map((grant): IamResourcePolicyStatement => ({
        Sid: grant.sid,
        Effect: 'Allow',
        Principal: { Service: grant.service },
        Action: [...grant.actions],
        Resource: '*',
        Condition: grant.condition,
      })),
      ...(input.principalGrants ?? []),
    ],
  };
  assertNoWildcardPrincipals(document, 'KMS key policy');
  return document;
}

/**
 * The KMS actions CloudWatch Logs uses on a log group's key. AWS documents the grant as
 * `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*`
 * under the `kms:EncryptionContext:aws:logs:arn` condition; written out, these are the actions of
 * those wildcards that support that condition key. `kms:DescribeKey` does not, so under the
 * condition AWS's grant never allows it, and it is left out. Every CloudWatch Logs grant of the
 * workspace (one log group, or the log groups under a prefix) uses this list.
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

/** Log group names CloudWatch Logs accepts: 1 to 512 characters of `[A-Za-z0-9_./#-]`. */
const LOG_GROUP_NAME = /^[\w\-./#]{1,512}$/;

/** Input of {@link cloudWatchLogsKeyGrant}. */
export interface LogGroupKeyGrantInput extends RegionalScope {
  /** The one log group the key may encrypt. */
  readonly logGroupName: string;
}

/**
 * Lets CloudWatch Logs encrypt one log group with the key, and nothing else. The encryption context
 * key is of type String in the Service Authorization Reference, hence `StringEquals` (AWS's page
 * writes `ArnEquals`/`ArnLike`; for the exact ARN both match the same log group).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function cloudWatchLogsKeyGrant(input: LogGroupKeyGrantInput): KmsKeyServiceGrant {
  assertRegionalScope(input);
  if (!LOG_GROUP_NAME.test(input.logGroupName)) {
    throw new PolicyInputError({
      path: 'logGroupName',
      value: input.logGroupName,
      allowed: 'a log group name of 1 to 512 characters of [A-Za-z0-9_./#-], without wildcards',
    });
  }
  return {
    sid: 'CloudWatchLogsEncryptsOneLogGroup',
    service: logsServicePrincipal(input.region),
    actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
    condition: {
      StringEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(input, input.logGroupName) },
    },
  };
}
