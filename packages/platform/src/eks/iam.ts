import type { IdentityPolicyStatement, PolicyDocument, ResourcePolicyStatement } from '../iam.js';

/** Trust policy of a role an AWS service assumes (EKS control plane, EC2 nodes). */
export function buildServiceTrustPolicy(
  service: 'eks.amazonaws.com' | 'ec2.amazonaws.com',
): PolicyDocument<ResourcePolicyStatement> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServiceAssumesRole',
        Effect: 'Allow',
        Principal: { Service: service },
        // EKS tags its sessions; EC2 does not need to.
        Action: service === 'eks.amazonaws.com' ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'],
      },
    ],
  };
}

/**
 * What the cluster role needs to encrypt Kubernetes secrets with the cluster's key, and nothing
 * more: https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export function buildSecretsEncryptionPolicy(keyArn: string): PolicyDocument<IdentityPolicyStatement> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EncryptClusterSecrets',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'],
        Resource: [keyArn],
      },
    ],
  };
}

/** AWS managed policies of the cluster role. */
export const CLUSTER_ROLE_MANAGED_POLICIES = ['AmazonEKSClusterPolicy'] as const;

/**
 * AWS managed policies of the node role. `AmazonEC2ContainerRegistryPullOnly` rather than
 * `…ReadOnly`: nodes pull images, they never list or describe repositories. No
 * `AmazonEKS_CNI_Policy`: the VPC CNI has its own role on its service account (SignetCluster).
 */
export const NODE_ROLE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryPullOnly',
] as const;
