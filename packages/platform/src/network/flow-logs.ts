import {
  assertAccountScope,
  assertScopedPrincipals,
  type AccountScope,
  type IdentityPolicyStatement,
  type PolicyDocument,
  type ResourcePolicyStatement,
} from '../iam.js';

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Inputs of {@link buildFlowLogsTrustPolicy}. */
export interface FlowLogsTrustInput extends AccountScope {
  readonly region: string;
}

/**
 * Lets only VPC Flow Logs of this account and region assume the delivery role (confused-deputy
 * protection). https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export function buildFlowLogsTrustPolicy(input: FlowLogsTrustInput): PolicyDocument<ResourcePolicyStatement> {
  assertAccountScope(input);
  const document: PolicyDocument<ResourcePolicyStatement> = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'VpcFlowLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': input.accountId },
          ArnLike: {
            'aws:SourceArn': `arn:${input.partition}:ec2:${input.region}:${input.accountId}:vpc-flow-log/*`,
          },
        },
      },
    ],
  };
  assertScopedPrincipals(document, 'flow logs trust policy');
  return document;
}

/**
 * Delivery permissions of the flow logs role, scoped to one log group and its streams. The group
 * exists before the flow log, so `logs:CreateLogGroup` and the account-wide `DescribeLogGroups`
 * that AWS's example grants are not needed. `logs:DescribeLogStreams` acts on the log group,
 * `logs:CreateLogStream` and `logs:PutLogEvents` on its log streams
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html#amazoncloudwatchlogs-actions-as-permissions),
 * so each is granted on its own resource only.
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export function buildFlowLogsDeliveryPolicy(logGroupArn: string): PolicyDocument<IdentityPolicyStatement> {
  if (!/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^*:]+$/.test(logGroupArn)) {
    throw new Error(
      `log group ARN "${logGroupArn}" is invalid; allowed: the ARN of one log group, without wildcards or a ":*" suffix`,
    );
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FindStreamsOfOneLogGroup',
        Effect: 'Allow',
        Action: ['logs:DescribeLogStreams'],
        Resource: [logGroupArn],
      },
      {
        Sid: 'DeliverToOneLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${logGroupArn}:log-stream:*`],
      },
    ],
  };
}
