import { PolicyInputError } from '../errors.js';
import {
  IAM_POLICY_VERSION,
  policyDocument,
  type IamPolicyDocument,
  type IamTrustPolicyDocument,
} from '../iam/document.js';
import { assertRegionalScope, ServicePrincipal, sourceConditions, type RegionalScope } from '../iam/scope.js';

/**
 * Lets only VPC Flow Logs of this account and region assume the delivery role (confused-deputy
 * protection). The flow log is created after its role, so its id is not known here: the source
 * ARN names any flow log of this account and region (`vpc-flow-log/*`), the narrowest the
 * order of creation allows.
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export function buildFlowLogsTrustPolicy(input: RegionalScope): IamTrustPolicyDocument {
  const partition = assertRegionalScope(input);
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'VpcFlowLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: ServicePrincipal.VpcFlowLogs },
        Action: 'sts:AssumeRole',
        Condition: sourceConditions(
          input.accountId,
          `arn:${partition}:ec2:${input.region}:${input.accountId}:vpc-flow-log/*`,
        ),
      },
    ],
  };
}

/** One log group's ARN, without wildcards and without the `:*` suffix. */
const ONE_LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^*:]+$/;

/**
 * Delivery permissions of the flow logs role, scoped to one log group and its streams. The group
 * exists before the flow log, so `logs:CreateLogGroup` and the account-wide `DescribeLogGroups`
 * that AWS's example grants are not needed. `logs:DescribeLogStreams` acts on the log group,
 * `logs:CreateLogStream` and `logs:PutLogEvents` on its log streams
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html#amazoncloudwatchlogs-actions-as-permissions),
 * so each is granted on its own resource only.
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export function buildFlowLogsDeliveryRolePolicy(logGroupArn: string): IamPolicyDocument {
  if (!ONE_LOG_GROUP_ARN.test(logGroupArn)) {
    throw new PolicyInputError({
      path: 'logGroupArn',
      value: logGroupArn,
      allowed: 'the ARN of one log group, without wildcards or a ":*" suffix',
    });
  }
  return policyDocument([
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
  ]);
}
