import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { createMockRuntime, PLACEHOLDER_ACCOUNT_ID } from './mock-runtime.js';

function create(type: string, name: string, inputs: Record<string, unknown> = {}, region = 'eu-west-1') {
  const runtime = createMockRuntime({ region, accountId: '111122223333' });
  const result = runtime.mocks.newResource({ type, name, inputs, custom: true });
  if (result instanceof Promise) throw new Error('the mock runtime answers synchronously');
  return { ...result, runtime };
}

function call(token: string, region = 'eu-west-1', accountId?: string) {
  const runtime = createMockRuntime({ region, ...(accountId !== undefined && { accountId }) });
  return runtime.mocks.call({ token, inputs: {} });
}

describe('createMockRuntime', () => {
  it('derives the partition from the region into every ARN', () => {
    expect(create('aws:kms/key:Key', 'k', {}, 'us-gov-west-1').state['arn']).toMatch(
      /^arn:aws-us-gov:kms:us-gov-west-1:/,
    );
    expect(create('aws:kms/key:Key', 'k', {}, 'cn-north-1').state['arn']).toMatch(
      /^arn:aws-cn:kms:cn-north-1:/,
    );
    expect(create('aws:kms/key:Key', 'k', {}, 'eu-west-1').state['arn']).toMatch(
      /^arn:aws:kms:eu-west-1:111122223333:key\//,
    );
  });

  it('gives ECR repositories the registry URL of the account and region', () => {
    const { id, state } = create('aws:ecr/repository:Repository', 'repo-hello', { name: 'hello-server' });
    expect(id).toBe('hello-server');
    expect(state['repositoryUrl']).toBe('111122223333.dkr.ecr.eu-west-1.amazonaws.com/hello-server');
    expect(state['arn']).toBe('arn:aws:ecr:eu-west-1:111122223333:repository/hello-server');
  });

  it('gives signing profiles the ARN, version and version ARN AWS Signer returns', () => {
    const { state } = create('aws:signer/signingProfile:SigningProfile', 'profile', {
      name: 'signet_dev_app',
      platformId: 'Notation-OCI-SHA384-ECDSA',
    });
    expect(state['arn']).toBe('arn:aws:signer:eu-west-1:111122223333:/signing-profiles/signet_dev_app');
    expect(state['version']).toMatch(/^[0-9a-f]{10}$/);
    expect(state['versionArn']).toBe(`${String(state['arn'])}/${String(state['version'])}`);
  });

  it('names IAM ARNs without a region and with the role path', () => {
    const { state } = create('aws:iam/role:Role', 'r', { name: 'deploy', path: '/signet/' });
    expect(state['arn']).toBe('arn:aws:iam::111122223333:role/signet/deploy');
  });

  it('gives EC2 resources AWS-shaped ids and a VPC its default security group', () => {
    const { id, state } = create('aws:ec2/vpc:Vpc', 'vpc', { cidrBlock: '10.0.0.0/16' });
    expect(id).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(state['defaultSecurityGroupId']).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(state['cidrBlock']).toBe('10.0.0.0/16');
  });

  it('gives an eks:index:Cluster component a kubeconfig, OIDC provider and cluster security group', () => {
    const { state } = create('eks:index:Cluster', 'cluster', { name: 'signet-dev' });
    const core = state['core'] as { oidcProvider: { arn: string; url: string }; endpoint: string };
    expect(core.oidcProvider.url).toMatch(/^oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(core.oidcProvider.arn).toBe(`arn:aws:iam::111122223333:oidc-provider/${core.oidcProvider.url}`);
    expect(state['clusterSecurityGroupId']).toMatch(/^sg-/);
    expect((state['eksCluster'] as { name: string }).name).toBe('signet-dev');
    expect(core.endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
  });

  it('names Kubernetes objects after the logical name when metadata has none', () => {
    const { id, state } = create('kubernetes:core/v1:Namespace', 'apps-ns', {});
    expect(id).toBe('apps-ns');
    expect((state['metadata'] as { name: string }).name).toBe('apps-ns');
  });

  it('is deterministic: the same program gives the same ids across runtimes', () => {
    const a = create('aws:kms/key:Key', 'k');
    const b = create('aws:kms/key:Key', 'k');
    const other = create('aws:kms/key:Key', 'k2');
    expect(a.state).toEqual(b.state);
    expect(a.id).not.toBe(other.id);
  });

  it('records resources in creation order with their inputs', () => {
    const runtime = createMockRuntime({ region: 'eu-west-1' });
    runtime.mocks.newResource({ type: 'aws:kms/key:Key', name: 'a', inputs: { enableKeyRotation: true } });
    runtime.mocks.newResource({ type: 'aws:ecr/repository:Repository', name: 'b', inputs: {} });
    expect(runtime.resources.map((r) => [r.type, r.name])).toEqual([
      ['aws:kms/key:Key', 'a'],
      ['aws:ecr/repository:Repository', 'b'],
    ]);
    expect(runtime.resources[0]?.inputs).toEqual({ enableKeyRotation: true });
  });

  it('lets a resourceState hook add computed attributes over the built-in ones', () => {
    const runtime = createMockRuntime({
      region: 'eu-west-1',
      resourceState: {
        'aws:ecr/repository:Repository': (a) => ({ id: `custom-${a.name}`, state: { extra: a.ctx.region } }),
      },
    });
    const result = runtime.mocks.newResource({
      type: 'aws:ecr/repository:Repository',
      name: 'r',
      inputs: {},
    });
    expect(result).toEqual({ id: 'custom-r', state: { extra: 'eu-west-1' } });
  });

  describe('stack references', () => {
    it('answers with the outputs given for the fully qualified name', async () => {
      const runtime = createMockRuntime({
        region: 'eu-west-1',
        stackReferences: { 'acme/signet-networking/dev': { vpcId: 'vpc-1' } },
      });
      const result = await runtime.mocks.newResource({
        type: 'pulumi:pulumi:StackReference',
        name: 'acme/signet-networking/dev',
        inputs: { name: 'acme/signet-networking/dev' },
        id: 'acme/signet-networking/dev',
      });
      expect(result).toMatchObject({
        id: 'acme/signet-networking/dev',
        state: { outputs: { vpcId: 'vpc-1' }, secretOutputNames: [] },
      });
    });

    it('lists outputs given as secrets in secretOutputNames', async () => {
      const runtime = createMockRuntime({
        region: 'eu-west-1',
        stackReferences: { 'o/signet-eks/dev': { kubeconfig: pulumi.secret('{}'), name: 'c' } },
      });
      const result = await runtime.mocks.newResource({
        type: 'pulumi:pulumi:StackReference',
        name: 'o/signet-eks/dev',
        inputs: { name: 'o/signet-eks/dev' },
      });
      expect(result.state['secretOutputNames']).toEqual(['kubeconfig']);
    });

    it('asks a resolver function by name', async () => {
      const asked: string[] = [];
      const runtime = createMockRuntime({
        region: 'eu-west-1',
        stackReferences: (name) => {
          asked.push(name);
          return { ok: true };
        },
      });
      const result = await runtime.mocks.newResource({
        type: 'pulumi:pulumi:StackReference',
        name: 'o/signet-ecr/prod',
        inputs: { name: 'o/signet-ecr/prod' },
      });
      expect(asked).toEqual(['o/signet-ecr/prod']);
      expect(result).toMatchObject({ state: { outputs: { ok: true } } });
    });

    it('fails on a stack it has no outputs for, saying which stack to plan first', () => {
      const runtime = createMockRuntime({ region: 'eu-west-1', stackReferences: {} });
      expect(() =>
        runtime.mocks.newResource({
          type: 'pulumi:pulumi:StackReference',
          name: 'acme/signet-networking/dev',
          inputs: { name: 'acme/signet-networking/dev' },
        }),
      ).toThrow(
        'stack reference "acme/signet-networking/dev" is not available: deploy/plan networking first',
      );
      expect(runtime.resources).toEqual([]);
    });
  });

  describe('invokes', () => {
    it('answers getCallerIdentity with the configured account, else the placeholder', () => {
      expect(
        call('aws:index/getCallerIdentity:getCallerIdentity', 'eu-west-1', '444455556666'),
      ).toMatchObject({
        accountId: '444455556666',
      });
      expect(call('aws:index/getCallerIdentity:getCallerIdentity')).toMatchObject({
        accountId: PLACEHOLDER_ACCOUNT_ID,
      });
    });

    it('answers getPartition and getRegion from the region', () => {
      expect(call('aws:index/getPartition:getPartition', 'cn-northwest-1')).toMatchObject({
        partition: 'aws-cn',
        dnsSuffix: 'amazonaws.com.cn',
      });
      expect(call('aws:index/getRegion:getRegion', 'eu-central-1')).toMatchObject({ name: 'eu-central-1' });
    });

    it('answers getAvailabilityZones with three zones of the region', () => {
      expect(call('aws:index/getAvailabilityZones:getAvailabilityZones', 'us-east-1')).toMatchObject({
        names: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        zoneIds: ['use1-az1', 'use1-az2', 'use1-az3'],
      });
    });

    it('refuses any other invoke by name', () => {
      expect(() => call('aws:ec2/getVpc:getVpc')).toThrow(
        'unsupported invoke "aws:ec2/getVpc:getVpc" under the mock runtime',
      );
    });
  });
});
