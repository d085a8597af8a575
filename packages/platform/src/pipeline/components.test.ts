import * as pulumi from '@pulumi/pulumi';
import { Stage } from '@signet/buildspec';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMockRuntime } from '../testing/index.js';
import { ArtifactBucket } from './artifact-bucket.js';
import { PipelineEnvironment } from './pipeline-environment.js';
import { StageProject, type StageProjectArgs } from './stage-project.js';

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    createMockRuntime({ region: 'eu-west-1' }).mocks,
    'signet-test',
    'dev',
    false,
  );
});

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k';

describe('pipeline component argument validation', () => {
  it('ArtifactBucket refuses a retention S3 lifecycle cannot express', () => {
    expect(
      () => new ArtifactBucket('bucket', { bucketName: 'b-bucket', kmsKeyArn: KEY, retentionDays: 0 }),
    ).toThrow('ArtifactBucket bucket: retentionDays has value 0; allowed: an integer from 1 to 3650');
  });

  it('StageProject refuses a timeout CodeBuild does not accept', () => {
    const args: StageProjectArgs = {
      stage: Stage.Build,
      projectName: 'p',
      roleName: 'r',
      buildspec: 'version: 0.2',
      variables: [],
      policy: { Version: '2012-10-17', Statement: [] },
      kmsKeyArn: KEY,
      logGroupName: '/l',
      logRetentionDays: 30,
      timeoutMinutes: 600,
      accountId: '123456789012',
      partition: 'aws',
      region: 'eu-west-1',
    };
    expect(() => new StageProject('stage', args)).toThrow(
      'StageProject stage: timeoutMinutes has value 600; allowed: an integer from 5 to 480',
    );
  });

  it('PipelineEnvironment refuses a subscriber that is not an email address', () => {
    expect(
      () =>
        new PipelineEnvironment('shared', {
          environment: 'dev',
          region: 'eu-west-1',
          notificationEmails: ['ops.example.com'],
          vpcId: 'vpc-1',
          clusterSecurityGroupId: 'sg-1',
          kubeconfig: '{}',
          admissionPolicyName: 'p',
        }),
    ).toThrow('PipelineEnvironment shared: notification email "ops.example.com" is not an email address');
  });
});
