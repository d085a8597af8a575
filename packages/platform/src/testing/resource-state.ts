import * as pulumi from '@pulumi/pulumi';
import type { PlaceholderContext } from './placeholders.js';
import { arn, dnsSuffixOf, stableHex, stableUuid } from './placeholders.js';

/** What a state builder sees: the resource as registered and where it lives. */
export interface ResourceStateArgs {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly ctx: PlaceholderContext;
}

/** The provider-computed part of a resource's state, and its physical id. */
export interface ComputedState {
  readonly id?: string;
  readonly state: Record<string, unknown>;
}

/** Builds the computed attributes of one resource type. */
export type ResourceStateBuilder = (args: ResourceStateArgs) => ComputedState;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The physical name a provider would use: the explicit `name` input, else the logical name. */
function physicalName(args: ResourceStateArgs, key = 'name'): string {
  return str(args.inputs[key]) ?? args.name;
}

/** An EC2-style id (`vpc-0a1b…`, 17 hex digits like the real ones). */
function ec2Id(prefix: string, args: ResourceStateArgs): string {
  return `${prefix}-${stableHex(17, args.type, args.name, args.ctx.accountId, args.ctx.region)}`;
}

function ec2(prefix: string, arnType?: string): ResourceStateBuilder {
  return (args) => {
    const id = ec2Id(prefix, args);
    return {
      id,
      state: { arn: arn(args.ctx, 'ec2', `${arnType ?? prefix}/${id}`), ownerId: args.ctx.accountId },
    };
  };
}

function iamArn(args: ResourceStateArgs, kind: string, name: string): string {
  const path = str(args.inputs['path']) ?? '/';
  return arn(args.ctx, 'iam', `${kind}${path}${name}`, '');
}

/**
 * Cloud-computed attributes per type token. Everything is derived from the logical name, the
 * inputs, the region and the account, so two plans of the same code give the same result.
 */
export const builtinResourceState: Readonly<Record<string, ResourceStateBuilder>> = {
  'aws:ec2/vpc:Vpc': (args) => {
    const id = ec2Id('vpc', args);
    const sibling = (prefix: string): string => `${prefix}-${stableHex(17, id, prefix)}`;
    return {
      id,
      state: {
        arn: arn(args.ctx, 'ec2', `vpc/${id}`),
        ownerId: args.ctx.accountId,
        defaultSecurityGroupId: sibling('sg'),
        defaultRouteTableId: sibling('rtb'),
        defaultNetworkAclId: sibling('acl'),
        mainRouteTableId: sibling('rtb'),
      },
    };
  },
  'aws:ec2/subnet:Subnet': ec2('subnet'),
  'aws:ec2/securityGroup:SecurityGroup': ec2('sg', 'security-group'),
  'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup': ec2('sg', 'security-group'),
  'aws:ec2/securityGroupRule:SecurityGroupRule': (args) => ({ id: ec2Id('sgrule', args), state: {} }),
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': ec2('sgr', 'security-group-rule'),
  'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule': ec2('sgr', 'security-group-rule'),
  'aws:ec2/internetGateway:InternetGateway': ec2('igw', 'internet-gateway'),
  'aws:ec2/natGateway:NatGateway': (args) => ({
    id: ec2Id('nat', args),
    state: { networkInterfaceId: ec2Id('eni', args), privateIp: '10.255.255.1' },
  }),
  'aws:ec2/eip:Eip': (args) => {
    const h = stableHex(4, args.name, args.ctx.region);
    // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never a routable address.
    return {
      id: ec2Id('eipalloc', args),
      state: { allocationId: ec2Id('eipalloc', args), publicIp: `203.0.113.${(parseInt(h, 16) % 254) + 1}` },
    };
  },
  'aws:ec2/routeTable:RouteTable': ec2('rtb', 'route-table'),
  'aws:ec2/routeTableAssociation:RouteTableAssociation': (args) => ({
    id: ec2Id('rtbassoc', args),
    state: {},
  }),
  'aws:ec2/route:Route': (args) => ({ id: ec2Id('r', args), state: {} }),
  // A new launch template is at version 1, as EC2 numbers them.
  'aws:ec2/launchTemplate:LaunchTemplate': (args) => {
    const id = ec2Id('lt', args);
    return {
      id,
      state: { arn: arn(args.ctx, 'ec2', `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 },
    };
  },
  'aws:ec2/networkAcl:NetworkAcl': ec2('acl', 'network-acl'),
  'aws:ec2/defaultNetworkAcl:DefaultNetworkAcl': ec2('acl', 'network-acl'),
  'aws:ec2/vpcEndpoint:VpcEndpoint': (args) => {
    const id = ec2Id('vpce', args);
    return {
      id,
      state: {
        arn: arn(args.ctx, 'ec2', `vpc-endpoint/${id}`),
        dnsEntries: [
          { dnsName: `${id}.${str(args.inputs['serviceName']) ?? 'service'}`, hostedZoneId: 'Z000MOCK' },
        ],
        prefixListId: `pl-${stableHex(8, id)}`,
        networkInterfaceIds: [],
      },
    };
  },
  'aws:ec2/flowLog:FlowLog': ec2('fl', 'vpc-flow-log'),
  'aws:kms/key:Key': (args) => {
    const keyId = stableUuid(args.type, args.name, args.ctx.accountId, args.ctx.region);
    return { id: keyId, state: { keyId, arn: arn(args.ctx, 'kms', `key/${keyId}`) } };
  },
  'aws:kms/alias:Alias': (args) => {
    const name = physicalName(args);
    return {
      id: name,
      state: { name, arn: arn(args.ctx, 'kms', name), targetKeyArn: args.inputs['targetKeyId'] },
    };
  },
  'aws:ecr/repository:Repository': (args) => {
    const name = physicalName(args);
    return {
      id: name,
      state: {
        name,
        arn: arn(args.ctx, 'ecr', `repository/${name}`),
        registryId: args.ctx.accountId,
        repositoryUrl: `${args.ctx.accountId}.dkr.ecr.${args.ctx.region}.${dnsSuffixOf(args.ctx.partition)}/${name}`,
      },
    };
  },
  'aws:ecr/repositoryPolicy:RepositoryPolicy': (args) => ({
    id: str(args.inputs['repository']) ?? args.name,
    state: { registryId: args.ctx.accountId },
  }),
  'aws:ecr/lifecyclePolicy:LifecyclePolicy': (args) => ({
    id: str(args.inputs['repository']) ?? args.name,
    state: { registryId: args.ctx.accountId },
  }),
  'aws:signer/signingProfile:SigningProfile': (args) => {
    const name =
      str(args.inputs['name']) ??
      `${str(args.inputs['namePrefix']) ?? ''}${args.name}`.replace(/[^a-zA-Z0-9_]/g, '_');
    const profileArn = arn(args.ctx, 'signer', `/signing-profiles/${name}`);
    const version = stableHex(10, profileArn, JSON.stringify(args.inputs['signatureValidityPeriod'] ?? null));
    return {
      id: name,
      state: {
        name,
        arn: profileArn,
        version,
        versionArn: `${profileArn}/${version}`,
        status: 'Active',
        platformDisplayName: 'Notation for Container Registries',
        revocationRecords: [],
      },
    };
  },
  'aws:signer/signingProfilePermission:SigningProfilePermission': (args) => ({
    id: str(args.inputs['statementId']) ?? args.name,
    state: {},
  }),
  'aws:iam/role:Role': (args) => {
    const name = physicalName(args);
    return {
      id: name,
      state: { name, arn: iamArn(args, 'role', name), uniqueId: `AROA${stableHex(17, name).toUpperCase()}` },
    };
  },
  'aws:iam/policy:Policy': (args) => {
    const name = physicalName(args);
    const policyArn = iamArn(args, 'policy', name);
    return {
      id: policyArn,
      state: { name, arn: policyArn, policyId: `ANPA${stableHex(17, name).toUpperCase()}` },
    };
  },
  'aws:iam/rolePolicy:RolePolicy': (args) => ({
    id: `${str(args.inputs['role']) ?? 'role'}:${physicalName(args)}`,
    state: { name: physicalName(args) },
  }),
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment': (args) => ({
    id: `${str(args.inputs['role']) ?? 'role'}-${stableHex(8, args.name)}`,
    state: {},
  }),
  'aws:iam/openIdConnectProvider:OpenIdConnectProvider': (args) => {
    const url = (str(args.inputs['url']) ?? `oidc.${args.name}`).replace(/^https:\/\//, '');
    const providerArn = arn(args.ctx, 'iam', `oidc-provider/${url}`, '');
    return { id: providerArn, state: { arn: providerArn } };
  },
  'aws:cloudwatch/logGroup:LogGroup': (args) => {
    const name = physicalName(args);
    return { id: name, state: { name, arn: arn(args.ctx, 'logs', `log-group:${name}`) } };
  },
  'aws:s3/bucket:Bucket': s3Bucket,
  'aws:s3/bucketV2:BucketV2': s3Bucket,
  'aws:sns/topic:Topic': (args) => {
    const name = physicalName(args);
    const topicArn = arn(args.ctx, 'sns', name);
    return { id: topicArn, state: { name, arn: topicArn } };
  },
  // SQS queue ARNs carry the name alone; the URL is the queue's id.
  'aws:sqs/queue:Queue': (args) => {
    const name = physicalName(args);
    const url = `https://sqs.${args.ctx.region}.${dnsSuffixOf(args.ctx.partition)}/${args.ctx.accountId}/${name}`;
    return { id: url, state: { name, url, arn: arn(args.ctx, 'sqs', name) } };
  },
  'aws:cloudwatch/eventRule:EventRule': (args) => {
    const name = physicalName(args);
    return { id: name, state: { name, arn: arn(args.ctx, 'events', `rule/${name}`) } };
  },
  'aws:lambda/function:Function': (args) => {
    const name = physicalName(args);
    return { id: name, state: { name, arn: arn(args.ctx, 'lambda', `function:${name}`) } };
  },
  'aws:codebuild/project:Project': (args) => {
    const name = physicalName(args);
    const projectArn = arn(args.ctx, 'codebuild', `project/${name}`);
    return { id: projectArn, state: { name, arn: projectArn } };
  },
  'aws:codepipeline/pipeline:Pipeline': (args) => {
    const name = physicalName(args);
    return { id: name, state: { name, arn: arn(args.ctx, 'codepipeline', name) } };
  },
  'aws:codecommit/repository:Repository': (args) => {
    const name = str(args.inputs['repositoryName']) ?? args.name;
    return {
      id: name,
      state: {
        repositoryName: name,
        arn: arn(args.ctx, 'codecommit', name),
        repositoryId: stableUuid(name),
        cloneUrlHttp: `https://git-codecommit.${args.ctx.region}.${dnsSuffixOf(args.ctx.partition)}/v1/repos/${name}`,
      },
    };
  },
  'aws:eks/cluster:Cluster': (args) => {
    const name = physicalName(args);
    return { id: name, state: eksClusterState(args, name) };
  },
  'aws:eks/nodeGroup:NodeGroup': (args) => {
    const cluster = str(args.inputs['clusterName']) ?? 'cluster';
    const name = str(args.inputs['nodeGroupName']) ?? args.name;
    return {
      id: `${cluster}:${name}`,
      state: {
        nodeGroupName: name,
        arn: arn(args.ctx, 'eks', `nodegroup/${cluster}/${name}/${stableUuid(name)}`),
        status: 'ACTIVE',
      },
    };
  },
  'aws:eks/accessEntry:AccessEntry': (args) => {
    const cluster = str(args.inputs['clusterName']) ?? 'cluster';
    return {
      id: `${cluster}:${str(args.inputs['principalArn']) ?? args.name}`,
      state: { accessEntryArn: arn(args.ctx, 'eks', `access-entry/${cluster}/${stableUuid(args.name)}`) },
    };
  },
  'aws:eks/addon:Addon': (args) => {
    const cluster = str(args.inputs['clusterName']) ?? 'cluster';
    const addon = str(args.inputs['addonName']) ?? args.name;
    return {
      id: `${cluster}:${addon}`,
      state: { arn: arn(args.ctx, 'eks', `addon/${cluster}/${addon}/${stableUuid(addon)}`) },
    };
  },
  'eks:index:Cluster': (args) => {
    const name = str(args.inputs['name']) ?? args.name;
    const cluster = eksClusterState(args, name);
    const oidcUrl = cluster.identities[0]?.oidcs[0]?.issuer.replace(/^https:\/\//, '') ?? '';
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: {
            server: cluster.endpoint,
            'certificate-authority-data': cluster.certificateAuthority.data,
          },
        },
      ],
      contexts: [{ name: 'aws', context: { cluster: name, user: 'aws' } }],
      'current-context': 'aws',
      users: [
        {
          name: 'aws',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'aws',
              args: ['eks', 'get-token', '--cluster-name', name, '--output', 'json'],
            },
          },
        },
      ],
    };
    const oidcProviderArn = arn(args.ctx, 'iam', `oidc-provider/${oidcUrl}`, '');
    return {
      id: name,
      state: {
        // The real component marks kubeconfigs secret: they carry the cluster endpoint and CA.
        kubeconfig: pulumi.secret(kubeconfig),
        kubeconfigJson: pulumi.secret(JSON.stringify(kubeconfig)),
        eksCluster: cluster,
        clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
        nodeSecurityGroupId: `sg-${stableHex(17, name, 'nodes')}`,
        oidcProviderArn,
        oidcProviderUrl: oidcUrl,
        oidcIssuer: oidcUrl,
        core: {
          cluster,
          oidcProvider: { arn: oidcProviderArn, url: oidcUrl },
          clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
          endpoint: cluster.endpoint,
        },
      },
    };
  },
  'kubernetes:helm.sh/v3:Release': (args) => {
    const name = str(args.inputs['name']) ?? args.name;
    const namespace = str(args.inputs['namespace']) ?? 'default';
    return {
      id: `${namespace}/${name}`,
      state: {
        name,
        status: {
          name,
          namespace,
          chart: args.inputs['chart'],
          version: args.inputs['version'],
          status: 'deployed',
          revision: 1,
        },
      },
    };
  },
};

function s3Bucket(args: ResourceStateArgs): ComputedState {
  const bucket =
    str(args.inputs['bucket']) ?? `${args.name}-${stableHex(7, args.name, args.ctx.accountId)}`.toLowerCase();
  const suffix = dnsSuffixOf(args.ctx.partition);
  return {
    id: bucket,
    state: {
      bucket,
      arn: `arn:${args.ctx.partition}:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.${suffix}`,
      bucketRegionalDomainName: `${bucket}.s3.${args.ctx.region}.${suffix}`,
      region: args.ctx.region,
    },
  };
}

function eksClusterState(args: ResourceStateArgs, name: string) {
  const clusterId = stableHex(32, 'eks', name, args.ctx.accountId, args.ctx.region).toUpperCase();
  const suffix = dnsSuffixOf(args.ctx.partition);
  return {
    name,
    arn: arn(args.ctx, 'eks', `cluster/${name}`),
    endpoint: `https://${clusterId}.gr7.${args.ctx.region}.eks.${suffix}`,
    status: 'ACTIVE',
    platformVersion: 'eks.1',
    version: str(args.inputs['version']) ?? '1.33',
    certificateAuthority: { data: Buffer.from(`placeholder CA for ${name}`).toString('base64') },
    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${args.ctx.region}.${suffix}/id/${clusterId}` }] }],
    vpcConfig: {
      ...(typeof args.inputs['vpcConfig'] === 'object' && args.inputs['vpcConfig'] !== null
        ? args.inputs['vpcConfig']
        : {}),
      clusterSecurityGroupId: `sg-${stableHex(17, name, 'cluster')}`,
      vpcId: `vpc-${stableHex(17, name)}`,
    },
  };
}
