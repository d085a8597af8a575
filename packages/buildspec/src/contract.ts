/**
 * The environment contract between the buildspecs and the signing-pipeline stack. Buildspecs
 * are account-agnostic: what is known only at deploy time reaches them as environment
 * variables that each stage's CodeBuild project sets, and what one stage learns (the digest it
 * pushed) reaches the next ones as CodePipeline variables exported by the Build action. Which
 * stage needs which variables is each stage's entry in the stage catalog (catalog.ts).
 */

/** Variables the stack sets on a stage's CodeBuild project (deploy-time values). */
export const DeployVariable = {
  /** ECR repository URI of the app, without tag or digest. */
  RepositoryUri: 'SIGNET_REPOSITORY_URI',
  /** ARN of the AWS Signer signing profile that signs the app's images. */
  SigningProfileArn: 'SIGNET_SIGNING_PROFILE_ARN',
  /** Notation trust policy document (JSON), the same the cluster's verifier uses. */
  TrustPolicy: 'SIGNET_TRUST_POLICY',
  /** Name of the EKS cluster the app deploys to. */
  ClusterName: 'SIGNET_CLUSTER_NAME',
  /**
   * ECR repository URI the Promote stage copies from: the app's repository in the environment this
   * one promotes from (`promotesFrom` of @signet/core), without tag or digest.
   */
  PromotionSourceUri: 'SIGNET_PROMOTION_SOURCE_URI',
  /**
   * Notation trust policy (JSON) that accepts exactly the build signature: the app's build trust
   * policy of the cluster, whose only identity is the building environment's pipeline profile.
   */
  BuildTrustPolicy: 'SIGNET_BUILD_TRUST_POLICY',
  /**
   * The build trust policy with the promotion source's repository in its scope besides this
   * environment's, so the Promote stage verifies the build signature where the digest comes from,
   * before copying anything, and again where it lands.
   */
  PromotionTrustPolicy: 'SIGNET_PROMOTION_TRUST_POLICY',
  /**
   * The signer stack's bucket that mirrors the verified AWS Signer plugin builds
   * (`pluginMirror.bucketName` of its outputs): every stage that installs the plugin copies it
   * from there.
   */
  PluginMirrorBucket: 'SIGNET_PLUGIN_MIRROR_BUCKET',
} as const;
export type DeployVariable = (typeof DeployVariable)[keyof typeof DeployVariable];

/** Variables the Build stage exports (`env.exported-variables`) for the later stages. */
export const ExportedVariable = {
  /** The commit the image was built from, used as its (immutable) tag. */
  ImageTag: 'IMAGE_TAG',
  /** Manifest digest of the pushed image, `sha256:<hex>`. */
  ImageDigest: 'IMAGE_DIGEST',
  /** The image by digest: `<repository URI>@sha256:<hex>`. */
  ImageUri: 'IMAGE_URI',
  /** Digest of the SBOM attached to the image as an OCI referrer. */
  SbomDigest: 'SBOM_DIGEST',
  /**
   * Hash of exactly the manifests the image is deployed with (`manifestsSha256` of manifests.ts):
   * Build hashes the app's manifests of the commit it built, ApplicationSigning signs it into the
   * build signature's user metadata, Promote takes it from the promotion request only if the build
   * signature carries it, and ApplicationDeployment refuses manifests with another hash.
   */
  ManifestsSha256: 'MANIFESTS_SHA256',
  /** The vulnerability scan of the image's SBOM as counts per severity (`critical=0 high=0 …`), for the approver. */
  ScanSummary: 'SCAN_SUMMARY',
} as const;

/**
 * What a promoting environment's pipeline is asked to promote: the fields of the promotion request
 * (`promotion.json` at the root of its source artifact), read by the Promote stage into these shell
 * variables and checked like every other variable of the contract.
 */
export const PromotionVariable = {
  /** The manifest digest to promote, `sha256:<hex>`. */
  PromotedDigest: 'PROMOTED_DIGEST',
  /** The commit the digest was built from (its tag in every repository). */
  PromotedCommit: 'PROMOTED_COMMIT',
} as const;
export type PromotionVariable = (typeof PromotionVariable)[keyof typeof PromotionVariable];
export type ExportedVariable = (typeof ExportedVariable)[keyof typeof ExportedVariable];

/** Variables CodeBuild itself provides that the buildspecs read. */
export const CodeBuildVariable = {
  Region: 'AWS_REGION',
  ResolvedSourceVersion: 'CODEBUILD_RESOLVED_SOURCE_VERSION',
} as const;
export type CodeBuildVariable = (typeof CodeBuildVariable)[keyof typeof CodeBuildVariable];

/** What one stage needs from its environment and what it hands on. */
export interface StageEnvironment {
  /** Set by the stack on the stage's CodeBuild project. */
  readonly deployTime: readonly DeployVariable[];
  /** Mapped by the pipeline from the Build action's exported variables. */
  readonly fromBuild: readonly ExportedVariable[];
  /** Provided by CodeBuild. */
  readonly codebuild: readonly CodeBuildVariable[];
  /** Exported by this stage for later ones. */
  readonly exports: readonly ExportedVariable[];
}
