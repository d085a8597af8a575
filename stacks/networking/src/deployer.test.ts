import { join } from 'node:path';
import { runStackProgram, type RecordedResource, type StackProgramResult } from '@signet/platform/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// The deployer under Pulumi's mock runtime: off by default (only its security group exists), and
// when configured a CodeBuild project in the private subnets whose caller chooses a commit and
// nothing else, whose role is admin minus signing, image pushes and changes to itself.

const stackDir = join(import.meta.dirname, '..');
const deployer = {
  repository: 'acme/signet',
  connectionArn:
    'arn:aws:codeconnections:eu-west-1:123456789012:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab',
  pulumiTokenSecretArn:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signet/prod/pulumi-token-AbCdEf',
  pulumiCli: { version: '3.200.0', sha256: 'a'.repeat(64) },
};

async function run(env: string, configOverrides?: Record<string, unknown>): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({ stackDir, env, ...(configOverrides && { configOverrides }) });
}

const ofType = (result: StackProgramResult, type: string): RecordedResource[] =>
  result.recorded.filter((r) => r.type === type);
function one(result: StackProgramResult, type: string, name: string): RecordedResource {
  const found = result.recorded.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}
const json = <T>(value: unknown): T => JSON.parse(value as string) as T;

let off: StackProgramResult;
let on: StackProgramResult;

beforeAll(async () => {
  off = await run('prod');
  on = await run('prod', { 'signet-networking:deployer': deployer });
});

describe('the deployer', () => {
  it('is off by default, but its security group (HTTPS out only, no ingress) always exists and is exported', () => {
    expect(ofType(off, 'aws:codebuild/project:Project')).toEqual([]);
    const group = one(off, 'aws:ec2/securityGroup:SecurityGroup', 'deployer-sg');
    expect(off.outputs['deployerSecurityGroupId']).toBe(group.id);
    const egress = ofType(off, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter(
      (r) => r.inputs['securityGroupId'] === group.id,
    );
    expect(egress.map((r) => [r.inputs['ipProtocol'], r.inputs['fromPort'], r.inputs['toPort']])).toEqual([
      ['tcp', 443, 443],
    ]);
    const ingress = ofType(off, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter(
      (r) => r.inputs['securityGroupId'] === group.id,
    );
    expect(ingress).toEqual([]);
  });

  it('runs in the private subnets with its security group, one build at a time, unprivileged, logs KMS-encrypted', () => {
    const project = one(on, 'aws:codebuild/project:Project', 'deployer-project');
    expect(project.inputs).toMatchObject({
      name: 'signet-prod-deployer',
      concurrentBuildLimit: 1,
      environment: { privilegedMode: false, image: 'aws/codebuild/standard:7.0' },
    });
    const vpc = project.inputs['vpcConfig'] as Record<string, unknown>;
    expect(vpc['subnets']).toEqual(on.outputs['privateSubnetIds']);
    expect(vpc['securityGroupIds']).toEqual([on.outputs['deployerSecurityGroupId']]);
    const logs = one(on, 'aws:cloudwatch/logGroup:LogGroup', 'deployer-logs');
    expect(logs.inputs['kmsKeyId']).toBeTruthy();
    expect(project.inputs['logsConfig']).toMatchObject({ cloudwatchLogs: { status: 'ENABLED' } });
  });

  it("checks out only the repository, through its connection, with Signet's buildspec inline", () => {
    const source = one(on, 'aws:codebuild/project:Project', 'deployer-project').inputs['source'] as Record<
      string,
      unknown
    >;
    expect(source).toMatchObject({
      type: 'GITHUB',
      location: 'https://github.com/acme/signet.git',
      auth: { type: 'CODECONNECTIONS', resource: deployer.connectionArn },
      gitCloneDepth: 0,
    });
    const buildspec = String(source['buildspec']);
    expect(buildspec).toContain('git merge-base --is-ancestor');
    expect(buildspec).toContain('pnpm exec nx run stack-eks:up --configuration="$SIGNET_ENVIRONMENT"');
    expect(buildspec).toContain(`PULUMI_ACCESS_TOKEN: ${deployer.pulumiTokenSecretArn}`);
  });

  it('has a role only CodeBuild assumes for this project, admin minus signing, image pushes and itself', () => {
    const role = one(on, 'aws:iam/role:Role', 'deployer-role');
    const trust = json<{
      Statement: { Principal: unknown; Condition: { ArnLike: Record<string, string> } }[];
    }>(role.inputs['assumeRolePolicy']);
    expect(trust.Statement[0]?.Principal).toEqual({ Service: 'codebuild.amazonaws.com' });
    expect(trust.Statement[0]?.Condition.ArnLike['aws:SourceArn']).toMatch(/:project\/signet-prod-deployer$/);
    const attached = ofType(on, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) =>
      a.name.startsWith('deployer-'),
    );
    expect(attached.map((a) => a.inputs['policyArn'])).toEqual([
      'arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
    const inline = json<{ Statement: { Sid: string; Effect: string; Action: string[] }[] }>(
      one(on, 'aws:iam/rolePolicy:RolePolicy', 'deployer-role-policy').inputs['policy'],
    );
    const deny = (sid: string) => inline.Statement.find((s) => s.Sid === sid);
    expect(deny('NeverSign')).toMatchObject({ Effect: 'Deny' });
    expect(deny('NeverSign')?.Action).toContain('signer:SignPayload');
    expect(deny('NeverPushOrDeleteImages')?.Action).toContain('ecr:PutImage');
    expect(deny('NeverChangeItsOwnRole')?.Action).toContain('iam:AttachRolePolicy');
  });

  it('refuses a deployer config with a tag instead of a pinned Pulumi CLI, naming the key', async () => {
    await expect(
      run('prod', {
        'signet-networking:deployer': {
          ...deployer,
          pulumiCli: { version: 'latest', sha256: 'a'.repeat(64) },
        },
      }),
    ).rejects.toThrow('key "signet-networking:deployer"');
  });
});
