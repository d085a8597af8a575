import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { pipelineLogsKeyGrant } from '../iam/pipeline.js';
import { buildKmsKeyPolicy, CLOUDWATCH_LOGS_KEY_ACTIONS, cloudWatchLogsKeyGrant } from './key-policy.js';

const scope = { accountId: '111122223333', partition: 'aws' };

describe('KMS key policy', () => {
  it('delegates to the account IAM policies and scopes the logs grant to one log group', () => {
    const grant = cloudWatchLogsKeyGrant({
      ...scope,
      region: 'eu-west-1',
      logGroupName: '/signet/dev/vpc-flow-logs',
    });
    const policy = buildKmsKeyPolicy({ ...scope, serviceGrants: [grant] });
    expect(policy.Statement[0]).toEqual({
      Sid: 'AccountIamPoliciesGovernKeyUse',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(policy.Statement[1]).toEqual({
      Sid: 'CloudWatchLogsEncryptsOneLogGroup',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyPair',
        'kms:GenerateDataKeyPairWithoutPlaintext',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:EncryptionContext:aws:logs:arn':
            'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/dev/vpc-flow-logs',
        },
      },
    });
  });

  it('grants CloudWatch Logs only actions that take the encryption context it is scoped by', () => {
    // kms:DescribeKey carries no encryption context, so under the condition it could never be allowed.
    expect(CLOUDWATCH_LOGS_KEY_ACTIONS).not.toContain('kms:DescribeKey');
    expect(CLOUDWATCH_LOGS_KEY_ACTIONS.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('gives the one-log-group grant and the stage log groups grant the same action list', () => {
    const oneGroup = cloudWatchLogsKeyGrant({ ...scope, region: 'eu-west-1', logGroupName: '/a' });
    const stageGroups = pipelineLogsKeyGrant({ ...scope, region: 'eu-west-1', logGroupPrefix: '/a/' });
    expect(oneGroup.actions).toEqual([...CLOUDWATCH_LOGS_KEY_ACTIONS]);
    expect(stageGroups.actions).toEqual([...CLOUDWATCH_LOGS_KEY_ACTIONS]);
  });

  it('refuses an unconditioned service grant', () => {
    expect(() =>
      buildKmsKeyPolicy({
        ...scope,
        serviceGrants: [
          { sid: 'Open', service: 'logs.amazonaws.com', actions: ['kms:Decrypt'], condition: {} },
        ],
      }),
    ).toThrow(
      'key "serviceGrants[0].condition" has value {}; allowed: a condition that scopes the use of the key by logs.amazonaws.com (grant "Open")',
    );
  });

  it('refuses a service grant whose principal is a wildcard', () => {
    expect(() =>
      buildKmsKeyPolicy({
        ...scope,
        serviceGrants: [
          {
            sid: 'AnyService',
            service: '*',
            actions: ['kms:Decrypt'],
            condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
          },
        ],
      }),
    ).toThrow(
      'KMS key policy: key "Statement[1].Principal.Service" has value "*"; allowed: a principal without wildcards (statement "AnyService")',
    );
  });

  it('refuses a bad account, partition, region or log group name, as a PolicyInputError', () => {
    expect(() => buildKmsKeyPolicy({ accountId: '12', partition: 'aws' })).toThrow(
      'key "accountId" has value "12"; allowed: a 12-digit AWS account id',
    );
    expect(() => buildKmsKeyPolicy({ accountId: '12', partition: 'aws' })).toThrow(PolicyInputError);
    expect(() => buildKmsKeyPolicy({ ...scope, partition: 'aws-cn' })).toThrow(
      'key "partition" has value "aws-cn"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    );
    expect(() => cloudWatchLogsKeyGrant({ ...scope, region: 'eu', logGroupName: '/a' })).toThrow(
      'key "region" has value "eu"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    );
    expect(() =>
      cloudWatchLogsKeyGrant({ ...scope, region: 'eu-west-1', logGroupName: '/signet/*' }),
    ).toThrow(
      'key "logGroupName" has value "/signet/*"; allowed: a log group name of 1 to 512 characters of [A-Za-z0-9_./#-], without wildcards',
    );
  });
});
