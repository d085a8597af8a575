import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeStackConfig, INTERFACE_ENDPOINT_SERVICES, STACK_OUTPUT_KEYS } from '@signet/platform';
import { runStackProgram, type RecordedResource, type StackProgramResult } from '@signet/platform/testing';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { networkingConfig } from './config.js';

const stackDir = join(import.meta.dirname, '..');

function ofType(result: StackProgramResult, type: string): RecordedResource[] {
  return result.recorded.filter((r) => r.type === type);
}

function one(result: StackProgramResult, type: string, name: string): RecordedResource {
  const found = result.recorded.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

function policyOf(resource: RecordedResource, key: string): { Statement: Record<string, unknown>[] } {
  return JSON.parse(resource.inputs[key] as string) as { Statement: Record<string, unknown>[] };
}

async function run(env: string, configOverrides?: Record<string, unknown>): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({ stackDir, env, ...(configOverrides && { configOverrides }) });
}

let dev: StackProgramResult;
let prod: StackProgramResult;

beforeAll(async () => {
  dev = await run('dev');
  prod = await run('prod');
});

beforeEach(() => {
  vi.resetModules();
});

describe('signet-networking', () => {
  it('spans 2 AZs in dev and 3 in prod, one private and one public subnet per AZ', () => {
    expect(dev.outputs['availabilityZones']).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(prod.outputs['availabilityZones']).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const subnets = ofType(prod, 'aws:ec2/subnet:Subnet');
    expect(subnets.map((s) => [s.inputs['cidrBlock'], s.inputs['availabilityZone']])).toEqual([
      ['10.30.192.0/21', 'eu-west-1a'],
      ['10.30.200.0/21', 'eu-west-1b'],
      ['10.30.208.0/21', 'eu-west-1c'],
      ['10.30.0.0/18', 'eu-west-1a'],
      ['10.30.64.0/18', 'eu-west-1b'],
      ['10.30.128.0/18', 'eu-west-1c'],
    ]);
  });

  it('never gives instances public IPs and tags subnets for the load balancer controller', () => {
    for (const subnet of ofType(prod, 'aws:ec2/subnet:Subnet')) {
      expect(subnet.inputs['mapPublicIpOnLaunch']).toBe(false);
      const tags = subnet.inputs['tags'] as Record<string, string>;
      const isPrivate = subnet.name.startsWith('network-private-');
      expect(tags['kubernetes.io/role/internal-elb']).toBe(isPrivate ? '1' : undefined);
      expect(tags['kubernetes.io/role/elb']).toBe(isPrivate ? undefined : '1');
    }
    const privateIds = ofType(prod, 'aws:ec2/subnet:Subnet')
      .filter((s) => s.name.startsWith('network-private-'))
      .map((s) => s.id);
    expect(prod.outputs['privateSubnetIds']).toEqual(privateIds);
  });

  it('routes private subnets through NAT (one in dev, one per AZ in prod) and only public ones to the internet gateway', () => {
    const routes = (result: StackProgramResult) => ofType(result, 'aws:ec2/route:Route');
    const natIds = (result: StackProgramResult) =>
      ofType(result, 'aws:ec2/natGateway:NatGateway').map((n) => n.id);
    expect(natIds(dev)).toHaveLength(1);
    expect(natIds(prod)).toHaveLength(3);
    const privateRoutes = routes(prod).filter((r) => r.name.startsWith('network-private-default-route-'));
    expect(privateRoutes.map((r) => r.inputs['natGatewayId'])).toEqual(natIds(prod));
    expect(privateRoutes.every((r) => r.inputs['gatewayId'] === undefined)).toBe(true);
    const devPrivate = routes(dev).filter((r) => r.name.startsWith('network-private-default-route-'));
    expect(devPrivate.map((r) => r.inputs['natGatewayId'])).toEqual([natIds(dev)[0], natIds(dev)[0]]);
    const igw = ofType(prod, 'aws:ec2/internetGateway:InternetGateway')[0];
    expect(one(prod, 'aws:ec2/route:Route', 'network-public-default-route').inputs['gatewayId']).toBe(
      igw?.id,
    );
    const publicSubnetIds = prod.outputs['publicSubnetIds'] as string[];
    expect(ofType(prod, 'aws:ec2/natGateway:NatGateway').map((n) => n.inputs['subnetId'])).toEqual(
      publicSubnetIds,
    );
  });

  it('manages the default security group with no rules', () => {
    const [defaultGroup] = ofType(dev, 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup');
    expect(defaultGroup?.inputs['ingress'] ?? []).toEqual([]);
    expect(defaultGroup?.inputs['egress'] ?? []).toEqual([]);
    expect(defaultGroup?.inputs['vpcId']).toBe(dev.outputs['vpcId']);
  });

  it('creates the endpoints a private cluster needs, private DNS on, in private subnets, HTTPS from the VPC only', () => {
    const endpoints = ofType(dev, 'aws:ec2/vpcEndpoint:VpcEndpoint');
    const interfaces = endpoints.filter((e) => e.inputs['vpcEndpointType'] === 'Interface');
    expect(interfaces.map((e) => e.inputs['serviceName']).sort()).toEqual(
      Object.keys(INTERFACE_ENDPOINT_SERVICES)
        .map((s) => `com.amazonaws.eu-west-1.${s}`)
        .sort(),
    );
    for (const service of ['ecr.api', 'ecr.dkr', 'sts', 'signer', 'logs'])
      expect(Object.keys(INTERFACE_ENDPOINT_SERVICES)).toContain(service);
    for (const endpoint of interfaces) {
      expect(endpoint.inputs['privateDnsEnabled']).toBe(true);
      expect(endpoint.inputs['subnetIds']).toEqual(dev.outputs['privateSubnetIds']);
      expect(endpoint.inputs['securityGroupIds']).toEqual([dev.outputs['endpointSecurityGroupId']]);
    }
    const [s3] = endpoints.filter((e) => e.inputs['vpcEndpointType'] === 'Gateway');
    expect(s3?.inputs['serviceName']).toBe('com.amazonaws.eu-west-1.s3');
    expect(s3?.inputs['routeTableIds']).toEqual(
      ofType(dev, 'aws:ec2/routeTable:RouteTable')
        .filter((t) => t.name.startsWith('network-private-rt-'))
        .map((t) => t.id),
    );
    const rules = ofType(dev, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
    expect(
      rules.map((r) => [
        r.inputs['securityGroupId'],
        r.inputs['ipProtocol'],
        r.inputs['fromPort'],
        r.inputs['toPort'],
        r.inputs['cidrIpv4'],
      ]),
    ).toEqual([[dev.outputs['endpointSecurityGroupId'], 'tcp', 443, 443, '10.10.0.0/16']]);
    // The endpoints' group sends nothing (the deployer's group, the only other one, is checked in deployer.test.ts).
    expect(
      ofType(dev, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter(
        (r) => r.inputs['securityGroupId'] === dev.outputs['endpointSecurityGroupId'],
      ),
    ).toEqual([]);
    const endpointGroup = ofType(dev, 'aws:ec2/securityGroup:SecurityGroup').find(
      (g) => g.id === dev.outputs['endpointSecurityGroupId'],
    );
    expect(endpointGroup).toBeDefined();
    expect(endpointGroup?.inputs['ingress'] ?? []).toEqual([]);
    expect(endpointGroup?.inputs['egress'] ?? []).toEqual([]);
  });

  it('sends all flow logs to a KMS-encrypted, retained log group through a role scoped to it', () => {
    const [flowLog] = ofType(prod, 'aws:ec2/flowLog:FlowLog');
    const [logGroup] = ofType(prod, 'aws:cloudwatch/logGroup:LogGroup');
    const [key] = ofType(prod, 'aws:kms/key:Key');
    const [role] = ofType(prod, 'aws:iam/role:Role');
    const [delivery] = ofType(prod, 'aws:iam/rolePolicy:RolePolicy');
    expect(flowLog?.inputs).toMatchObject({
      vpcId: prod.outputs['vpcId'],
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup?.state['arn'],
      iamRoleArn: role?.state['arn'],
    });
    expect(logGroup?.inputs).toMatchObject({
      name: '/signet/prod/vpc-flow-logs',
      retentionInDays: 365,
      kmsKeyId: key?.state['arn'],
    });
    expect(one(dev, 'aws:cloudwatch/logGroup:LogGroup', 'network-flow-logs').inputs['retentionInDays']).toBe(
      30,
    );
    expect(key?.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    const keyPolicy = policyOf(key as RecordedResource, 'policy');
    expect(keyPolicy.Statement[1]).toMatchObject({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: {
        StringEquals: {
          'kms:EncryptionContext:aws:logs:arn':
            'arn:aws:logs:eu-west-1:123456789012:log-group:/signet/prod/vpc-flow-logs',
        },
      },
    });
    expect(policyOf(role as RecordedResource, 'assumeRolePolicy').Statement[0]).toMatchObject({
      Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const groupArn = 'arn:aws:logs:eu-west-1:123456789012:log-group:/signet/prod/vpc-flow-logs';
    expect(policyOf(delivery as RecordedResource, 'policy').Statement).toEqual([
      expect.objectContaining({ Action: ['logs:DescribeLogStreams'], Resource: [groupArn] }),
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${groupArn}:log-stream:*`],
      }),
    ]);
  });

  it('tags everything through the provider and names resources per environment', () => {
    const [provider] = ofType(prod, 'pulumi:providers:aws');
    expect(provider?.inputs['region']).toBe('eu-west-1');
    expect(JSON.parse(provider?.inputs['defaultTags'] as string)).toEqual({
      tags: { project: 'signet', environment: 'prod', stack: 'signet-networking', 'managed-by': 'pulumi' },
    });
    expect(one(prod, 'aws:ec2/vpc:Vpc', 'network-vpc').inputs['tags']).toEqual({ Name: 'signet-prod-vpc' });
  });

  it('exports exactly the networking contract', () => {
    expect(Object.keys(dev.outputs).sort()).toEqual([...STACK_OUTPUT_KEYS.networking].sort());
    expect(dev.outputs['vpcCidr']).toBe('10.10.0.0/16');
  });

  it('fails at start on invalid config, naming file, key, value and what is allowed', async () => {
    await expect(run('prod', { 'signet-networking:azCount': 5 })).rejects.toThrow(
      'signet-networking (Pulumi.prod.yaml): key "signet-networking:azCount" has value 5; allowed: an integer from 2 to 3',
    );
    await expect(run('dev', { 'signet-networking:vpcCidr': '10.0.0.0/33' })).rejects.toThrow(
      'signet-networking (Pulumi.dev.yaml): key "signet-networking:vpcCidr" has value "10.0.0.0/33"; allowed: an IPv4 CIDR block in RFC 1918 space with a prefix length from /16 to /20',
    );
    await expect(run('dev', { 'signet-networking:natGateway': 'single' })).rejects.toThrow(
      'signet-networking (Pulumi.dev.yaml): key "signet-networking:natGateway" is not a known key',
    );
  });

  it('is a Pulumi project that runs the compiled program', () => {
    const project = readFileSync(join(stackDir, 'Pulumi.yaml'), 'utf8');
    expect(project).toMatch(/^name: signet-networking$/m);
    expect(project).toMatch(/^main: dist\/index\.js$/m);
    expect(project).toMatch(/^ {4}typescript: false$/m);
    expect(project).toMatch(/^ {4}packagemanager: pnpm$/m);
  });

  it('documents every config key in docs/stacks.md', () => {
    const docs = readFileSync(join(stackDir, '..', '..', 'docs', 'stacks.md'), 'utf8');
    for (const row of describeStackConfig(networkingConfig)) expect(docs).toContain(`\`${row.key}\``);
  });
});
