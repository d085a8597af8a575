import * as aws from '@pulumi/aws';
import * as eks from '@pulumi/eks';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  buildClusterSecretsRolePolicy,
  buildEksClusterRoleTrustPolicy,
  buildIrsaTrustPolicy,
  buildEksNodeRoleTrustPolicy,
  cloudWatchLogsKeyGrant,
  CLUSTER_ROLE_MANAGED_POLICIES,
  NODE_ROLE_MANAGED_POLICIES,
} from '@signet/policies';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { kmsAliasName, physicalName } from '../naming.js';
import { buildEndpointAccess, CONTROL_PLANE_LOG_TYPES } from './endpoint.js';
import {
  buildNodeLaunchTemplate,
  CNI_MANAGED_POLICY,
  CNI_SERVICE_ACCOUNT,
  EKS_ADDON_VERSION_PATTERN,
  VPC_CNI_ADDON,
  VPC_CNI_ADDON_VERSION_ALLOWED,
  VPC_CNI_ADDON_VERSIONS,
  vpcCniAddonVersion,
} from './nodes.js';

/** Size and kind of the managed node group. */
export interface NodeGroupSettings {
  readonly instanceTypes: readonly string[];
  /** `ON_DEMAND`, or `SPOT` where interruptions are acceptable (dev). */
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume size in GiB. */
  readonly diskSizeGiB: number;
}

/** Arguments of {@link SignetCluster}. */
export interface SignetClusterArgs {
  readonly environment: Environment;
  /** Kubernetes minor version, pinned (e.g. `1.33`); upgrades are explicit config changes. */
  readonly kubernetesVersion: string;
  /** The networking stack's VPC. */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets, one per zone: control-plane network interfaces and nodes go here only. */
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** CIDRs allowed to reach the public API endpoint. Default none: the public endpoint is off. */
  readonly publicAccessCidrs?: readonly string[];
  readonly nodeGroup: NodeGroupSettings;
  /** Retention of the control-plane log group (days). */
  readonly logRetentionDays: number;
  /** IAM roles given cluster-admin through access entries. Default none. */
  readonly clusterAdminRoleArns?: readonly string[];
  /** Refuse deletion of the cluster until turned off. Default true. */
  readonly deletionProtection?: boolean;
  /** Region of the stack (for the log group's key grant). */
  readonly region: string;
  /**
   * The `vpc-cni` add-on version. Default: the version Signet pins for `kubernetesVersion`
   * (VPC_CNI_ADDON_VERSIONS); required for a minor Signet pins none for.
   */
  readonly vpcCniAddonVersion?: string;
  /**
   * Security groups inside the VPC that reach the private API endpoint (443): the deployer's, which
   * runs `pulumi up` of this stack from the private subnets. Default none.
   */
  readonly endpointClientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

/**
 * An EKS cluster as Signet runs it: pinned version, private endpoint, secrets encrypted with a
 * rotating KMS key, all control-plane logs in an encrypted log group, access entries only, an OIDC
 * provider for service-account roles, and a managed node group in the private subnets. Exposes the
 * Kubernetes provider every in-cluster resource uses.
 */
export class SignetCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly clusterSecurityGroupId: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly oidcProviderUrl: pulumi.Output<string>;
  /** Kubeconfig JSON (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly secretsKeyArn: pulumi.Output<string>;
  /** The Kubernetes provider bound to this cluster. */
  public readonly provider: k8s.Provider;
  /** The nodes: in-cluster workloads (Kyverno, the verifier) wait for them. */
  public readonly nodeGroup: eks.ManagedNodeGroup;

  constructor(name: string, args: SignetClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:SignetCluster', name, {}, opts);
    const endpointAccess = buildEndpointAccess(args.publicAccessCidrs ?? []);
    if (!/^1\.\d{2}$/.test(args.kubernetesVersion)) {
      throw new Error(
        `SignetCluster ${name}: kubernetesVersion has value "${args.kubernetesVersion}"; allowed: a Kubernetes minor version such as "1.33"`,
      );
    }
    const cniVersion = vpcCniAddonVersion(args.kubernetesVersion, args.vpcCniAddonVersion);
    if (cniVersion === undefined || !EKS_ADDON_VERSION_PATTERN.test(cniVersion)) {
      throw new Error(
        `SignetCluster ${name}: vpcCniAddonVersion has value ${JSON.stringify(cniVersion ?? null)}; allowed: ${VPC_CNI_ADDON_VERSION_ALLOWED}, required for Kubernetes ${args.kubernetesVersion} (pinned for ${Object.keys(VPC_CNI_ADDON_VERSIONS).join(', ')})`,
      );
    }
    const { minSize, desiredSize, maxSize } = args.nodeGroup;
    if (!(minSize >= 1 && minSize <= desiredSize && desiredSize <= maxSize)) {
      throw new Error(
        `SignetCluster ${name}: nodeGroup sizes are min ${minSize}, desired ${desiredSize}, max ${maxSize}; allowed: 1 <= minSize <= desiredSize <= maxSize`,
      );
    }

    const clusterName = physicalName(args.environment, 'cluster');
    // Remote components (@pulumi/eks) do not inherit providers from their parent: hand the stack's
    // AWS provider (region, default tags) to them explicitly.
    const awsProvider = this.getProvider('aws::');
    const remoteOpts = { parent: this, ...(awsProvider && { providers: { aws: awsProvider } }) };
    // EKS writes control-plane logs to this fixed group; creating it first gives it retention and encryption.
    const logGroupName = `/aws/eks/${clusterName}/cluster`;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;

    const key = new KmsKey(
      `${name}-key`,
      {
        description: `Signet ${args.environment}: EKS secrets and control-plane logs of ${clusterName}`,
        aliasName: kmsAliasName(args.environment, 'eks'),
        serviceGrants: pulumi
          .all([identity.accountId, partition])
          .apply(([accountId, p]) => [
            cloudWatchLogsKeyGrant({ accountId, partition: p, region: args.region, logGroupName }),
          ]),
      },
      { parent: this },
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: key.keyArn },
      { parent: this },
    );

    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      {
        name: physicalName(args.environment, 'eks-cluster'),
        assumeRolePolicy: pulumi
          .all([identity.accountId, partition])
          .apply(([accountId, p]) =>
            JSON.stringify(
              buildEksClusterRoleTrustPolicy({ accountId, partition: p, region: args.region, clusterName }),
            ),
          ),
      },
      { parent: this },
    );
    const clusterRoleAttachments = CLUSTER_ROLE_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-role-${policy}`,
          {
            role: clusterRole.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`,
          },
          { parent: this },
        ),
    );
    const secretsKeyAccess = new aws.iam.RolePolicy(
      `${name}-cluster-role-secrets-key`,
      {
        role: clusterRole.name,
        policy: key.keyArn.apply((arn) => JSON.stringify(buildClusterSecretsRolePolicy(arn))),
      },
      { parent: this },
    );

    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      {
        name: physicalName(args.environment, 'eks-node'),
        assumeRolePolicy: JSON.stringify(buildEksNodeRoleTrustPolicy()),
      },
      { parent: this },
    );
    const nodeRoleAttachments = NODE_ROLE_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-role-${policy}`,
          { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` },
          { parent: this },
        ),
    );

    const accessEntries = Object.fromEntries(
      (args.clusterAdminRoleArns ?? []).map((principalArn, i) => [
        `admin-${i}`,
        {
          principalArn,
          type: eks.AccessEntryType.Standard,
          accessPolicies: {
            admin: {
              policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
              accessScope: { type: 'cluster' },
            },
          },
        },
      ]),
    );

    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        name: clusterName,
        version: args.kubernetesVersion,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds,
        nodeAssociatePublicIpAddress: false,
        ...endpointAccess,
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries,
        createOidcProvider: true,
        encryptionConfigKeyArn: key.keyArn,
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        serviceRole: clusterRole,
        skipDefaultNodeGroup: true,
        deletionProtection: args.deletionProtection ?? true,
      },
      { ...remoteOpts, dependsOn: [logGroup, secretsKeyAccess, ...clusterRoleAttachments] },
    );

    // The private endpoint is reachable from inside the VPC only by the groups named here.
    (args.endpointClientSecurityGroupIds ?? []).forEach((groupId, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-api-from-client-${i}`,
        {
          securityGroupId: cluster.clusterSecurityGroupId,
          description: 'Signet deployer to the EKS API server',
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          referencedSecurityGroupId: groupId,
        },
        { parent: this },
      );
    });

    // The VPC CNI as an EKS add-on: NetworkPolicies are enforced (its network policy agent), and its
    // AWS permissions come from its own service account (IRSA), not from the node role every Pod's
    // node shares. It adopts the CNI EKS installs with the cluster.
    const cniRole = new aws.iam.Role(
      `${name}-vpc-cni-role`,
      {
        name: physicalName(args.environment, 'vpc-cni'),
        assumeRolePolicy: cluster.oidcProviderArn.apply((oidcProviderArn) =>
          JSON.stringify(buildIrsaTrustPolicy({ oidcProviderArn, ...CNI_SERVICE_ACCOUNT })),
        ),
      },
      { parent: this },
    );
    const cniRolePolicy = new aws.iam.RolePolicyAttachment(
      `${name}-vpc-cni-role-${CNI_MANAGED_POLICY}`,
      {
        role: cniRole.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${CNI_MANAGED_POLICY}`,
      },
      { parent: this },
    );
    const cni = new eks.VpcCniAddon(
      `${name}-vpc-cni`,
      {
        clusterName: cluster.eksCluster.apply((c) => c.name),
        ...VPC_CNI_ADDON,
        addonVersion: cniVersion,
        serviceAccountRoleArn: cniRole.arn,
      },
      { ...remoteOpts, dependsOn: [cniRolePolicy] },
    );

    // IMDSv2 only, hop limit 1: a Pod (one hop further than the node) cannot reach the node's credentials.
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      buildNodeLaunchTemplate(physicalName(args.environment, 'nodes'), args.nodeGroup.diskSizeGiB),
      { parent: this },
    );

    this.nodeGroup = new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeGroupName: physicalName(args.environment, 'nodes'),
        nodeRole,
        // Managed node groups balance instances across these subnets, so nodes span every zone.
        subnetIds: args.privateSubnetIds,
        instanceTypes: [...args.nodeGroup.instanceTypes],
        capacityType: args.nodeGroup.capacityType,
        scalingConfig: { minSize, desiredSize, maxSize },
        amiType: 'AL2023_x86_64_STANDARD',
        // Disk and instance metadata options live in the launch template.
        launchTemplate: {
          id: launchTemplate.id,
          version: pulumi.interpolate`${launchTemplate.latestVersion}`,
        },
      },
      // Nodes join once the CNI has its own permissions (the node role has none for it).
      { ...remoteOpts, dependsOn: [...nodeRoleAttachments, cni] },
    );

    this.clusterName = cluster.eksCluster.apply((c) => c.name);
    this.clusterArn = cluster.eksCluster.apply((c) => c.arn);
    this.endpoint = cluster.eksCluster.apply((c) => c.endpoint);
    this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.oidcProviderUrl = cluster.oidcProviderUrl;
    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    this.secretsKeyArn = key.keyArn;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      endpoint: this.endpoint,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      oidcProviderArn: this.oidcProviderArn,
      oidcProviderUrl: this.oidcProviderUrl,
      kubeconfig: this.kubeconfig,
      secretsKeyArn: this.secretsKeyArn,
    });
  }
}
