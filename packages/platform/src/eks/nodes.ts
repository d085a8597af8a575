/**
 * Facts about the cluster's nodes and their network plugin, as plain data (no Pulumi): the launch
 * template of the managed node group and the VPC CNI add-on's settings.
 */

/** The VPC CNI's service account (the `aws-node` DaemonSet in kube-system), trusted by its IRSA role. */
export const CNI_SERVICE_ACCOUNT = { namespace: 'kube-system', serviceAccount: 'aws-node' } as const;

/** AWS managed policy the VPC CNI needs (ENI and IP assignment); attached to its own role only. */
export const CNI_MANAGED_POLICY = 'AmazonEKS_CNI_Policy';

/** Settings of the `vpc-cni` EKS add-on. */
export const VPC_CNI_ADDON = {
  // Runs the network policy agent: NetworkPolicies are enforced, not only stored.
  enableNetworkPolicy: true,
  // The add-on takes over the CNI EKS installed with the cluster, and Signet's values win on update.
  resolveConflictsOnCreate: 'OVERWRITE',
  resolveConflictsOnUpdate: 'OVERWRITE',
} as const;

/**
 * The `vpc-cni` add-on version pinned per Kubernetes minor, so that an add-on upgrade is a change
 * here (or the `signet-eks:vpcCniAddonVersion` override) and never whatever EKS calls latest on the
 * day of an `up`. Source: the "Amazon VPC CNI versions" table of the EKS User Guide, which lists
 * v1.20.1-eksbuild.3 as the latest add-on version for Kubernetes 1.33
 * (https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html#vpc-cni-latest-available-version).
 * Network policy enforcement needs v1.14 or later
 * (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html). A newer build is
 * listed by `aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version <minor>`.
 */
export const VPC_CNI_ADDON_VERSIONS: Readonly<Record<string, string>> = {
  '1.33': 'v1.20.1-eksbuild.3',
};

/** How an EKS add-on version is written: `v<major>.<minor>.<patch>-eksbuild.<build>`. */
export const EKS_ADDON_VERSION_PATTERN = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

/** What {@link vpcCniAddonVersion} accepts as an override, for messages. */
export const VPC_CNI_ADDON_VERSION_ALLOWED =
  'an EKS add-on version v<major>.<minor>.<patch>-eksbuild.<build>, e.g. "v1.20.1-eksbuild.3" (list them with `aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version <minor>`)';

/**
 * The `vpc-cni` add-on version of a cluster: the override when given, else the version pinned for
 * its Kubernetes minor. Undefined when neither exists (the caller reports it: a new minor needs a
 * pin, never "latest").
 */
export function vpcCniAddonVersion(kubernetesVersion: string, override?: string): string | undefined {
  return override ?? VPC_CNI_ADDON_VERSIONS[kubernetesVersion];
}

/** Instance metadata hops allowed: 1 reaches the node itself, not a Pod behind the node's network. */
export const NODE_IMDS_HOP_LIMIT = 1;

/** Launch template arguments of the managed node group: IMDSv2 with hop limit 1, an encrypted gp3 root volume. */
export function buildNodeLaunchTemplate(
  namePrefix: string,
  diskSizeGiB: number,
): {
  readonly namePrefix: string;
  readonly updateDefaultVersion: true;
  readonly metadataOptions: {
    readonly httpEndpoint: 'enabled';
    readonly httpTokens: 'required';
    readonly httpPutResponseHopLimit: number;
  };
  readonly blockDeviceMappings: {
    deviceName: string;
    ebs: { volumeSize: number; volumeType: 'gp3'; encrypted: 'true'; deleteOnTermination: 'true' };
  }[];
} {
  return {
    namePrefix: `${namePrefix}-`,
    updateDefaultVersion: true,
    metadataOptions: {
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      httpPutResponseHopLimit: NODE_IMDS_HOP_LIMIT,
    },
    // AL2023 EKS AMIs boot from /dev/xvda.
    blockDeviceMappings: [
      {
        deviceName: '/dev/xvda',
        ebs: { volumeSize: diskSizeGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      },
    ],
  };
}
