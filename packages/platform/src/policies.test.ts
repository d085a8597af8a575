import { describe, expect, it } from 'vitest';
import { assertKeepsReferrers, buildLifecyclePolicy } from './ecr/lifecycle.js';
import { buildRepositoryPolicy, PULL_ACTIONS } from './ecr/repository-policy.js';
import { assertScopedPrincipals } from './iam.js';
import { buildKmsKeyPolicy, CLOUDWATCH_LOGS_KEY_ACTIONS, cloudWatchLogsKeyGrant } from './kms/key-policy.js';
import { buildFlowLogsDeliveryPolicy, buildFlowLogsTrustPolicy } from './network/flow-logs.js';

const scope = { accountId: '111122223333', partition: 'aws' };

describe('ECR lifecycle policy', () => {
  it('keeps the newest tagged images and never selects untagged referrers', () => {
    const policy = buildLifecyclePolicy({ keepTaggedImages: 50 });
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]?.selection).toEqual({
      tagStatus: 'tagged',
      tagPatternList: ['*'],
      countType: 'imageCountMoreThan',
      countNumber: 50,
    });
    expect(policy.rules.every((rule) => rule.selection.tagStatus === 'tagged')).toBe(true);
  });

  it('rejects counts ECR does not accept', () => {
    expect(() => buildLifecyclePolicy({ keepTaggedImages: 0 })).toThrow(
      'keepTaggedImages has value 0; allowed: an integer from 1 to 10000',
    );
    expect(() => buildLifecyclePolicy({ keepTaggedImages: 2.5 })).toThrow('keepTaggedImages has value 2.5');
  });

  it('refuses a rule that could expire signatures or SBOMs', () => {
    expect(() =>
      assertKeepsReferrers({
        rules: [
          {
            rulePriority: 2,
            description: 'x',
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: 1,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    ).toThrow(
      'lifecycle rule 2 selects tagStatus "untagged"; allowed: "tagged" only, so signatures and SBOMs (untagged referrers) are never expired',
    );
  });
});

describe('ECR repository policy', () => {
  it('grants pull, and only pull, to the account and listed principals', () => {
    const policy = buildRepositoryPolicy({
      ...scope,
      extraPullPrincipalArns: ['arn:aws:iam::444455556666:role/nodes'],
    });
    expect(policy.Statement).toEqual([
      {
        Sid: 'PullByThisAccount',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: [...PULL_ACTIONS],
      },
      {
        Sid: 'PullByListedPrincipals',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::444455556666:role/nodes'] },
        Action: [...PULL_ACTIONS],
      },
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/ecr:(Put|Upload|Initiate|Complete|Delete|Set)/);
  });

  it('rejects wildcard or malformed principals', () => {
    expect(() => buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['*'] })).toThrow(
      'pull principal "*" is invalid; allowed: an IAM role ARN or an account root ARN, without wildcards',
    );
    expect(() =>
      buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['arn:aws:iam::444455556666:role/*'] }),
    ).toThrow('pull principal');
    expect(() => buildRepositoryPolicy({ accountId: '12', partition: 'aws' })).toThrow(
      'account id "12" is invalid; allowed: 12 digits',
    );
  });
});

describe('KMS key policy', () => {
  it('delegates to the account IAM policies and scopes the logs grant to one log group', () => {
    const grant = cloudWatchLogsKeyGrant({
      ...scope,
      region: 'eu-west-1',
      logGroupName: '/signet/dev/vpc-flow-logs',
    });
    const policy = buildKmsKeyPolicy({ ...scope, serviceGrants: [grant] });
    expect(policy.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } });
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

  it('refuses an unconditioned service grant', () => {
    expect(() =>
      buildKmsKeyPolicy({
        ...scope,
        serviceGrants: [
          { sid: 'Open', service: 'logs.amazonaws.com', actions: ['kms:Decrypt'], condition: {} },
        ],
      }),
    ).toThrow(
      'KMS service grant "Open" for logs.amazonaws.com has no condition; allowed: a condition scoping the grant',
    );
  });

  it('wildcard principals are refused by the shared check', () => {
    expect(() =>
      assertScopedPrincipals(
        {
          Version: '2012-10-17',
          Statement: [{ Sid: 'Any', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*' }],
        },
        'test policy',
      ),
    ).toThrow('test policy: statement "Any" has principal AWS "*"; allowed: no wildcard principals');
  });
});

describe('flow logs IAM', () => {
  it("lets only this account's flow logs assume the role", () => {
    const trust = buildFlowLogsTrustPolicy({ ...scope, region: 'eu-west-1' });
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*' },
      },
    });
  });

  it('scopes delivery to one log group: the group for DescribeLogStreams, its streams for writes', () => {
    const arn = 'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/dev/vpc-flow-logs';
    expect(buildFlowLogsDeliveryPolicy(arn).Statement).toEqual([
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
    expect(() => buildFlowLogsDeliveryPolicy(arn)).toThrow(
      `log group ARN "${arn}" is invalid; allowed: the ARN of one log group, without wildcards or a ":*" suffix`,
    );
  });
});
