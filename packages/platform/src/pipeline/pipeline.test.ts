import { DeployVariable, Stage, STAGE_ORDER } from '@signet/buildspec';
import { describe, expect, it } from 'vitest';
import {
  buildCodeBuildVpcPolicy,
  buildPipelineRolePolicy,
  buildPipelineStages,
  buildSourceTrigger,
  connectionService,
  isPrivilegedStage,
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

  it('places the approval right before deployment, and nowhere when off', () => {
    expect(buildPipelineStages(input).map((s) => s.name)).toEqual([
      'Source',
      'Build',
      'ApplicationSigning',
      'Approval',
      'ApplicationDeployment',
      'VerifyContainerSign',
    ]);
    expect(buildPipelineStages({ ...input, manualApproval: false }).map((s) => s.name)).not.toContain(
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
    expect(buildSourceTrigger(source, 'apps/x', 'x')?.gitConfiguration.pushes[0]?.filePaths.includes).toEqual(
      ['apps/x/**', 'buildspecs/x/**'],
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

describe('pipeline documents', () => {
  it('uses the IAM prefix of the connection ARN and refuses what is not a connection', () => {
    expect(connectionService(CONNECTION)).toBe('codestar-connections');
    const policy = buildPipelineRolePolicy({
      artifactBucketArn: 'arn:aws:s3:::b',
      kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`,
      projectArns: ['arn:aws:codebuild:eu-west-1:123456789012:project/p'],
      source: { kind: SourceKind.CodeConnections, connectionArn: CONNECTION },
    });
    expect(policy.Statement.find((s) => s.Sid === 'ReadOwnSource')?.Action).toEqual([
      'codestar-connections:UseConnection',
    ]);
    expect(() => connectionService('arn:aws:iam::123456789012:role/x')).toThrow(
      'connectionArn has value "arn:aws:iam::123456789012:role/x"; allowed: a CodeConnections connection ARN',
    );
  });

  it('limits VPC network interfaces to CodeBuild in the given subnets', () => {
    const policy = buildCodeBuildVpcPolicy({
      accountId: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      subnetIds: ['subnet-1'],
    });
    expect(policy.Statement[1]?.Condition).toEqual({
      StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
      ArnEquals: { 'ec2:Subnet': [`arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-1`] },
    });
    expect(() =>
      buildCodeBuildVpcPolicy({ accountId: ACCOUNT, partition: 'aws', region: 'eu-west-1', subnetIds: [] }),
    ).toThrow('CodeBuild VPC policy: subnetIds is empty');
  });

  it('names the upstream stack to update when an app is missing from its outputs', () => {
    expect(requireAppEntry({ a: 1 }, 'a', 'signet-ecr repositories')).toBe(1);
    expect(() => requireAppEntry({ a: 1 }, 'b', 'signet-ecr repositories')).toThrow(
      'signet-ecr repositories has no entry for app "b": run `pulumi up` on that stack first',
    );
  });
});
