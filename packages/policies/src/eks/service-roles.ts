import { assertArn } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import {
  IAM_POLICY_VERSION,
  policyDocument,
  type IamPolicyDocument,
  type IamTrustPolicyDocument,
} from '../iam/document.js';
import { eksClusterArn, ServicePrincipal, sourceConditions, type RegionalScope } from '../iam/scope.js';

/** EKS cluster names: 1 to 100 characters of `[A-Za-z0-9_-]`, starting with a letter or digit. */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Input of {@link buildEksClusterRoleTrustPolicy}. */
export interface EksClusterRoleTrustInput extends RegionalScope {
  /** The name of the one cluster that uses the role. */
  readonly clusterName: string;
}

/**
 * Trust policy of the cluster role: only the EKS control plane of the named cluster, in this
 * account, may assume it. EKS documents `aws:SourceArn` (the cluster ARN) and `aws:SourceAccount`
 * for the cluster role's trust policy, since the actions the role allows only ever affect the
 * cluster's own account
 * (https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html).
 * The cluster's ARN is known before the cluster exists (region, account and name), so the
 * condition names it exactly. EKS tags its sessions (`sts:TagSession`); the conditions cover both
 * actions of the one request.
 * https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html
 */
export function buildEksClusterRoleTrustPolicy(input: EksClusterRoleTrustInput): IamTrustPolicyDocument {
  if (!CLUSTER_NAME.test(input.clusterName)) {
    throw new PolicyInputError({
      path: 'clusterName',
      value: input.clusterName,
      allowed: '1 to 100 characters of [A-Za-z0-9_-], starting with a letter or digit',
    });
  }
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'ServiceAssumesRole',
        Effect: 'Allow',
        Principal: { Service: ServicePrincipal.Eks },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: sourceConditions(input.accountId, eksClusterArn(input, input.clusterName)),
      },
    ],
  };
}

/**
 * Trust policy of the node role: EC2 assumes it for the instances of the managed node group,
 * through their instance profile. It carries no `aws:SourceArn`/`aws:SourceAccount` condition:
 * EKS's confused-deputy guidance covers the cluster role only, and its node role page documents
 * this trust without conditions (https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html).
 * EC2 assumes the role for whichever instance carries the instance profile, and those instances
 * come and go with the node group, so there is no one resource to name; and a role reaches an
 * instance only through `iam:PassRole` by a principal of this account, which is what binds it to
 * this account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html).
 */
export function buildEksNodeRoleTrustPolicy(): IamTrustPolicyDocument {
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'ServiceAssumesRole',
        Effect: 'Allow',
        Principal: { Service: ServicePrincipal.Ec2 },
        Action: ['sts:AssumeRole'],
      },
    ],
  };
}

/**
 * What the cluster role needs to encrypt Kubernetes secrets with the cluster's key, and nothing
 * more: https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export function buildClusterSecretsRolePolicy(keyArn: string): IamPolicyDocument {
  assertArn(keyArn, 'kmsKey', 'keyArn');
  return policyDocument([
    {
      Sid: 'EncryptClusterSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'],
      Resource: [keyArn],
    },
  ]);
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
