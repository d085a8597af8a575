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
