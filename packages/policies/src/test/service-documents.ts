// The documents of the account's services (keys, repositories, flow logs, EKS roles), in each of
// their variants, for the tests that walk every document the package builds. Not part of the build.
import { buildRepositoryPolicy } from '../ecr/repository-policy.js';
import {
  buildClusterSecretsRolePolicy,
  buildEksClusterRoleTrustPolicy,
  buildEksNodeRoleTrustPolicy,
} from '../eks/service-roles.js';
import type {
  IamPolicyDocument,
  IamRepositoryPolicyDocument,
  IamResourcePolicyDocument,
  IamTrustPolicyDocument,
} from '../iam/document.js';
import { notificationsKeyGrant, pipelineLogsKeyGrant } from '../iam/pipeline.js';
import { buildKmsKeyPolicy, cloudWatchLogsKeyGrant } from '../kms/key-policy.js';
import { buildFlowLogsDeliveryRolePolicy, buildFlowLogsTrustPolicy } from '../network/flow-logs.js';
import { ACCOUNT, KMS_KEY_ARN, LOG_GROUP_ARN, REGION } from './fixtures.js';

const scope = { accountId: ACCOUNT, partition: 'aws', region: REGION } as const;

/** Who may push and who may administer an app repository, as the ecr stack names them. */
export const REPOSITORY_ACCESS = {
  writerRoleArns: [`arn:aws:iam::${ACCOUNT}:role/signet-dev-hello-server-build`],
  administratorPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/signet-dev-deployer`],
} as const;

/** Identity policies of service roles; they meet the least-privilege rules of every role policy. */
export const SERVICE_ROLE_DOCUMENTS: Record<string, readonly IamPolicyDocument[]> = {
  buildFlowLogsDeliveryRolePolicy: [buildFlowLogsDeliveryRolePolicy(LOG_GROUP_ARN)],
  buildClusterSecretsRolePolicy: [buildClusterSecretsRolePolicy(KMS_KEY_ARN)],
};

/** Trust policies of roles an AWS service assumes. */
export const SERVICE_TRUST_DOCUMENTS: Record<string, readonly IamTrustPolicyDocument[]> = {
  buildEksClusterRoleTrustPolicy: [
    buildEksClusterRoleTrustPolicy({ ...scope, clusterName: 'signet-dev-cluster' }),
  ],
  buildEksNodeRoleTrustPolicy: [buildEksNodeRoleTrustPolicy()],
  buildFlowLogsTrustPolicy: [buildFlowLogsTrustPolicy(scope)],
};

/** Key and repository policies. */
export const SERVICE_RESOURCE_DOCUMENTS: Record<
  string,
  readonly (IamResourcePolicyDocument | IamRepositoryPolicyDocument)[]
> = {
  buildKmsKeyPolicy: [
    buildKmsKeyPolicy(scope),
    buildKmsKeyPolicy({
      ...scope,
      serviceGrants: [
        cloudWatchLogsKeyGrant({ ...scope, logGroupName: '/signet/dev/vpc-flow-logs' }),
        pipelineLogsKeyGrant({ ...scope, logGroupPrefix: '/signet/dev/pipeline/hello-server/' }),
        notificationsKeyGrant({ region: REGION }),
      ],
    }),
  ],
  buildRepositoryPolicy: [
    buildRepositoryPolicy({ ...scope, ...REPOSITORY_ACCESS }),
    buildRepositoryPolicy({
      ...scope,
      ...REPOSITORY_ACCESS,
      extraPullPrincipalArns: ['arn:aws:iam::444455556666:role/nodes'],
    }),
  ],
};
