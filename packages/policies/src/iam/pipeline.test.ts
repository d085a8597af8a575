import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import {
  ACCOUNT,
  BUCKET_ARN,
  CODECOMMIT_REPO_ARN,
  CODESTAR_CONNECTION_ARN,
  CONNECTION_ARN,
  HELLO_REPO_ARN,
  KMS_KEY_ARN,
  LOG_GROUP_ARN,
  PIPELINE_ARN,
  PROJECT_ARNS,
  REGION,
  SUBNET_IDS,
  TOPIC_ARN,
} from '../test/fixtures.js';
import {
  buildArtifactBucketPolicy,
  buildCodeBuildVpcPolicy,
  buildNotificationTopicPolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  buildStartPipelinePolicy,
  connectionService,
  notificationsKeyGrant,
  pipelineLogsKeyGrant,
  SourceKind,
  type PipelineRolePolicyInput,
} from './pipeline.js';
import { buildBuildRolePolicy } from './roles.js';

const pipelineInput: PipelineRolePolicyInput = {
  artifactBucketArn: BUCKET_ARN,
  kmsKeyArn: KMS_KEY_ARN,
  projectArns: PROJECT_ARNS,
  source: { kind: SourceKind.CodeCommit, repositoryArn: CODECOMMIT_REPO_ARN },
};
const vpcInput = { accountId: ACCOUNT, partition: 'aws', region: REGION, subnetIds: SUBNET_IDS };

describe('service role trust policy', () => {
  it('lets one service assume the role for one resource of its own account only', () => {
    expect(
      buildServiceRoleTrustPolicy({
        service: 'codepipeline.amazonaws.com',
        accountId: ACCOUNT,
        sourceArn: PIPELINE_ARN,
      }),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeForOwnResource',
          Effect: 'Allow',
          Principal: { Service: 'codepipeline.amazonaws.com' },
          Action: ['sts:AssumeRole'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': PIPELINE_ARN },
          },
        },
      ],
    });
  });

  it.each([
    [
      { service: 'codebuild' },
      'key "service" has value "codebuild"; allowed: a service principal <service>.amazonaws.com',
    ],
    [{ accountId: '1111' }, 'key "accountId" has value "1111"; allowed: a 12-digit AWS account id'],
    [
      { sourceArn: 'signet-dev-hello-server' },
      'key "sourceArn" has value "signet-dev-hello-server"; allowed: an ARN arn:<partition>:<service>:<region>:<account>:<resource>',
    ],
    [
      { sourceArn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*` },
      `key "sourceArn" has value "arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*"; allowed: the ARN of one resource, arn:<partition>:<service>:<region>:<account>:<resource>, without wildcards`,
    ],
    [
      { sourceArn: 'arn:aws:codebuild:us-east-1:444455556666:project/other' },
      'key "sourceArn" has value "arn:aws:codebuild:us-east-1:444455556666:project/other"; allowed: the ARN of a resource of account "111122223333" (accountId), not of "444455556666"',
    ],
    [
      { sourceArn: `arn:aws-cn:codebuild:cn-north-1:${ACCOUNT}:project/p1` },
      'key "sourceArn" has value "arn:aws-cn:codebuild:cn-north-1:111122223333:project/p1"; allowed: an ARN arn:<partition>:<service>:<region>:<account>:<resource> in a partition where AWS Signer signs container images, "aws" or "aws-us-gov" (not "aws-cn")',
    ],
  ])('rejects %j', (overrides, message) => {
    const input = {
      service: 'codebuild.amazonaws.com',
      accountId: ACCOUNT,
      sourceArn: PROJECT_ARNS[0] ?? '',
      ...overrides,
    };
    expect(() => buildServiceRoleTrustPolicy(input)).toThrow(PolicyInputError);
    expect(() => buildServiceRoleTrustPolicy(input)).toThrow(message);
  });
});

describe('pipeline role', () => {
  it('reads and writes its artifacts, runs its own stages and reads its own CodeCommit repository', () => {
    expect(buildPipelineRolePolicy(pipelineInput)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadWriteArtifacts',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
          Resource: [`${BUCKET_ARN}/*`],
        },
        {
          Sid: 'LocateArtifactBucket',
          Effect: 'Allow',
          Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetBucketVersioning'],
          Resource: [BUCKET_ARN],
        },
        {
          Sid: 'UseArtifactKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: [KMS_KEY_ARN],
        },
        {
          Sid: 'RunOwnStages',
          Effect: 'Allow',
          Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'],
          Resource: PROJECT_ARNS,
        },
        {
          Sid: 'ReadOwnSource',
          Effect: 'Allow',
          Action: [
            'codecommit:CancelUploadArchive',
            'codecommit:GetBranch',
            'codecommit:GetCommit',
            'codecommit:GetRepository',
            'codecommit:GetUploadArchiveStatus',
            'codecommit:UploadArchive',
          ],
          Resource: [CODECOMMIT_REPO_ARN],
        },
      ],
    });
  });

  it("shares the stage roles' artifact statements, adding only s3:GetBucketVersioning", () => {
    const stage = buildBuildRolePolicy({
      logGroupArn: LOG_GROUP_ARN,
      artifactBucketArn: BUCKET_ARN,
      kmsKeyArn: KMS_KEY_ARN,
      repositoryArn: HELLO_REPO_ARN,
    }).Statement.slice(-3);
    const pipeline = buildPipelineRolePolicy(pipelineInput).Statement.slice(0, 3);
    expect(pipeline.map((s) => s.Sid)).toEqual(stage.map((s) => s.Sid));
    expect(pipeline[0]).toEqual(stage[0]);
    expect(pipeline[2]).toEqual(stage[2]);
    expect(pipeline[1]?.Action).toEqual([...(stage[1]?.Action ?? []), 's3:GetBucketVersioning']);
  });

  it.each([
    [CONNECTION_ARN, 'codeconnections:UseConnection'],
    [CODESTAR_CONNECTION_ARN, 'codestar-connections:UseConnection'],
  ])('uses connection %s with the IAM prefix of its ARN', (connectionArn, action) => {
    const policy = buildPipelineRolePolicy({
      ...pipelineInput,
      source: { kind: SourceKind.CodeConnections, connectionArn },
    });
    expect(policy.Statement.find((s) => s.Sid === 'ReadOwnSource')).toEqual({
      Sid: 'ReadOwnSource',
      Effect: 'Allow',
      Action: [action],
      Resource: [connectionArn],
    });
  });

  it.each([
    [
      { projectArns: [] },
      `key "projectArns" has value []; allowed: the pipeline's own CodeBuild project ARNs, at least one`,
    ],
    [
      { projectArns: [PROJECT_ARNS[0] ?? '', `arn:aws:codebuild:us-east-1:${ACCOUNT}:build/x`] },
      `key "projectArns[1]" has value "arn:aws:codebuild:us-east-1:${ACCOUNT}:build/x"; allowed: an ARN arn:<partition>:codebuild:<region>:<account>:project/<name> (not resource "build/x")`,
    ],
    [
      { projectArns: ['*'] },
      'key "projectArns[0]" has value "*"; allowed: an ARN arn:<partition>:codebuild:<region>:<account>:project/<name>',
    ],
    [
      { artifactBucketArn: 'arn:aws:s3:::b' },
      'key "artifactBucketArn" has value "arn:aws:s3:::b"; allowed: an ARN arn:<partition>:s3:::<bucket> (not resource "b")',
    ],
    [
      { kmsKeyArn: 'alias/signet' },
      'key "kmsKeyArn" has value "alias/signet"; allowed: an ARN arn:<partition>:kms:<region>:<account>:key/<key-id>',
    ],
    [
      { source: { kind: SourceKind.CodeCommit, repositoryArn: HELLO_REPO_ARN } },
      `key "source.repositoryArn" has value "${HELLO_REPO_ARN}"; allowed: an ARN arn:<partition>:codecommit:<region>:<account>:<repository name> (not of service "ecr")`,
    ],
    [
      { source: { kind: SourceKind.CodeConnections, connectionArn: 'arn:aws:iam::111122223333:role/x' } },
      'key "source.connectionArn" has value "arn:aws:iam::111122223333:role/x"; allowed: a CodeConnections connection ARN arn:<partition>:codeconnections:<region>:<account>:connection/<uuid> (or of the older codestar-connections service)',
    ],
  ] satisfies [Partial<PipelineRolePolicyInput>, string][])('rejects %j', (overrides, message) => {
    expect(() => buildPipelineRolePolicy({ ...pipelineInput, ...overrides })).toThrow(PolicyInputError);
    expect(() => buildPipelineRolePolicy({ ...pipelineInput, ...overrides })).toThrow(message);
  });
});

describe('connectionService', () => {
  it('returns the IAM prefix of the connection ARN', () => {
    expect(connectionService(CONNECTION_ARN)).toBe('codeconnections');
    expect(connectionService(CODESTAR_CONNECTION_ARN)).toBe('codestar-connections');
  });

  it.each([
    'arn:aws:iam::111122223333:role/x',
    `arn:aws:codeconnections:us-east-1:${ACCOUNT}:host/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`,
    `arn:aws:codeconnections:us-east-1:1111:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`,
    `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/*`,
  ])('refuses %s, naming the key', (value) => {
    expect(() => connectionService(value)).toThrow(
      `key "connectionArn" has value ${JSON.stringify(value)}; allowed: a CodeConnections connection ARN arn:<partition>:codeconnections:<region>:<account>:connection/<uuid> (or of the older codestar-connections service)`,
    );
  });
});

describe('CodeBuild VPC policy', () => {
  const prefix = `arn:aws:ec2:us-east-1:${ACCOUNT}`;
  const subnets = [`${prefix}:subnet/subnet-0aaaaaaaaaaaaaaaa`, `${prefix}:subnet/subnet-0bbbbbbbbbbbbbbbb`];

  it('scopes the ENI calls to the account, region and given subnets, and attaches only for CodeBuild', () => {
    expect(buildCodeBuildVpcPolicy(vpcInput)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CreateBuildNetworkInterfaces',
          Effect: 'Allow',
          Action: ['ec2:CreateNetworkInterface'],
          Resource: [`${prefix}:network-interface/*`, ...subnets, `${prefix}:security-group/*`],
        },
        {
          Sid: 'DeleteBuildNetworkInterfaces',
          Effect: 'Allow',
          Action: ['ec2:DeleteNetworkInterface'],
          Resource: [`${prefix}:network-interface/*`],
          Condition: { ArnEquals: { 'ec2:Subnet': subnets } },
        },
        {
          Sid: 'DescribeBuildNetwork',
          Effect: 'Allow',
          Action: [
            'ec2:DescribeDhcpOptions',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
          ],
          Resource: ['*'],
        },
        {
          Sid: 'AttachInOwnSubnets',
          Effect: 'Allow',
          Action: ['ec2:CreateNetworkInterfacePermission'],
          Resource: [`${prefix}:network-interface/*`],
          Condition: {
            StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
            ArnEquals: { 'ec2:Subnet': subnets },
          },
        },
      ],
    });
  });

  it('grants on "*" only the Describe calls, which have no resource type', () => {
    const wildcard = buildCodeBuildVpcPolicy(vpcInput).Statement.filter((s) => s.Resource.includes('*'));
    expect(wildcard.flatMap((s) => s.Action).every((a) => a.startsWith('ec2:Describe'))).toBe(true);
  });

  it('writes GovCloud ARNs in GovCloud and accepts the older 8-digit subnet ids', () => {
    const policy = buildCodeBuildVpcPolicy({
      ...vpcInput,
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      subnetIds: ['subnet-1a2b3c4d'],
    });
    const gov = `arn:aws-us-gov:ec2:us-gov-west-1:${ACCOUNT}`;
    const bySid = (sid: string) => policy.Statement.find((s) => s.Sid === sid);
    expect(bySid('CreateBuildNetworkInterfaces')?.Resource).toEqual([
      `${gov}:network-interface/*`,
      `${gov}:subnet/subnet-1a2b3c4d`,
      `${gov}:security-group/*`,
    ]);
    for (const sid of ['DeleteBuildNetworkInterfaces', 'AttachInOwnSubnets']) {
      expect(bySid(sid)?.Resource).toEqual([`${gov}:network-interface/*`]);
      expect(bySid(sid)?.Condition?.['ArnEquals']).toEqual({
        'ec2:Subnet': [`${gov}:subnet/subnet-1a2b3c4d`],
      });
    }
  });

  it.each([
    [
      { subnetIds: [] },
      'key "subnetIds" has value []; allowed: the ids of the subnets the VPC builds run in, at least one',
    ],
    [
      { subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-1'] },
      'key "subnetIds[1]" has value "subnet-1"; allowed: a subnet id: subnet- and 8 or 17 hexadecimal digits',
    ],
    [
      { subnetIds: ['*'] },
      'key "subnetIds[0]" has value "*"; allowed: a subnet id: subnet- and 8 or 17 hexadecimal digits',
    ],
    [{ accountId: '12345' }, 'key "accountId" has value "12345"; allowed: a 12-digit AWS account id'],
    [
      { partition: 'aws-cn' },
      'key "partition" has value "aws-cn"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    ],
    [
      { partition: '*' },
      'key "partition" has value "*"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    ],
    [
      { region: 'eu-west' },
      'key "region" has value "eu-west"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    ],
  ])('rejects %j', (overrides, message) => {
    expect(() => buildCodeBuildVpcPolicy({ ...vpcInput, ...overrides })).toThrow(PolicyInputError);
    expect(() => buildCodeBuildVpcPolicy({ ...vpcInput, ...overrides })).toThrow(message);
  });
});

describe('start-pipeline policy', () => {
  it('lets EventBridge start one pipeline', () => {
    expect(buildStartPipelinePolicy(PIPELINE_ARN)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'StartOwnPipeline',
          Effect: 'Allow',
          Action: ['codepipeline:StartPipelineExecution'],
          Resource: [PIPELINE_ARN],
        },
      ],
    });
  });

  it.each([
    [
      '*',
      'key "pipelineArn" has value "*"; allowed: an ARN arn:<partition>:codepipeline:<region>:<account>:<pipeline name>',
    ],
    [
      `arn:aws:codepipeline:us-east-1:${ACCOUNT}:pipeline/x`,
      `key "pipelineArn" has value "arn:aws:codepipeline:us-east-1:${ACCOUNT}:pipeline/x"; allowed: an ARN arn:<partition>:codepipeline:<region>:<account>:<pipeline name> (not resource "pipeline/x")`,
    ],
    [
      `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/x`,
      'key "pipelineArn" has value "arn:aws:codebuild:us-east-1:111122223333:project/x"; allowed: an ARN arn:<partition>:codepipeline:<region>:<account>:<pipeline name> (not of service "codebuild")',
    ],
  ])('rejects %s', (value, message) => {
    expect(() => buildStartPipelinePolicy(value)).toThrow(message);
  });
});

describe('artifact bucket policy', () => {
  it('denies every request to the bucket and its objects not made over TLS', () => {
    expect(buildArtifactBucketPolicy({ bucketArn: BUCKET_ARN })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  it('rejects what is not a bucket ARN', () => {
    expect(() => buildArtifactBucketPolicy({ bucketArn: `${BUCKET_ARN}/*` })).toThrow(
      `key "bucketArn" has value "${BUCKET_ARN}/*"; allowed: an ARN arn:<partition>:s3:::<bucket> (not resource "signet-dev-hello-server-artifacts/*")`,
    );
  });
});

describe('notification topic policy', () => {
  it("lets only CodeStar Notifications publish, for this account's rules", () => {
    expect(buildNotificationTopicPolicy({ topicArn: TOPIC_ARN, accountId: ACCOUNT })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CodeStarNotificationsPublish',
          Effect: 'Allow',
          Principal: { Service: 'codestar-notifications.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: TOPIC_ARN,
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
    });
  });

  it.each([
    [{ accountId: 'abc' }, 'key "accountId" has value "abc"; allowed: a 12-digit AWS account id'],
    [
      { topicArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` },
      `key "topicArn" has value "arn:aws:sqs:us-east-1:${ACCOUNT}:q"; allowed: an ARN arn:<partition>:sns:<region>:<account>:<topic name> (not of service "sqs")`,
    ],
    [
      { topicArn: 'arn:aws:sns:us-east-1:444455556666:t' },
      'key "topicArn" has value "arn:aws:sns:us-east-1:444455556666:t"; allowed: the ARN of a resource of account "111122223333" (accountId), not of "444455556666"',
    ],
  ])('rejects %j', (overrides, message) => {
    expect(() =>
      buildNotificationTopicPolicy({ topicArn: TOPIC_ARN, accountId: ACCOUNT, ...overrides }),
    ).toThrow(message);
  });
});

describe('key grants', () => {
  const logsInput = {
    accountId: ACCOUNT,
    partition: 'aws',
    region: REGION,
    logGroupPrefix: '/signet/dev/pipeline/x/',
  };

  it('lets CloudWatch Logs use the key for the log groups under the prefix only', () => {
    expect(pipelineLogsKeyGrant(logsInput)).toEqual({
      sid: 'CloudWatchLogsEncryptsStageLogGroups',
      service: 'logs.us-east-1.amazonaws.com',
      actions: [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyPair',
        'kms:GenerateDataKeyPairWithoutPlaintext',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      condition: {
        StringLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/signet/dev/pipeline/x/*`,
        },
      },
    });
  });

  it('lets CodeStar Notifications use the key through SNS of the region only', () => {
    expect(notificationsKeyGrant({ region: 'us-gov-west-1' })).toEqual({
      sid: 'CodeStarNotificationsPublishesThroughSns',
      service: 'codestar-notifications.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      condition: { StringEquals: { 'kms:ViaService': 'sns.us-gov-west-1.amazonaws.com' } },
    });
    expect(() => notificationsKeyGrant({ region: '*' })).toThrow(
      'key "region" has value "*"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    );
  });

  it.each([
    [{ accountId: '' }, 'key "accountId" has value ""; allowed: a 12-digit AWS account id'],
    [
      { partition: 'aws-iso' },
      'key "partition" has value "aws-iso"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    ],
    [
      { region: 'EU-WEST-1' },
      'key "region" has value "EU-WEST-1"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    ],
    [
      { logGroupPrefix: '/signet/*' },
      'key "logGroupPrefix" has value "/signet/*"; allowed: a log group name prefix of 1 to 511 characters of [A-Za-z0-9_./#-]',
    ],
    [
      { logGroupPrefix: '' },
      'key "logGroupPrefix" has value ""; allowed: a log group name prefix of 1 to 511 characters of [A-Za-z0-9_./#-]',
    ],
  ])('rejects %j', (overrides, message) => {
    expect(() => pipelineLogsKeyGrant({ ...logsInput, ...overrides })).toThrow(message);
  });
});
