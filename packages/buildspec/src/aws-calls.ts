/**
 * The AWS calls a stage makes with its role, derived from its buildspec's commands and the tools
 * they run, and from what CodeBuild itself does with the role (logs, artifacts). Each stage entry of
 * the catalog lists its calls; the least-privilege test of stacks/signing-pipeline evaluates the
 * planned role policy against them (every call allowed) and against dangerous calls (denied).
 *
 * Sources for the tools' calls:
 * - pushing an image (docker, oras, notation): BatchCheckLayerAvailability, InitiateLayerUpload,
 *   UploadLayerPart, CompleteLayerUpload, PutImage, after GetAuthorizationToken
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html);
 * - pulling a manifest or blob (resolving a subject, `notation inspect`/`verify`): BatchGetImage,
 *   GetDownloadUrlForLayer (https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html);
 * - `notation sign` with the AWS Signer plugin: signer:SignPayload on the profile; `notation verify`
 *   at level strict: signer:GetRevocationStatus on the profile and the signing job
 *   (https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html);
 * - `aws eks update-kubeconfig`: eks:DescribeCluster; kubectl's token (`aws eks get-token`) is a
 *   presigned sts:GetCallerIdentity, which needs no permission
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html);
 * - `aws s3 cp` of an SSE-KMS object: s3:GetObject (also what its HeadObject needs) and kms:Decrypt,
 *   which S3 calls with the caller's credentials
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
 * - CodeBuild: its log streams and the pipeline's artifacts
 *   (https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html).
 *
 * The network-interface calls of a VPC build are CodeBuild's, under conditions on the subnet; the
 * signing-pipeline stack test holds them to the private subnets.
 */

/** What a call acts on; the test maps each to the planned ARN of the environment's app. */
export const StageResource = {
  /** The app's ECR repository. */
  Repository: 'repository',
  /** The app's repository in the environment this one promotes from (Promote reads it). */
  SourceRepository: 'source-repository',
  /** The profile of the stage's own signing identity (`signingIdentity` of its catalog entry). */
  SigningProfile: 'signing-profile',
  /** The app's pipeline profile of the building environment, whose build signature is verified. */
  BuildSigningProfile: 'build-signing-profile',
  /** A signing job of the profile's account and region. */
  SigningJob: 'signing-job',
  /** The environment's EKS cluster. */
  Cluster: 'cluster',
  /** A log stream of the stage's own log group. */
  LogStream: 'log-stream',
  /** An object of the pipeline's artifact bucket. */
  ArtifactObject: 'artifact-object',
  /** The artifact bucket itself. */
  ArtifactBucket: 'artifact-bucket',
  /** The KMS key of the artifact bucket. */
  ArtifactKey: 'artifact-key',
  /** An object of the pinned AWS Signer plugin version in the signer stack's mirror bucket. */
  PluginMirrorObject: 'plugin-mirror-object',
  /** The KMS key of the mirror bucket. */
  PluginMirrorKey: 'plugin-mirror-key',
  /** No resource type: the call is authorised on `*`. */
  None: '*',
} as const;
export type StageResource = (typeof StageResource)[keyof typeof StageResource];

/** One AWS call of a stage. */
export interface StageAwsCall {
  /** `service:Action`. */
  readonly action: string;
  readonly on: StageResource;
  /** The command (or CodeBuild) that makes it. */
  readonly by: string;
}

const calls = (by: string, on: StageResource, actions: readonly string[]): StageAwsCall[] =>
  actions.map((action) => ({ action, on, by }));

/** What CodeBuild does with every stage's role: write its logs, fetch and store artifacts. */
export const CODEBUILD_CALLS: readonly StageAwsCall[] = [
  ...calls('CodeBuild (logs)', StageResource.LogStream, ['logs:CreateLogStream', 'logs:PutLogEvents']),
  ...calls('CodeBuild (artifacts)', StageResource.ArtifactObject, ['s3:GetObject', 's3:PutObject']),
  ...calls('CodeBuild (artifacts)', StageResource.ArtifactBucket, [
    's3:GetBucketAcl',
    's3:GetBucketLocation',
  ]),
  ...calls('CodeBuild (artifacts)', StageResource.ArtifactKey, ['kms:Decrypt', 'kms:GenerateDataKey']),
];

/** `aws ecr get-login-password` (the registry login of docker, oras and notation). */
export const ECR_LOGIN_CALLS: readonly StageAwsCall[] = calls(
  'aws ecr get-login-password',
  StageResource.None,
  ['ecr:GetAuthorizationToken'],
);

/** Pushing blobs and a manifest to the app's repository. */
export function ecrPushCalls(by: string): StageAwsCall[] {
  return calls(by, StageResource.Repository, [
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
  ]);
}

/** Reading manifests and blobs of the app's repository. */
export function ecrPullCalls(by: string): StageAwsCall[] {
  return calls(by, StageResource.Repository, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
}

/** `aws ecr describe-images` of the app's repository. */
export function ecrDescribeImagesCalls(by: string): StageAwsCall[] {
  return calls(by, StageResource.Repository, ['ecr:DescribeImages']);
}

/** `aws eks update-kubeconfig`. */
export const KUBECONFIG_CALLS: readonly StageAwsCall[] = calls(
  'aws eks update-kubeconfig',
  StageResource.Cluster,
  ['eks:DescribeCluster'],
);

/** `notation sign` with the AWS Signer plugin: the signature from Signer, pushed next to the image. */
export const NOTATION_SIGN_CALLS: readonly StageAwsCall[] = [
  ...calls('notation sign (AWS Signer plugin)', StageResource.SigningProfile, ['signer:SignPayload']),
  ...ecrPullCalls('notation sign (resolves the image)'),
  ...ecrPushCalls('notation sign (pushes the signature)'),
];

/** `notation verify` of the build signature where the image is promoted (the building environment's profile). */
export function buildSignatureVerifyCalls(on: StageResource): StageAwsCall[] {
  return [
    ...calls('notation inspect / notation verify (build signature)', on, [
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ]),
    ...calls('notation verify (revocation, AWS Signer plugin)', StageResource.BuildSigningProfile, [
      'signer:GetRevocationStatus',
    ]),
  ];
}

/** `notation verify` at level strict: the signatures, and their revocation status. */
export const NOTATION_VERIFY_CALLS: readonly StageAwsCall[] = [
  ...ecrPullCalls('notation inspect / notation verify'),
  ...calls('notation verify (revocation, AWS Signer plugin)', StageResource.SigningProfile, [
    'signer:GetRevocationStatus',
  ]),
  ...calls('notation verify (revocation, AWS Signer plugin)', StageResource.SigningJob, [
    'signer:GetRevocationStatus',
  ]),
];

/** `aws s3 cp` of the AWS Signer plugin's archive, signature and key from the signer stack's mirror. */
export const PLUGIN_MIRROR_CALLS: readonly StageAwsCall[] = [
  ...calls('aws s3 cp (AWS Signer plugin from the mirror)', StageResource.PluginMirrorObject, [
    's3:GetObject',
  ]),
  ...calls('aws s3 cp (AWS Signer plugin from the mirror)', StageResource.PluginMirrorKey, ['kms:Decrypt']),
];

/**
 * RevokeSuperseded: `oras repo tags` (the registry's tag list, which ECR authorises as ListImages),
 * `oras manifest fetch`, `oras discover` and `oras blob fetch` (manifests, referrers, the
 * envelopes), then per superseded signature of the release profile `aws signer describe-signing-job`
 * and `aws signer revoke-signature` on its job
 * (https://docs.aws.amazon.com/signer/latest/api/API_RevokeSignature.html).
 */
export const REVOKE_SUPERSEDED_CALLS: readonly StageAwsCall[] = [
  ...calls('oras repo tags', StageResource.Repository, ['ecr:ListImages']),
  ...ecrPullCalls('oras manifest fetch / discover / blob fetch'),
  ...calls('aws signer describe-signing-job', StageResource.SigningJob, ['signer:DescribeSigningJob']),
  ...calls('aws signer revoke-signature', StageResource.SigningJob, ['signer:RevokeSignature']),
];
