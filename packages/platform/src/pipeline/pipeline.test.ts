import { DeployVariable, Stage, STAGE_ORDER, stagesFor } from '@signet/buildspec';
import { environmentTraits } from '@signet/core';
import {
  assertNoWildcardPrincipals,
  buildArtifactBucketPolicy,
  buildKmsKeyPolicy,
  buildNotificationTopicPolicy,
  notificationsKeyGrant,
  pipelineLogsKeyGrant,
  type IamResourcePolicyDocument,
} from '@signet/policies';
import { describe, expect, it } from 'vitest';
import {
  buildPipelineStages,
  buildSourceTrigger,
  isPrivilegedStage,
  appTrustFromUpstream,
  pipelineTrustPolicyJson,
  requireAppEntry,
  SourceKind,
  stageProjectVariables,
  type PipelineLayoutInput,
} from '../index.js';

const ACCOUNT = '123456789012';
const CONNECTION = `arn:aws:codestar-connections:eu-west-1:${ACCOUNT}:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`;
const projectNames = Object.fromEntries(STAGE_ORDER.map((s) => [s, `p-${s}`])) as Record<Stage, string>;

describe('pipeline layout', () => {
  const input: PipelineLayoutInput = {
    source: { kind: SourceKind.CodeCommit, branch: 'main' },
    codeCommitRepositoryName: 'repo',
    projectNames,
    manualApproval: true,
  };

  it('places the one approval before the release signature where there is one, and nowhere when off', () => {
    const prod = { ...input, stages: stagesFor(environmentTraits('prod')) };
    expect(buildPipelineStages(prod).map((s) => s.name)).toEqual([
      'Source',
      'Promote',
      'Approval',
      'ReleaseSigning',
      'ApplicationDeployment',
      'VerifyContainerSign',
      'RevokeSuperseded',
    ]);
    expect(buildPipelineStages({ ...prod, manualApproval: false }).map((s) => s.name)).not.toContain(
      'Approval',
    );
  });

  it('reads a promotion request from the artifact bucket, and needs the app to name it', () => {
    const promoted = {
      ...input,
      source: { kind: SourceKind.PromotionRequest },
      app: 'x',
      stages: stagesFor(environmentTraits('staging')),
    } as const;
    expect(buildPipelineStages(promoted)[0]?.actions[0]).toMatchObject({
      provider: 'S3',
      configuration: { S3ObjectKey: 'promotion/x.zip', PollForSourceChanges: 'false' },
    });
    const { app: _omitted, ...rest } = promoted;
    expect(() => buildPipelineStages(rest)).toThrow('the promotion-request source needs app');
  });

  it('places the approval right before deployment where images are built, and nowhere when off', () => {
    const dev = { ...input, stages: stagesFor(environmentTraits('dev')) };
    expect(buildPipelineStages(dev).map((s) => s.name)).toEqual([
      'Source',
      'Build',
      'ApplicationSigning',
      'Approval',
      'ApplicationDeployment',
      'VerifyContainerSign',
    ]);
    expect(buildPipelineStages({ ...dev, manualApproval: false }).map((s) => s.name)).not.toContain(
      'Approval',
    );
  });

  it('refuses a CodeCommit source without its repository name', () => {
    const { codeCommitRepositoryName: _omitted, ...rest } = input;
    expect(() => buildPipelineStages(rest)).toThrow('the CodeCommit source needs codeCommitRepositoryName');
  });

  it('triggers a CodeConnections pipeline only on the app folder and has no trigger for CodeCommit', () => {
    const source = {
      kind: SourceKind.CodeConnections,
      connectionArn: CONNECTION,
      repository: 'a/b',
      branch: 'main',
    } as const;
    // The kit and the lockfile are built into the image: a change to either rebuilds every app.
    expect(buildSourceTrigger(source, 'apps/x', 'x')?.gitConfiguration.pushes[0]?.filePaths.includes).toEqual(
      ['apps/x/**', 'buildspecs/x/**', 'packages/service-kit/**', 'pnpm-lock.yaml'],
    );
    expect(buildSourceTrigger(input.source, 'apps/x', 'x')).toBeUndefined();
  });
});

describe('stage variables', () => {
  it('refuses to create a stage whose contract variable has no value', () => {
    expect(() =>
      stageProjectVariables(Stage.ApplicationSigning, {
        [DeployVariable.RepositoryUri]: 'r',
        [DeployVariable.SigningProfileArn]: 'p',
      }),
    ).toThrow('stage ApplicationSigning: deploy-time variable SIGNET_TRUST_POLICY has no value');
  });

  it('runs only Build privileged', () => {
    expect(STAGE_ORDER.filter(isPrivilegedStage)).toEqual([Stage.Build]);
  });
});

describe('pipeline layout and @signet/policies', () => {
  it('refuses a CodeConnections source whose ARN is not a connection, naming the key', () => {
    expect(() =>
      buildPipelineStages({
        source: {
          kind: SourceKind.CodeConnections,
          connectionArn: 'arn:aws:iam::123456789012:role/x',
          repository: 'a/b',
          branch: 'main',
        },
        projectNames,
        manualApproval: false,
      }),
    ).toThrow(
      'key "connectionArn" has value "arn:aws:iam::123456789012:role/x"; allowed: a CodeConnections connection ARN arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>',
    );
  });

  it('puts the pipeline key grants of @signet/policies into a key policy unchanged', () => {
    const policy = buildKmsKeyPolicy({
      accountId: ACCOUNT,
      partition: 'aws',
      serviceGrants: [
        pipelineLogsKeyGrant({
          accountId: ACCOUNT,
          partition: 'aws',
          region: 'eu-west-1',
          logGroupPrefix: '/signet/dev/pipeline/x/',
        }),
        notificationsKeyGrant({ region: 'eu-west-1' }),
      ],
    });
    expect(policy.Statement.slice(1)).toEqual([
      {
        Sid: 'CloudWatchLogsEncryptsStageLogGroups',
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
          StringLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/signet/dev/pipeline/x/*`,
          },
        },
      },
      {
        Sid: 'CodeStarNotificationsPublishesThroughSns',
        Effect: 'Allow',
        Principal: { Service: 'codestar-notifications.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('checks the resource policies of @signet/policies with their own principal check', () => {
    const topic: IamResourcePolicyDocument = buildNotificationTopicPolicy({
      topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:signet-dev-pipeline-notifications`,
      accountId: ACCOUNT,
    });
    expect(() => assertNoWildcardPrincipals(topic, 'topic policy')).not.toThrow();
    const bucket: IamResourcePolicyDocument = buildArtifactBucketPolicy({
      bucketArn: 'arn:aws:s3:::signet-dev-x-artifacts',
    });
    // The one wildcard principal is the TLS-only Deny, which the Allow-oriented check refuses.
    expect(() => assertNoWildcardPrincipals(bucket, 'bucket policy')).toThrow(
      'bucket policy: key "Statement[0].Principal.AWS" has value "*"; allowed: a principal without wildcards (statement "DenyInsecureTransport")',
    );
  });
});

describe('upstream outputs', () => {
  it("verifies with the app's own trust policy: its repository, its sorted identities, level strict", () => {
    const repo = (name: string) => `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${name}`;
    const profile = (name: string) => `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/${name}`;
    const out = (name: string) => ({ name, arn: profile(name), versionArn: `${profile(name)}/v1` });
    const trust = appTrustFromUpstream(
      'a',
      {
        a: { name: 'a', arn: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/a`, url: repo('a') },
        b: { name: 'b', arn: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/b`, url: repo('b') },
      },
      { a: { release: out('p_2'), pipeline: out('p_1') }, b: { pipeline: out('p_b') } },
    );
    const policy = JSON.parse(pipelineTrustPolicyJson(trust)) as unknown;
    expect(policy).toEqual({
      version: '1.0',
      trustPolicies: [
        {
          name: 'signet-app-a',
          registryScopes: [repo('a')],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-signer-ts'],
          trustedIdentities: [profile('p_1'), profile('p_2')],
        },
      ],
    });
    expect(() => appTrustFromUpstream('c', {}, {})).toThrow(
      'signet-ecr repositories has no entry for app "c": run `pulumi up` on that stack first',
    );
  });

  it('names the upstream stack to update when an app is missing from its outputs', () => {
    expect(requireAppEntry({ a: 1 }, 'a', 'signet-ecr repositories')).toBe(1);
    expect(() => requireAppEntry({ a: 1 }, 'b', 'signet-ecr repositories')).toThrow(
      'signet-ecr repositories has no entry for app "b": run `pulumi up` on that stack first',
    );
  });
});
