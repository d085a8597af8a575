import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeStackConfig,
  EKS_OUTPUT_KEYS,
  KUBERNETES_API_AUDIENCE,
  KYVERNO_API_CALL_AUDIENCE,
  KYVERNO_IMAGE_SLOTS,
} from '@signet/platform';
import {
  isSecretValue,
  runStackProgram,
  useAppWorkspace,
  type AppWorkspace,
  type RecordedResource,
  type StackProgramResult,
  pluginMirrorOutputFixture,
} from '@signet/platform/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eksConfig } from './config.js';

const stackDir = join(import.meta.dirname, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

function upstream(env: string) {
  const repo = (app: string) => ({
    name: `signet-${env}/${app}`,
    arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${app}`,
    url: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${env}/${app}`,
  });
  const profile = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
  const profileOutput = (name: string) => ({
    name,
    arn: profile(name),
    versionArn: `${profile(name)}/a1B2c3D4e5`,
  });
  return {
    [`organization/signet-networking/${env}`]: {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '10.30.0.0/16',
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb', 'subnet-0cccccccccccccccc'],
      publicSubnetIds: ['subnet-0dddddddddddddddd'],
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      endpointSecurityGroupId: 'sg-0123456789abcdef0',
      deployerSecurityGroupId: 'sg-0fedcba9876543210',
    },
    [`organization/signet-ecr/${env}`]: {
      repositories: { 'hello-server': repo('hello-server') },
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
    [`organization/signet-signer/${env}`]: {
      pluginMirror: pluginMirrorOutputFixture(env, ACCOUNT, REGION),
      profiles: {
        'hello-server': {
          pipeline: profileOutput(`signet_${env}_hello_server`),
          release: profileOutput(`signet_${env}_hello_server_release`),
        },
      },
      trustedIdentities: [
        profile(`signet_${env}_hello_server`),
        profile(`signet_${env}_hello_server_release`),
      ],
    },
  };
}

async function run(env: string, configOverrides?: Record<string, unknown>): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({
    stackDir,
    env,
    // A promoting environment also reads the building environment's signing profiles (dev's).
    stackReferences: { ...upstream('dev'), ...upstream('staging'), ...upstream(env) },
    ...(configOverrides && { configOverrides }),
  });
}

function ofType(result: StackProgramResult, type: string): RecordedResource[] {
  return result.recorded.filter((r) => r.type === type);
}

function one(result: StackProgramResult, type: string, name: string): RecordedResource {
  const found = result.recorded.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Helm values are untyped YAML

const releaseValues = (result: StackProgramResult, name: string): Values =>
  json<Values>(one(result, 'kubernetes:helm.sh/v3:Release', name).inputs['values']);

const verifierDeployment = (result: StackProgramResult): Values =>
  json<Values>(one(result, 'kubernetes:apps/v1:Deployment', 'verifier-deployment').inputs);
const verifierContainer = (result: StackProgramResult): Values =>
  verifierDeployment(result)['spec']['template']['spec']['containers'][0];

const PIN = `@sha256:${'1'.repeat(64)}`;

let dev: StackProgramResult;
let prod: StackProgramResult;
let workspace: AppWorkspace;

beforeAll(async () => {
  // The program discovers its apps from the workspace it runs in: one app, whatever the real workspace holds.
  workspace = useAppWorkspace([
    {
      name: 'hello-server',
      namespace: 'hello-server',
      port: 8080,
      environments: ['dev', 'staging', 'prod'],
      manifests: 'deploy',
    },
  ]);
  dev = await run('dev');
  prod = await run('prod');
});

afterAll(() => {
  workspace.restore();
});

beforeEach(() => {
  vi.resetModules();
});

describe('signet-eks cluster', () => {
  it('keeps the API endpoint private, pins the version, sends all five log types and uses access entries', () => {
    const cluster = one(prod, 'eks:index:Cluster', 'cluster-eks').inputs;
    expect(cluster).toMatchObject({
      name: 'signet-prod-cluster',
      version: '1.33',
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
      authenticationMode: 'API',
      createOidcProvider: true,
      skipDefaultNodeGroup: true,
      nodeAssociatePublicIpAddress: false,
      deletionProtection: true,
      enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      vpcId: 'vpc-0123456789abcdef0',
      privateSubnetIds: upstream('prod')['organization/signet-networking/prod']?.['privateSubnetIds'],
    });
    expect(cluster['publicAccessCidrs']).toBeUndefined();
    expect(cluster['publicSubnetIds']).toBeUndefined();
  });

  it('opens the public endpoint only to configured CIDRs', async () => {
    const result = await run('dev', { 'signet-eks:publicAccessCidrs': ['198.51.100.0/24'] });
    expect(one(result, 'eks:index:Cluster', 'cluster-eks').inputs).toMatchObject({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ['198.51.100.0/24'],
    });
  });

  it('encrypts secrets and control-plane logs with a rotating key the cluster role may use', () => {
    const [key] = ofType(prod, 'aws:kms/key:Key');
    expect(key?.inputs).toMatchObject({ enableKeyRotation: true });
    const keyArn = key?.state['arn'];
    expect(one(prod, 'eks:index:Cluster', 'cluster-eks').inputs['encryptionConfigKeyArn']).toBe(keyArn);
    expect(one(prod, 'aws:cloudwatch/logGroup:LogGroup', 'cluster-control-plane-logs').inputs).toMatchObject({
      name: '/aws/eks/signet-prod-cluster/cluster',
      retentionInDays: 365,
      kmsKeyId: keyArn,
    });
    const policy = json<{ Statement: { Action: string[]; Resource: string[] }[] }>(
      one(prod, 'aws:iam/rolePolicy:RolePolicy', 'cluster-cluster-role-secrets-key').inputs['policy'],
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'],
        Resource: [keyArn],
      }),
    ]);
  });

  it('lets only the EKS control plane of this cluster assume the cluster role; the node role is for EC2', () => {
    for (const [result, env] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const clusterName = one(result, 'eks:index:Cluster', 'cluster-eks').inputs['name'];
      expect(clusterName).toBe(`signet-${env}-cluster`);
      const trust = json<{ Statement: Record<string, unknown>[] }>(
        one(result, 'aws:iam/role:Role', 'cluster-cluster-role').inputs['assumeRolePolicy'],
      );
      expect(trust.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'eks.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${String(clusterName)}` },
          },
        }),
      ]);
      const nodeTrust = json<{ Statement: Record<string, unknown>[] }>(
        one(result, 'aws:iam/role:Role', 'cluster-node-role').inputs['assumeRolePolicy'],
      );
      expect(nodeTrust.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'ec2.amazonaws.com' }, Action: ['sts:AssumeRole'] }),
      ]);
    }
  });

  it('runs nodes in the private subnets only, sized per environment, with IMDSv2 at hop limit 1', () => {
    const nodes = (r: StackProgramResult) => one(r, 'eks:index:ManagedNodeGroup', 'cluster-nodes').inputs;
    expect(nodes(prod)).toMatchObject({
      subnetIds: upstream('prod')['organization/signet-networking/prod']?.['privateSubnetIds'],
      capacityType: 'ON_DEMAND',
      scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 9 },
    });
    for (const result of [dev, prod]) {
      const template = one(result, 'aws:ec2/launchTemplate:LaunchTemplate', 'cluster-nodes');
      // IMDSv2 only, and a Pod (one hop behind the node) gets no answer from the metadata service.
      expect(template.inputs['metadataOptions']).toEqual({
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      });
      expect(template.id).toBeDefined();
      // The node group follows the template's latest version (a new template is at version 1).
      expect(nodes(result)['launchTemplate']).toEqual({ id: template.id, version: '1' });
      // The node group's own IMDS switch would make @pulumi/eks build a second template.
      expect(nodes(result)['enableIMDSv2']).toBeUndefined();
    }
    expect(
      one(prod, 'aws:ec2/launchTemplate:LaunchTemplate', 'cluster-nodes').inputs['blockDeviceMappings'],
    ).toEqual([
      {
        deviceName: '/dev/xvda',
        ebs: { volumeSize: 50, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      },
    ]);
    expect(nodes(dev)).toMatchObject({
      capacityType: 'SPOT',
      scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 },
    });
  });

  it('enforces NetworkPolicies with the VPC CNI add-on, whose permissions are on its own service account', () => {
    for (const result of [dev, prod]) {
      const cni = one(result, 'eks:index:VpcCniAddon', 'cluster-vpc-cni');
      const cniRole = one(result, 'aws:iam/role:Role', 'cluster-vpc-cni-role');
      expect(cni.inputs).toMatchObject({
        // Pinned for Kubernetes 1.33, never "latest on the day of an up".
        addonVersion: 'v1.20.1-eksbuild.3',
        enableNetworkPolicy: true,
        serviceAccountRoleArn: cniRole.state['arn'],
        resolveConflictsOnCreate: 'OVERWRITE',
      });
      const trust = json<{ Statement: { Condition: { StringEquals: Record<string, string> } }[] }>(
        cniRole.inputs['assumeRolePolicy'],
      );
      expect(Object.values(trust.Statement[0]?.Condition.StringEquals ?? {})).toContain(
        'system:serviceaccount:kube-system:aws-node',
      );
      const attachments = ofType(result, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment');
      const cniPolicy = attachments.filter((a) =>
        String(a.inputs['policyArn']).endsWith('/AmazonEKS_CNI_Policy'),
      );
      expect(cniPolicy.map((a) => a.name)).toEqual(['cluster-vpc-cni-role-AmazonEKS_CNI_Policy']);
      const nodeRole = one(result, 'aws:iam/role:Role', 'cluster-node-role');
      const nodePolicies = attachments
        .filter((a) => a.inputs['role'] === nodeRole.state['name'])
        .map((a) => String(a.inputs['policyArn']).split('/').pop());
      expect(nodePolicies.sort()).toEqual([
        'AmazonEC2ContainerRegistryPullOnly',
        'AmazonEKSWorkerNodePolicy',
      ]);
    }
  });
});

describe('signet-eks Kyverno', () => {
  it('runs 3 admission replicas with a PodDisruptionBudget spread over zones outside dev, 1 in dev', () => {
    const prodValues = releaseValues(prod, 'kyverno-release');
    expect(prodValues['admissionController']['replicas']).toBe(3);
    expect(prodValues['admissionController']['podDisruptionBudget']).toEqual({
      enabled: true,
      minAvailable: 2,
    });
    expect(prodValues['admissionController']['topologySpreadConstraints'][0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
    });
    const devValues = releaseValues(dev, 'kyverno-release');
    expect(devValues['admissionController']['replicas']).toBe(1);
    expect(devValues['admissionController']['podDisruptionBudget']).toEqual({ enabled: false });
  });

  it('pins the chart by digest, never forces failures to be ignored and excludes system namespaces by name', () => {
    const release = one(prod, 'kubernetes:helm.sh/v3:Release', 'kyverno-release').inputs;
    expect(release).toMatchObject({
      name: 'kyverno',
      // Pulled by the digest committed in Pulumi.prod.yaml (signet-eks:kyvernoChartDigest).
      chart: `oci://ghcr.io/kyverno/charts/kyverno@sha256:${'0'.repeat(64)}`,
      version: '3.9.0',
      namespace: 'kyverno',
    });
    expect(release['repositoryOpts']).toBeUndefined();
    const values = releaseValues(prod, 'kyverno-release');
    expect(values['features']['forceFailurePolicyIgnore']).toEqual({ enabled: false });
    expect(values['webhooksCleanup']).toMatchObject({ enabled: true });
    expect(values['config']['webhooks']['namespaceSelector']['matchExpressions']).toEqual([
      {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['kube-system', 'kube-public', 'kube-node-lease', 'kyverno', 'kyverno-notation-aws'],
      },
    ]);
    expect(values['config']['resourceFiltersIncludeNamespaces']).toEqual(['kyverno-notation-aws']);
  });

  it('sends the verifier a token of its own audience, never one the API server accepts', () => {
    for (const result of [dev, prod]) {
      const token = releaseValues(result, 'kyverno-release')['apiCallToken'];
      expect(token).toEqual({ audience: KYVERNO_API_CALL_AUDIENCE, expirationSeconds: 600 });
      expect(token['audience']).not.toBe(KUBERNETES_API_AUDIENCE);
    }
  });

  it('renders every image of the chart by digest, in every environment', () => {
    for (const result of [dev, prod]) {
      const values = releaseValues(result, 'kyverno-release');
      for (const path of Object.values(KYVERNO_IMAGE_SLOTS)) {
        const image = path.reduce((node: Values, key) => node[key], values);
        expect(image['tag'], path.join('.')).toMatch(/^v1\.19\.0@sha256:[0-9a-f]{64}$/);
        expect(image['registry'], path.join('.')).toMatch(/^(reg\.kyverno\.io|ghcr\.io)$/);
      }
    }
  });
});

describe('signet-eks verifier', () => {
  it('renders the upstream verifier itself, in the stack region, without --debug, by digest, with its IRSA role', () => {
    expect(ofType(prod, 'kubernetes:helm.sh/v3:Release').map((r) => r.name)).toEqual(['kyverno-release']);
    const role = one(prod, 'aws:iam/role:Role', 'verifier-role');
    for (const result of [dev, prod]) {
      const container = verifierContainer(result);
      expect(container['env']).toContainEqual({ name: 'AWS_REGION', value: REGION });
      expect(container['args']).not.toContain('--debug');
      expect(container['args']).toContain('--cacheTTLDurationSeconds=300');
      expect(container['args']).toContain('--reviewKyvernoToken=false');
      expect(container['image']).toMatch(/^ghcr\.io\/nirmata\/kyverno-notation-aws@sha256:[0-9a-f]{64}$/);
      expect(container['resources']['limits']).toEqual({ memory: '1024Mi' });
    }
    expect(
      json<Values>(one(prod, 'kubernetes:core/v1:ServiceAccount', 'verifier-serviceaccount').inputs)[
        'metadata'
      ],
    ).toMatchObject({
      name: 'kyverno-notation-aws',
      namespace: 'kyverno-notation-aws',
      annotations: { 'eks.amazonaws.com/role-arn': role.state['arn'] },
    });
    expect(
      json<Values>(one(prod, 'kubernetes:core/v1:Service', 'verifier-service').inputs)['metadata']['name'],
    ).toBe('kyverno-notation-aws-svc');
    const crds = ofType(prod, 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition').map(
      (c) => json<Values>(c.inputs)['metadata']['name'],
    );
    expect(crds.sort()).toEqual(['trustpolicies.notation.nirmata.io', 'truststores.notation.nirmata.io']);
  });

  it('runs 3 verifier replicas with a PodDisruptionBudget spread over zones outside dev, 1 in dev', async () => {
    const staging = await run('staging');
    for (const result of [staging, prod]) {
      expect(verifierDeployment(result)['spec']['replicas']).toBe(3);
      expect(
        json<Values>(
          one(result, 'kubernetes:policy/v1:PodDisruptionBudget', 'verifier-poddisruptionbudget').inputs,
        )['spec'],
      ).toMatchObject({
        maxUnavailable: 1,
      });
      const spread = verifierDeployment(result)['spec']['template']['spec']['topologySpreadConstraints'];
      expect(spread.map((c: Values) => c['topologyKey'])).toContain('topology.kubernetes.io/zone');
    }
    expect(verifierDeployment(dev)['spec']['replicas']).toBe(1);
    expect(ofType(dev, 'kubernetes:policy/v1:PodDisruptionBudget')).toEqual([]);
  });

  it('accepts connections only from Kyverno admission controller Pods', () => {
    const policy = json<Values>(
      one(prod, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', 'verifier-networkpolicy').inputs,
    );
    expect(policy['metadata']['namespace']).toBe('kyverno-notation-aws');
    expect(policy['spec']).toMatchObject({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(policy['spec']['ingress']).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyverno' } },
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/component': 'admission-controller',
                'app.kubernetes.io/instance': 'kyverno',
              },
            },
          },
        ],
      },
    ]);
  });

  it('lets only its service account assume the role, through the cluster OIDC provider with the STS audience', () => {
    const cluster = one(prod, 'eks:index:Cluster', 'cluster-eks');
    const oidcArn = cluster.state['oidcProviderArn'] as string;
    const issuer = cluster.state['oidcProviderUrl'] as string;
    const trust = json<{ Statement: Record<string, unknown>[] }>(
      one(prod, 'aws:iam/role:Role', 'verifier-role').inputs['assumeRolePolicy'],
    );
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Federated: oidcArn },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: 'system:serviceaccount:kyverno-notation-aws:kyverno-notation-aws',
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      }),
    ]);
  });

  it('grants ECR read of the app repositories and revocation checks of the trusted profiles only', () => {
    const policy = json<{ Statement: { Sid: string; Action: string[]; Resource: string[] }[] }>(
      one(prod, 'aws:iam/rolePolicy:RolePolicy', 'verifier-role-policy').inputs['policy'],
    );
    const refs = upstream('prod');
    const repoArn = (
      refs['organization/signet-ecr/prod']?.['repositories'] as Record<string, { arn: string }>
    )['hello-server']?.arn;
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.every((a) => a.startsWith('ecr:') || a === 'signer:GetRevocationStatus')).toBe(true);
    expect(actions).not.toContain('ecr:PutImage');
    expect(policy.Statement.find((s) => s.Sid === 'ReadApplicationRepositories')?.Resource).toEqual([
      repoArn,
    ]);
    const revocation = policy.Statement.find((s) => s.Action.includes('signer:GetRevocationStatus'));
    expect(revocation?.Resource).toEqual(
      expect.arrayContaining(refs['organization/signet-signer/prod']?.['trustedIdentities'] as string[]),
    );
  });

  it("switches to a fork chart with several replicas, its cache TTL and Kyverno's scoped token audience", async () => {
    const fork = {
      implementation: 'fork',
      repository: 'oci://ghcr.io/example/charts',
      chart: 'notation-aws-verifier',
      version: '1.0.0',
      image: `ghcr.io/example/notation-aws-verifier:1.0.0${PIN}`,
      cacheTtlSeconds: 300,
      replicas: 3,
    };
    const result = await run('prod', { 'signet-eks:verifier': fork });
    expect(ofType(result, 'kubernetes:apps/v1:Deployment')).toEqual([]);
    const release = one(result, 'kubernetes:helm.sh/v3:Release', 'verifier-release').inputs;
    expect(release).toMatchObject({
      name: 'notation-aws-verifier',
      chart: 'oci://ghcr.io/example/charts/notation-aws-verifier',
      version: '1.0.0',
    });
    expect(release['repositoryOpts']).toBeUndefined();
    const values = releaseValues(result, 'verifier-release');
    expect(values['replicaCount']).toBe(3);
    expect(values['podDisruptionBudget']).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(values['cache']).toEqual({ enabled: true, ttlSeconds: 300 });
    expect(values['image']).toEqual({
      repository: 'ghcr.io/example/notation-aws-verifier',
      tag: `1.0.0${PIN}`,
    });
    expect(values['tokenReview']).toEqual({
      enabled: true,
      allowedUsers: ['system:serviceaccount:kyverno:kyverno-admission-controller'],
      audiences: [KYVERNO_API_CALL_AUDIENCE],
    });
    expect(releaseValues(result, 'kyverno-release')['apiCallToken']).toEqual({
      audience: KYVERNO_API_CALL_AUDIENCE,
      expirationSeconds: 600,
    });
    // The same network rule guards a fork.
    expect(ofType(result, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').map((p) => p.name)).toEqual([
      'verifier-networkpolicy',
    ]);
    const policy = json<Values>(
      one(result, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy').inputs,
    );
    expect(JSON.stringify(policy)).toContain(
      'https://notation-aws-verifier-svc.kyverno-notation-aws.svc:443/checkimages',
    );
  });
});

describe('signet-eks trust and admission', () => {
  it("has two TrustPolicies per app in prod, each for exactly the app's repository and exactly one identity: dev's build, prod's release", () => {
    const trustPolicies = ofType(prod, 'kubernetes:notation.nirmata.io/v1alpha1:TrustPolicy');
    expect(trustPolicies.map((r) => r.name)).toEqual([
      'admission-trust-policy-hello-server',
      'admission-trust-policy-hello-server-release',
    ]);
    const profile = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
    const expected = [
      ['signet-app-hello-server', profile('signet_dev_hello_server')],
      ['signet-app-hello-server-release', profile('signet_prod_hello_server_release')],
    ];
    trustPolicies.forEach((trustPolicy, i) => {
      const [name, identity] = expected[i] ?? [];
      const spec = json<Values>(trustPolicy.inputs['spec']);
      expect(json<Values>(trustPolicy.inputs['metadata'])['name']).toBe(name);
      expect(spec['trustPolicyName']).toBe(name);
      expect(spec['trustPolicies']).toEqual([
        {
          name,
          registryScopes: [`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-prod/hello-server`],
          trustedIdentities: [identity],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-signer-ts'],
        },
      ]);
    });
    // In dev, one: the build identity, dev's own pipeline profile.
    const devPolicies = ofType(dev, 'kubernetes:notation.nirmata.io/v1alpha1:TrustPolicy');
    expect(
      devPolicies.map((r) => json<Values>(r.inputs['spec'])['trustPolicies'][0]['trustedIdentities']),
    ).toEqual([[profile('signet_dev_hello_server')]]);
    const store = one(prod, 'kubernetes:notation.nirmata.io/v1alpha1:TrustStore', 'admission-trust-store');
    expect(json<Values>(store.inputs['spec'])).toMatchObject({
      trustStoreName: 'aws-signer-ts',
      type: 'signingAuthority',
    });
    expect(json<Values>(store.inputs['spec'])['caBundle']).toContain('BEGIN CERTIFICATE');
  });

  it("enforces fail-closed in prod in every namespace but the system ones, the app's namespace under the app's trust policy", () => {
    const policy = one(prod, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy').inputs;
    const spec = json<Values>(policy['spec']);
    expect(spec['webhookConfiguration']['failurePolicy']).toBe('Fail');
    expect(spec['rules'].map((rule: Values) => rule['name'])).toEqual([
      'images-hello-server',
      'signed-hello-server',
      'relsig-hello-server',
      'no-app-namespace',
    ]);
    // Two verifier calls for the app's Pods: the build policy, then the release policy.
    expect(JSON.stringify(spec['rules'][2]['context'])).toContain('"signet-app-hello-server-release"');
    spec['rules'].splice(2, 1);
    for (const rule of spec['rules']) {
      expect(rule['validate']['failureAction']).toBe('Enforce');
      expect(rule['validate']['allowExistingViolations']).toBe(false);
      // Pod alone, so Kyverno derives the rules for Pod controllers (proven in admission.engine.test.ts).
      expect(rule['match']['any'][0]['resources']['kinds']).toEqual(['Pod']);
    }
    expect(spec['rules'][0]['match']['any'][0]['resources']['namespaces']).toEqual(['hello-server']);
    expect(spec['rules'][1]['match']['any'][0]['resources']['namespaces']).toEqual(['hello-server']);
    expect(spec['rules'][2]['match']['any'][0]['resources']['namespaces']).toBeUndefined();
    expect(spec['rules'][2]['exclude']['any'][0]['resources']['namespaces']).toEqual([
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'kyverno',
      'kyverno-notation-aws',
      'hello-server',
    ]);
    expect(spec['rules'][1]['validate']['deny']['conditions']['all'][0]['key']).toBe(
      '{{ verification.verified == `true` }}',
    );
    const call = JSON.stringify(spec['rules'][1]['context']);
    expect(call).toContain('https://kyverno-notation-aws-svc.kyverno-notation-aws.svc:443/checkimages');
    expect(call).toContain('"signet-app-hello-server"');
    expect(call).not.toContain('"default"');
  });

  it('deploys the backstop ValidatingAdmissionPolicy, bound to deny, with the environment repositories', () => {
    const vap = one(
      prod,
      'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy',
      'admission-image-backstop',
    );
    const spec = json<Values>(vap.inputs['spec']);
    expect(spec['failurePolicy']).toBe('Fail');
    expect(JSON.stringify(spec['variables'])).toContain(
      `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-prod/hello-server@sha256:`,
    );
    const binding = one(
      prod,
      'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding',
      'admission-image-backstop',
    );
    expect(json<Values>(binding.inputs['spec'])).toEqual({
      policyName: 'signet-image-backstop',
      validationActions: ['Deny'],
    });
  });

  it('admits listed platform images in their namespace, and refuses a tag or a system namespace with the key and value', async () => {
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/platform/agent@sha256:${'ab'.repeat(32)}`;
    const result = await run('prod', { 'signet-eks:platformImages': { monitoring: [image] } });
    const spec = json<Values>(
      one(result, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy').inputs['spec'],
    );
    const platform = spec['rules'].find((rule: Values) => rule['name'] === 'platform-monitoring');
    expect(platform['match']['any'][0]['resources']['namespaces']).toEqual(['monitoring']);
    expect(platform['validate']['pattern']['spec']['containers']).toEqual([{ image }]);
    await expect(
      run('prod', {
        'signet-eks:platformImages': { monitoring: ['public.ecr.aws/x/agent:1.0'], 'kube-system': [image] },
      }),
    ).rejects.toThrow(
      /signet-eks:platformImages\.monitoring\[0\].*"public\.ecr\.aws\/x\/agent:1\.0".*an image by digest[\s\S]*signet-eks:platformImages\.kube-system.*"kube-system"/,
    );
  });

  it('allows Audit in dev only, and marks the namespace accordingly', async () => {
    const result = await run('dev', { 'signet-eks:admissionFailureAction': 'Audit' });
    const spec = json<Values>(
      one(result, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy').inputs['spec'],
    );
    expect(spec['rules'].map((r: Values) => r['validate']['failureAction'])).toEqual([
      'Audit',
      'Audit',
      'Audit',
    ]);
    expect(spec['webhookConfiguration']['failurePolicy']).toBe('Fail');
    const ns = one(result, 'kubernetes:core/v1:Namespace', 'admission-ns-hello-server').inputs;
    expect(json<Values>(ns['metadata'])['labels']['signet.dev/image-verification']).toBe('audit');
  });

  it('lets Kyverno read only the verifier TLS secret', () => {
    const role = one(
      prod,
      'kubernetes:rbac.authorization.k8s.io/v1:Role',
      'admission-read-verifier-tls',
    ).inputs;
    expect(role['rules']).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['kyverno-notation-aws-svc.kyverno-notation-aws.svc.tls-pair'],
        verbs: ['get'],
      },
    ]);
    const binding = one(
      prod,
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
      'admission-read-verifier-tls',
    );
    expect(binding.inputs['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'kyverno-admission-controller', namespace: 'kyverno' },
    ]);
  });

  it('creates one namespace per app, Pod Security restricted, labelled for the policy', () => {
    const namespaces = ofType(prod, 'kubernetes:core/v1:Namespace').filter((n) =>
      n.name.startsWith('admission-ns-'),
    );
    expect(namespaces.map((n) => json<Values>(n.inputs['metadata'])['name'])).toEqual(['hello-server']);
    expect(json<Values>(namespaces[0]?.inputs['metadata'])['labels']).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'signet.dev/app': 'hello-server',
      'signet.dev/image-verification': 'enforce',
    });
  });

  it('talks to the new cluster through a secret kubeconfig, never an ambient one', () => {
    const providers = ofType(prod, 'pulumi:providers:kubernetes');
    expect(providers).toHaveLength(1);
    const kubeconfig = providers[0]?.inputs['kubeconfig'];
    expect(isSecretValue(kubeconfig)).toBe(true);
    const cluster = one(prod, 'eks:index:Cluster', 'cluster-eks');
    const endpoint = (cluster.state['eksCluster'] as { endpoint: string }).endpoint;
    expect(
      JSON.parse(String((kubeconfig as { value: unknown }).value))['clusters'][0]['cluster']['server'],
    ).toBe(endpoint);
  });
});

describe('signet-eks outputs and config', () => {
  it('exports exactly the eks contract, the kubeconfig as a secret', () => {
    expect(Object.keys(prod.outputs).sort()).toEqual([...EKS_OUTPUT_KEYS].sort());
    expect(prod.outputs['kubeconfig']).toBe('[secret]');
    expect(prod.outputs['clusterName']).toBe('signet-prod-cluster');
    expect(prod.outputs['appNamespaces']).toEqual({ 'hello-server': 'hello-server' });
    expect(prod.outputs['admissionPolicyName']).toBe('signet-verify-images');
    expect(String(prod.outputs['oidcProviderArn'])).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\//);
  });

  it('refuses a public endpoint open to the internet', async () => {
    await expect(run('dev', { 'signet-eks:publicAccessCidrs': ['0.0.0.0/0'] })).rejects.toThrow(
      'signet-eks (Pulumi.dev.yaml): key "signet-eks:publicAccessCidrs" has value ["0.0.0.0/0"]; allowed: a list of IPv4 CIDR blocks with a prefix from /16 to /32 (never 0.0.0.0/0)',
    );
  });

  it('takes a vpc-cni add-on version from config, and requires one for a Kubernetes minor Signet pins none for', async () => {
    const pinned = await run('dev', { 'signet-eks:vpcCniAddonVersion': 'v1.21.1-eksbuild.8' });
    expect(one(pinned, 'eks:index:VpcCniAddon', 'cluster-vpc-cni').inputs['addonVersion']).toBe(
      'v1.21.1-eksbuild.8',
    );
    await expect(run('dev', { 'signet-eks:kubernetesVersion': '1.34' })).rejects.toThrow(
      'signet-eks (Pulumi.dev.yaml): key "signet-eks:vpcCniAddonVersion" is missing; allowed: an EKS add-on version v<major>.<minor>.<patch>-eksbuild.<build>',
    );
    await expect(run('dev', { 'signet-eks:vpcCniAddonVersion': 'latest' })).rejects.toThrow(
      'key "signet-eks:vpcCniAddonVersion" has value "latest"; allowed: an EKS add-on version',
    );
  });

  it('opens the private endpoint to the deployer security group of the networking stack, on 443 only', () => {
    const rules = ofType(prod, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) =>
      r.name.startsWith('cluster-api-from-client-'),
    );
    expect(
      rules.map((r) => [
        r.inputs['referencedSecurityGroupId'],
        r.inputs['ipProtocol'],
        r.inputs['fromPort'],
        r.inputs['toPort'],
      ]),
    ).toEqual([['sg-0fedcba9876543210', 'tcp', 443, 443]]);
    expect(rules[0]?.inputs['securityGroupId']).toBe(prod.outputs['clusterSecurityGroupId']);
  });

  it('refuses a Kyverno chart pinned by version only', async () => {
    await expect(run('prod', { 'signet-eks:kyvernoChartDigest': '3.9.0' })).rejects.toThrow(
      'signet-eks (Pulumi.prod.yaml): key "signet-eks:kyvernoChartDigest" has value "3.9.0"; allowed: sha256:<64 lowercase hex>',
    );
  });

  it('refuses Audit outside dev', async () => {
    await expect(run('prod', { 'signet-eks:admissionFailureAction': 'Audit' })).rejects.toThrow(
      'signet-eks (Pulumi.prod.yaml): key "signet-eks:admissionFailureAction" has value "Audit"; allowed: "Enforce" in prod (Audit is for dev only)',
    );
  });

  it('refuses fewer than 3 Kyverno admission replicas outside dev', async () => {
    await expect(run('staging', { 'signet-eks:kyvernoAdmissionReplicas': 1 })).rejects.toThrow(
      'signet-eks (Pulumi.staging.yaml): key "signet-eks:kyvernoAdmissionReplicas" has value 1; allowed: at least 3 in staging',
    );
  });

  it('refuses a verifier cache TTL above an hour', async () => {
    const verifier = {
      implementation: 'upstream',
      image: `ghcr.io/nirmata/kyverno-notation-aws${PIN}`,
      cacheTtlSeconds: 7200,
      replicas: 1,
    };
    await expect(run('dev', { 'signet-eks:verifier': verifier })).rejects.toThrow(
      `key "signet-eks:verifier" has value ${JSON.stringify(verifier)}; allowed: { implementation: "upstream", image: <pin>, replicas: 1..10, cacheTtlSeconds: 30..3600`,
    );
  });

  it('refuses fewer than 3 verifier replicas outside dev, whichever backend', async () => {
    const image = `ghcr.io/nirmata/kyverno-notation-aws${PIN}`;
    await expect(
      run('staging', { 'signet-eks:verifier': { implementation: 'upstream', image, replicas: 1 } }),
    ).rejects.toThrow(
      'signet-eks (Pulumi.staging.yaml): key "signet-eks:verifier.replicas" has value 1; allowed: at least 3 in staging, where the verifier must be highly available',
    );
    const fork = {
      implementation: 'fork',
      repository: 'https://charts.example.org/verifier',
      chart: 'notation-aws-verifier',
      version: '1.0.0',
      image,
      cacheTtlSeconds: 300,
      replicas: 2,
    };
    await expect(run('prod', { 'signet-eks:verifier': fork })).rejects.toThrow(
      'signet-eks (Pulumi.prod.yaml): key "signet-eks:verifier.replicas" has value 2; allowed: at least 3 in prod, where the verifier must be highly available',
    );
  });

  it('refuses an image by tag, for the verifier and for every Kyverno image, in every environment', async () => {
    await expect(
      run('dev', {
        'signet-eks:verifier': {
          implementation: 'upstream',
          image: 'ghcr.io/nirmata/kyverno-notation-aws:v1.1',
          replicas: 1,
        },
      }),
    ).rejects.toThrow(
      'signet-eks (Pulumi.dev.yaml): key "signet-eks:verifier.image" has value "ghcr.io/nirmata/kyverno-notation-aws:v1.1"; allowed: an image reference pinned by digest',
    );
    const images = Object.fromEntries(
      Object.keys(KYVERNO_IMAGE_SLOTS)
        .filter((slot) => slot !== 'readinessCheckerTests')
        .map((slot) => [slot, `reg.kyverno.io/kyverno/${slot}:v1.19.0${PIN}`]),
    );
    await expect(
      run('prod', {
        'signet-eks:kyvernoImages': {
          ...images,
          readinessChecker: 'ghcr.io/kyverno/readiness-checker:latest',
        },
      }),
    ).rejects.toThrow(
      'signet-eks (Pulumi.prod.yaml): key "signet-eks:kyvernoImages.readinessChecker" has value "ghcr.io/kyverno/readiness-checker:latest"; allowed: an image reference pinned by digest',
    );
    const { cli: _cli, ...missingCli } = images;
    await expect(run('prod', { 'signet-eks:kyvernoImages': missingCli })).rejects.toThrow(
      'key "signet-eks:kyvernoImages" has value',
    );
  });

  it('refuses node group sizes out of order', async () => {
    const nodeGroup = {
      instanceTypes: ['m6i.large'],
      capacityType: 'ON_DEMAND',
      minSize: 4,
      desiredSize: 3,
      maxSize: 6,
      diskSizeGiB: 50,
    };
    await expect(run('prod', { 'signet-eks:nodeGroup': nodeGroup })).rejects.toThrow(
      'key "signet-eks:nodeGroup" has value {"instanceTypes":["m6i.large"],"capacityType":"ON_DEMAND","minSize":4,"desiredSize":3,"maxSize":6,"diskSizeGiB":50}; allowed: an object with instanceTypes',
    );
  });

  it('refuses unknown keys', async () => {
    await expect(run('dev', { 'signet-eks:publicEndpoint': true })).rejects.toThrow(
      'signet-eks (Pulumi.dev.yaml): key "signet-eks:publicEndpoint" is not a known key',
    );
  });

  it('documents every config key in docs/eks.md', () => {
    const docs = readFileSync(join(stackDir, '..', '..', 'docs', 'eks.md'), 'utf8');
    for (const row of describeStackConfig(eksConfig)) expect(docs).toContain(`\`${row.key}\``);
  });
});
