import { describe, expect, it } from 'vitest';
import { buildFlowLogsDeliveryRolePolicy, buildFlowLogsTrustPolicy } from './flow-logs.js';

const scope = { accountId: '111122223333', partition: 'aws' };

describe('flow logs IAM', () => {
  it("lets only this account's flow logs assume the role", () => {
    const trust = buildFlowLogsTrustPolicy({ ...scope, region: 'eu-west-1' });
    expect(trust.Statement).toEqual([
      {
        Sid: 'VpcFlowLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111122223333' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*' },
        },
      },
    ]);
  });

  it('refuses a bad account scope', () => {
    expect(() => buildFlowLogsTrustPolicy({ ...scope, region: 'eu-west' })).toThrow(
      'key "region" has value "eu-west"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    );
    expect(() => buildFlowLogsTrustPolicy({ ...scope, accountId: '1', region: 'eu-west-1' })).toThrow(
      'key "accountId" has value "1"; allowed: a 12-digit AWS account id',
    );
  });

  it('scopes delivery to one log group: the group for DescribeLogStreams, its streams for writes', () => {
    const arn = 'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/dev/vpc-flow-logs';
    expect(buildFlowLogsDeliveryRolePolicy(arn).Statement).toEqual([
      {
        Sid: 'FindStreamsOfOneLogGroup',
        Effect: 'Allow',
        Action: ['logs:DescribeLogStreams'],
        Resource: [arn],
      },
      {
        Sid: 'DeliverToOneLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${arn}:log-stream:*`],
      },
    ]);
  });

  it.each([
    'arn:aws:logs:eu-west-1:111122223333:log-group:*',
    'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/dev/vpc-flow-logs:*',
  ])('refuses the log group ARN %s', (arn) => {
    expect(() => buildFlowLogsDeliveryRolePolicy(arn)).toThrow(
      `key "logGroupArn" has value "${arn}"; allowed: the ARN of one log group, without wildcards or a ":*" suffix`,
    );
  });
});
