// Sample inputs shared by the tests and the CRD check script. Not part of the build.
import type { ImageVerificationPolicyInput } from '../admission/cluster-policy.js';
import { notationAwsVerifierCall, type VerifierServiceInput } from '../admission/verifier-call.js';

export const ACCOUNT = '111122223333';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
export const HELLO_REPO = `${REGISTRY}/hello-server`;
export const BILLING_REPO = `${REGISTRY}/team-a/billing`;
export const AGENT_IMAGE = `${REGISTRY}/platform/agent@sha256:${'ab'.repeat(32)}`;
export const PROFILE_ARN = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/signet_dev`;
export const PROFILE_VERSION_ARN = `${PROFILE_ARN}/a1B2c3D4e5`;
export const SECURITY_PROFILE_ARN = 'arn:aws:signer:us-east-1:444455556666:/signing-profiles/security_team';
export const GOV_PROFILE_ARN = `arn:aws-us-gov:signer:us-gov-west-1:${ACCOUNT}:/signing-profiles/signet_gov`;

export const HELLO_REPO_ARN = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/hello-server`;
export const BILLING_REPO_ARN = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team-a/billing`;
export const LOG_GROUP_ARN = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/hello-server-build`;
export const BUCKET_ARN = 'arn:aws:s3:::signet-dev-hello-server-artifacts';
export const KMS_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const CLUSTER_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/signet-dev`;
export const OIDC_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;

export const VERIFIER = { serviceName: 'svc', namespace: 'kyverno-notation-aws' } as const;

/** A ClusterPolicy input with kyverno-notation-aws as the verifier, described by its service. */
export function admissionInput(
  overrides: Partial<Omit<ImageVerificationPolicyInput, 'verifier'>> & {
    readonly verifier?: VerifierServiceInput;
  } = {},
): ImageVerificationPolicyInput {
  const { verifier = VERIFIER, ...rest } = overrides;
  return {
    apps: [
      { name: 'hello-server', namespace: 'hello-server', repositoryUrl: HELLO_REPO },
      { name: 'billing', namespace: 'billing', repositoryUrl: BILLING_REPO },
    ],
    platformImages: { monitoring: [AGENT_IMAGE] },
    kyvernoNamespace: 'kyverno',
    failureAction: 'Enforce',
    ...rest,
    verifier: notationAwsVerifierCall(verifier),
  };
}

export const REGION = 'us-east-1';
export const PROJECT_ARNS = ['build', 'application-signing'].map(
  (stage) => `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/signet-dev-hello-server-${stage}`,
);
export const CODECOMMIT_REPO_ARN = `arn:aws:codecommit:us-east-1:${ACCOUNT}:signet-dev-hello-server`;
export const CONNECTION_ARN = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`;
export const CODESTAR_CONNECTION_ARN = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`;
export const PIPELINE_ARN = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:signet-dev-hello-server`;
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:signet-dev-pipeline-notifications`;
export const SUBNET_IDS = ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'];
