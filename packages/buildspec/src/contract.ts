/**
 * The environment contract between the buildspecs and the signing-pipeline stack. Buildspecs
 * are account-agnostic: what is known only at deploy time reaches them as environment
 * variables that each stage's CodeBuild project sets, and what one stage learns (the digest it
 * pushed) reaches the next ones as CodePipeline variables exported by the Build action.
 */

/** The four pipeline stages, named as in the pipeline. */
export const Stage = {
  Build: 'Build',
  ApplicationSigning: 'ApplicationSigning',
  ApplicationDeployment: 'ApplicationDeployment',
  VerifyContainerSign: 'VerifyContainerSign',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** The stages in pipeline order. */
export const STAGE_ORDER: readonly Stage[] = [
  Stage.Build,
  Stage.ApplicationSigning,
  Stage.ApplicationDeployment,
  Stage.VerifyContainerSign,
];

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
} as const;
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

/** The environment contract of every stage. Each buildspec checks its variables at its start. */
export const STAGE_ENVIRONMENT: Readonly<Record<Stage, StageEnvironment>> = {
  [Stage.Build]: {
    deployTime: [DeployVariable.RepositoryUri],
    fromBuild: [],
    codebuild: [CodeBuildVariable.Region, CodeBuildVariable.ResolvedSourceVersion],
    exports: [
      ExportedVariable.ImageTag,
      ExportedVariable.ImageDigest,
      ExportedVariable.ImageUri,
      ExportedVariable.SbomDigest,
    ],
  },
  [Stage.ApplicationSigning]: {
    deployTime: [DeployVariable.RepositoryUri, DeployVariable.SigningProfileArn, DeployVariable.TrustPolicy],
    fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri, ExportedVariable.SbomDigest],
    codebuild: [CodeBuildVariable.Region],
    exports: [],
  },
  [Stage.ApplicationDeployment]: {
    deployTime: [DeployVariable.RepositoryUri, DeployVariable.ClusterName],
    fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri],
    codebuild: [CodeBuildVariable.Region],
    exports: [],
  },
  [Stage.VerifyContainerSign]: {
    deployTime: [DeployVariable.RepositoryUri, DeployVariable.ClusterName],
    fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri],
    codebuild: [CodeBuildVariable.Region],
    exports: [],
  },
};

/** File name of a stage's buildspec inside `buildspecs/<app>/<environment>/`. */
export const STAGE_FILE: Readonly<Record<Stage, string>> = {
  [Stage.Build]: 'build.yml',
  [Stage.ApplicationSigning]: 'application-signing.yml',
  [Stage.ApplicationDeployment]: 'application-deployment.yml',
  [Stage.VerifyContainerSign]: 'verify-container-sign.yml',
};

/** Path of a committed buildspec relative to the workspace root (the CodeBuild source root). */
export function buildspecPath(app: string, environment: string, stage: Stage): string {
  return `buildspecs/${app}/${environment}/${STAGE_FILE[stage]}`;
}
