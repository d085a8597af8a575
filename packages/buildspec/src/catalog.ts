/**
 * The stage catalog: every fact about a pipeline stage, in one entry per stage, in pipeline order.
 * The buildspec contract, the generators, the committed buildspec files, the pipeline's stage
 * order and approval position, each stage's IAM role policy, its VPC placement, its cluster
 * access, privileged mode, compute size and timeout are all read from here. Adding a stage is one
 * entry plus its generator (see docs/signing-pipeline.md).
 */
import { buildsImages, ENVIRONMENT_DEFINITIONS, type EnvironmentTraits } from '@signet/core';
import { STAGE_ROLE_GRANTS, type StageGrant, type StageKubernetesRule } from '@signet/policies';
import {
  CODEBUILD_CALLS,
  ECR_LOGIN_CALLS,
  ecrDescribeImagesCalls,
  ecrPullCalls,
  ecrPushCalls,
  KUBECONFIG_CALLS,
  NOTATION_SIGN_CALLS,
  NOTATION_VERIFY_CALLS,
  PLUGIN_MIRROR_CALLS,
  REVOKE_SUPERSEDED_CALLS,
  StageResource,
  buildSignatureVerifyCalls,
  type StageAwsCall,
} from './aws-calls.js';
import { CodeBuildVariable, DeployVariable, ExportedVariable, type StageEnvironment } from './contract.js';
import { BuildspecInputError } from './errors.js';
import type { BuildspecInputs } from './inputs.js';
import type { Buildspec } from './model.js';
import { buildStage } from './stages/build.js';
import { withPipelineInitiatorCheck } from './stages/common.js';
import { deploymentStage } from './stages/deployment.js';
import { promoteStage } from './stages/promote.js';
import { releaseSigningStage } from './stages/release-signing.js';
import { revokeSupersededStage } from './stages/revoke.js';
import { signingStage } from './stages/signing.js';
import { VERIFY_KUBERNETES_RULES, verifyStage } from './stages/verify.js';

/** A stage's buildspec generator: the inputs of the app and environment, and the stage's own contract. */
export type StageGenerator = (inputs: BuildspecInputs, contract: StageEnvironment) => Buildspec;

/** Where a stage's CodeBuild project runs. */
export const StageNetwork = {
  /** CodeBuild's own network: public AWS endpoints and the pinned tool downloads. */
  CodeBuild: 'codebuild',
  /** The environment's private subnets, next to the cluster's private API endpoint. */
  Vpc: 'vpc',
} as const;
export type StageNetwork = (typeof StageNetwork)[keyof typeof StageNetwork];

/** CodeBuild compute types the catalog uses (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html). */
export type StageComputeType = 'BUILD_GENERAL1_SMALL' | 'BUILD_GENERAL1_MEDIUM';

/**
 * How a stage reaches Kubernetes, always through an EKS access entry of its role and never beyond
 * the app's namespace (plus, for `rbac`, `get` of the one admission ClusterPolicy).
 */
export type StageClusterAccess =
  /** An AWS-managed EKS access policy, scoped to the app's namespace. */
  | { readonly kind: 'eks-access-policy'; readonly policy: 'AmazonEKSEditPolicy' }
  /**
   * A Kubernetes group of its own, bound by a Role in the app's namespace to exactly these rules,
   * and optionally the admission-policy readers' group.
   */
  | {
      readonly kind: 'rbac';
      readonly namespaceRules: readonly StageKubernetesRule[];
      readonly readsAdmissionPolicy: boolean;
    };

/** One stage of the catalog. */
export interface StageEntry<Name extends string = string> {
  /** The pipeline stage and action name. */
  readonly name: Name;
  /** The folder part of its project and log group names: `signet-<env>-<app>-<slug>`. */
  readonly slug: string;
  /** Suffix of its IAM role name (role names have at most 64 characters). */
  readonly roleSuffix: string;
  /** Its buildspec file in `buildspecs/<app>/<environment>/`. */
  readonly file: string;
  /** What the buildspec needs from its environment and what it hands on. */
  readonly environment: StageEnvironment;
  readonly generate: StageGenerator;
  /** What its IAM role may do, in statement order (`buildStageRolePolicy` of @signet/policies). */
  readonly roleGrants: readonly StageGrant[];
  /**
   * Every AWS call made with its role: its buildspec's commands and CodeBuild's own (see
   * aws-calls.ts). The planned role policy must allow each, and the least-privilege test holds it to that.
   */
  readonly awsCalls: readonly StageAwsCall[];
  readonly network: StageNetwork;
  /** Kubernetes access; only stages in the VPC reach the private API endpoint. */
  readonly cluster?: StageClusterAccess;
  /** Docker-in-Docker: see the Build entry, the only place this is true. */
  readonly privileged: boolean;
  readonly computeType: StageComputeType;
  /** Minutes before CodeBuild stops the build (5 to 480). */
  readonly timeoutMinutes: number;
  /**
   * A pipeline with a manual approval places it right before the first of its stages that says so
   * (one approval per pipeline): before ReleaseSigning where the environment has one, otherwise
   * before ApplicationDeployment. Nothing the environment admits is signed before it.
   */
  readonly approvalBefore: boolean;
  /**
   * The app's signing identity whose profile the stage signs with (`SIGNET_SIGNING_PROFILE_ARN`
   * and its SignWithProfile grant): `pipeline` (the build signature) or `release`. RevokeSuperseded
   * names `release` too: the profile whose superseded signatures it revokes.
   */
  readonly signingIdentity?: 'pipeline' | 'release';
  /** Environments whose pipeline has this stage (by their traits). Default: every environment. */
  readonly includedIn?: (traits: EnvironmentTraits) => boolean;
}

const ENTRIES = [
  {
    name: 'Build',
    slug: 'build',
    roleSuffix: 'build',
    file: 'build.yml',
    environment: {
      deployTime: [DeployVariable.RepositoryUri],
      fromBuild: [],
      codebuild: [CodeBuildVariable.Region, CodeBuildVariable.ResolvedSourceVersion],
      exports: [
        ExportedVariable.ImageTag,
        ExportedVariable.ImageDigest,
        ExportedVariable.ImageUri,
        ExportedVariable.SbomDigest,
        ExportedVariable.ManifestsSha256,
        ExportedVariable.ScanSummary,
      ],
    },
    generate: buildStage,
    roleGrants: STAGE_ROLE_GRANTS.build,
    // docker pulls its base images from their public registries (by digest), not from ECR.
    awsCalls: [
      ...ECR_LOGIN_CALLS,
      ...ecrDescribeImagesCalls('aws ecr describe-images (is the commit pushed already?)'),
      ...ecrPullCalls('oras discover / oras pull / syft registry scan (the image a re-run reuses)'),
      ...ecrPushCalls('docker push'),
      ...ecrPullCalls('oras attach (resolves the image)'),
      ...ecrPushCalls('oras attach (pushes the SBOM)'),
      ...CODEBUILD_CALLS,
    ],
    network: StageNetwork.CodeBuild,
    // The one place Signet relaxes the control: only Build runs `docker build`/`docker push`,
    // which needs the Docker daemon inside the build container (Docker-in-Docker), and CodeBuild
    // offers that only in privileged mode
    // (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-docker.html). Signing,
    // deployment and verification never run Docker and never get it.
    privileged: true,
    computeType: 'BUILD_GENERAL1_MEDIUM',
    timeoutMinutes: 60,
    approvalBefore: false,
    // Build once: only where images are built; later environments promote the built digest.
    includedIn: buildsImages,
  },
  {
    name: 'ApplicationSigning',
    slug: 'application-signing',
    roleSuffix: 'sign',
    file: 'application-signing.yml',
    environment: {
      deployTime: [
        DeployVariable.RepositoryUri,
        DeployVariable.SigningProfileArn,
        DeployVariable.TrustPolicy,
        DeployVariable.PluginMirrorBucket,
      ],
      fromBuild: [
        ExportedVariable.ImageDigest,
        ExportedVariable.ImageUri,
        ExportedVariable.SbomDigest,
        ExportedVariable.ManifestsSha256,
      ],
      codebuild: [CodeBuildVariable.Region],
      exports: [],
    },
    generate: signingStage,
    roleGrants: STAGE_ROLE_GRANTS.signing,
    awsCalls: [
      ...PLUGIN_MIRROR_CALLS,
      ...ECR_LOGIN_CALLS,
      ...NOTATION_SIGN_CALLS,
      ...NOTATION_VERIFY_CALLS,
      ...CODEBUILD_CALLS,
    ],
    network: StageNetwork.CodeBuild,
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    approvalBefore: false,
    // The build signature, made once, right after Build.
    signingIdentity: 'pipeline',
    includedIn: buildsImages,
  },
  {
    name: 'Promote',
    slug: 'promote',
    roleSuffix: 'promote',
    file: 'promote.yml',
    environment: {
      deployTime: [
        DeployVariable.RepositoryUri,
        DeployVariable.PromotionSourceUri,
        DeployVariable.PromotionTrustPolicy,
        DeployVariable.PluginMirrorBucket,
      ],
      fromBuild: [],
      codebuild: [CodeBuildVariable.Region],
      // What Build exports where images are built, so every later stage reads the same names.
      exports: [
        ExportedVariable.ImageTag,
        ExportedVariable.ImageDigest,
        ExportedVariable.ImageUri,
        ExportedVariable.SbomDigest,
        ExportedVariable.ManifestsSha256,
        ExportedVariable.ScanSummary,
      ],
    },
    generate: promoteStage,
    roleGrants: STAGE_ROLE_GRANTS.promotion,
    // Verify and scan in the source repository, `oras copy -r` into this one, verify again here.
    awsCalls: [
      ...PLUGIN_MIRROR_CALLS,
      ...ECR_LOGIN_CALLS,
      ...buildSignatureVerifyCalls(StageResource.SourceRepository),
      ...ecrPullCalls('oras copy -r (reads the source)').map((c) => ({
        ...c,
        on: StageResource.SourceRepository,
      })),
      ...ecrPushCalls('oras copy -r (writes here)'),
      ...buildSignatureVerifyCalls(StageResource.Repository),
      ...CODEBUILD_CALLS,
    ],
    network: StageNetwork.CodeBuild,
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    approvalBefore: false,
    includedIn: (traits) => !buildsImages(traits),
  },
  {
    name: 'ReleaseSigning',
    slug: 'release-signing',
    roleSuffix: 'release',
    file: 'release-signing.yml',
    environment: {
      deployTime: [
        DeployVariable.RepositoryUri,
        DeployVariable.SigningProfileArn,
        DeployVariable.TrustPolicy,
        DeployVariable.BuildTrustPolicy,
        DeployVariable.PluginMirrorBucket,
      ],
      fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri],
      codebuild: [CodeBuildVariable.Region],
      exports: [],
    },
    generate: releaseSigningStage,
    roleGrants: STAGE_ROLE_GRANTS.releaseSigning,
    awsCalls: [
      ...PLUGIN_MIRROR_CALLS,
      ...ECR_LOGIN_CALLS,
      ...buildSignatureVerifyCalls(StageResource.Repository),
      ...NOTATION_SIGN_CALLS,
      ...NOTATION_VERIFY_CALLS,
      ...CODEBUILD_CALLS,
    ],
    network: StageNetwork.CodeBuild,
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    // The release signature is the one this environment's admission adds to the build signature:
    // it is made only after the gate. Before ApplicationDeployment, so admission can admit the
    // deploy that follows (staging: right after Promote, whose gate is the build signature and the
    // previous environment's verify; prod: after the manual approval).
    approvalBefore: true,
    signingIdentity: 'release',
    includedIn: (traits) => traits.releaseSignature,
  },
  {
    name: 'ApplicationDeployment',
    slug: 'application-deployment',
    roleSuffix: 'deploy',
    file: 'application-deployment.yml',
    environment: {
      deployTime: [DeployVariable.RepositoryUri, DeployVariable.ClusterName],
      fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri, ExportedVariable.ManifestsSha256],
      codebuild: [CodeBuildVariable.Region],
      exports: [],
    },
    generate: deploymentStage,
    roleGrants: STAGE_ROLE_GRANTS.deployment,
    // kubectl's calls go to Kubernetes (access entry below), not to AWS.
    awsCalls: [...KUBECONFIG_CALLS, ...CODEBUILD_CALLS],
    network: StageNetwork.Vpc,
    // `kubectl apply` of whatever kinds the app's manifests hold, `rollout status` and `rollout
    // undo`: edit rights in the namespace, no RBAC or namespace changes
    // (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
    cluster: { kind: 'eks-access-policy', policy: 'AmazonEKSEditPolicy' },
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    approvalBefore: true,
  },
  {
    name: 'VerifyContainerSign',
    slug: 'verify-container-sign',
    roleSuffix: 'verify',
    file: 'verify-container-sign.yml',
    environment: {
      deployTime: [DeployVariable.RepositoryUri, DeployVariable.ClusterName],
      // The image, and what its promotion request names besides: the commit and the manifests hash.
      fromBuild: [
        ExportedVariable.ImageTag,
        ExportedVariable.ImageDigest,
        ExportedVariable.ImageUri,
        ExportedVariable.ManifestsSha256,
      ],
      codebuild: [CodeBuildVariable.Region],
      exports: [],
    },
    generate: verifyStage,
    roleGrants: STAGE_ROLE_GRANTS.verification,
    awsCalls: [...KUBECONFIG_CALLS, ...CODEBUILD_CALLS],
    network: StageNetwork.Vpc,
    // Exactly its kubectl calls (VERIFY_KUBERNETES_RULES); no managed access policy fits: see verify.ts.
    cluster: { kind: 'rbac', namespaceRules: VERIFY_KUBERNETES_RULES, readsAdmissionPolicy: true },
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    approvalBefore: false,
  },
  {
    name: 'RevokeSuperseded',
    slug: 'revoke-superseded',
    roleSuffix: 'revoke',
    file: 'revoke-superseded.yml',
    environment: {
      deployTime: [DeployVariable.RepositoryUri, DeployVariable.SigningProfileArn],
      fromBuild: [ExportedVariable.ImageDigest, ExportedVariable.ImageUri],
      codebuild: [CodeBuildVariable.Region],
      exports: [],
    },
    generate: revokeSupersededStage,
    roleGrants: STAGE_ROLE_GRANTS.revocation,
    awsCalls: [...ECR_LOGIN_CALLS, ...REVOKE_SUPERSEDED_CALLS, ...CODEBUILD_CALLS],
    // No cluster access: it reads the repository and calls AWS Signer only.
    network: StageNetwork.CodeBuild,
    privileged: false,
    computeType: 'BUILD_GENERAL1_SMALL',
    timeoutMinutes: 30,
    approvalBefore: false,
    // Last, after VerifyContainerSign: only once the new digest is verified running do the digests it
    // supersedes lose their release signatures (stages/revoke.ts says why not earlier). The profile
    // it acts on is the release identity's, as ReleaseSigning's; it never signs.
    signingIdentity: 'release',
    includedIn: (traits) => traits.releaseSignature,
  },
] as const satisfies readonly StageEntry[];

/** The name of a pipeline stage of the catalog. */
export type Stage = (typeof ENTRIES)[number]['name'];

/** The catalog, in pipeline order. */
export const STAGE_CATALOG: readonly StageEntry<Stage>[] = ENTRIES;

/** Where the catalog is checked, for error messages. */
const CATALOG_SOURCE = 'packages/buildspec/src/catalog.ts';

/**
 * Throws unless the catalog is consistent: unique names, slugs, role suffixes and files; every
 * variable a stage takes from Build is one an earlier stage exports; cluster access only from the
 * VPC; timeouts CodeBuild accepts.
 */
export function checkStageCatalog(catalog: readonly StageEntry[], source = CATALOG_SOURCE): void {
  const problem = (path: string, value: unknown, allowed: string) =>
    new BuildspecInputError({ source, path, value, allowed });
  const seen = {
    name: new Set<string>(),
    slug: new Set<string>(),
    roleSuffix: new Set<string>(),
    file: new Set<string>(),
  };
  const exported = new Set<string>();
  catalog.forEach((entry, i) => {
    for (const key of ['name', 'slug', 'roleSuffix', 'file'] as const) {
      if (seen[key].has(entry[key]))
        throw problem(`[${i}].${key}`, entry[key], 'a value no other stage uses');
      seen[key].add(entry[key]);
    }
    entry.environment.fromBuild.forEach((name, j) => {
      if (!exported.has(name)) {
        throw problem(
          `[${i}].environment.fromBuild[${j}]`,
          name,
          `a variable an earlier stage exports (${[...exported].join(', ') || 'none'})`,
        );
      }
    });
    entry.environment.exports.forEach((name) => exported.add(name));
    if (entry.cluster !== undefined && entry.network !== StageNetwork.Vpc) {
      throw problem(
        `[${i}].network`,
        entry.network,
        `"${StageNetwork.Vpc}" for a stage with cluster access (the API endpoint is private)`,
      );
    }
    if (!Number.isInteger(entry.timeoutMinutes) || entry.timeoutMinutes < 5 || entry.timeoutMinutes > 480) {
      throw problem(`[${i}].timeoutMinutes`, entry.timeoutMinutes, 'an integer from 5 to 480');
    }
  });
}

checkStageCatalog(STAGE_CATALOG);
// Each environment's own stages hold too: a variable a later stage takes is exported by one of its own.
for (const { name, traits } of ENVIRONMENT_DEFINITIONS) {
  checkStageCatalog(stagesFor(traits), `${CATALOG_SOURCE} (stages of ${name})`);
}

/** The stages of an environment's pipeline, in pipeline order: those whose `includedIn` accepts its traits. */
export function stagesFor<Name extends string = Stage>(
  traits: EnvironmentTraits,
  catalog: readonly StageEntry<Name>[] = STAGE_CATALOG as readonly StageEntry<string>[] as readonly StageEntry<Name>[],
): readonly StageEntry<Name>[] {
  return catalog.filter((entry) => entry.includedIn?.(traits) ?? true);
}

const BY_NAME = new Map<string, StageEntry<Stage>>(STAGE_CATALOG.map((entry) => [entry.name, entry]));

/** The catalog entry of a stage. */
export function stageEntry(stage: Stage): StageEntry<Stage> {
  const entry = BY_NAME.get(stage);
  if (entry === undefined) {
    throw new BuildspecInputError({
      source: CATALOG_SOURCE,
      path: 'stage',
      value: stage,
      allowed: [...BY_NAME.keys()].join(', '),
    });
  }
  return entry;
}

/** One fact of every stage, keyed by stage: a view of the catalog. */
function view<T>(pick: (entry: StageEntry<Stage>) => T): Readonly<Record<Stage, T>> {
  return Object.fromEntries(STAGE_CATALOG.map((entry) => [entry.name, pick(entry)])) as Record<Stage, T>;
}

/** The stage names, as constants: `Stage.Build`, … */
export const Stage: { readonly [K in Stage]: K } = view((entry) => entry.name) as {
  readonly [K in Stage]: K;
};

/** Every stage of the catalog in pipeline order. */
export const STAGE_ORDER: readonly Stage[] = STAGE_CATALOG.map((entry) => entry.name);

/** The environment contract of every stage. Each buildspec checks its variables at its start. */
export const STAGE_ENVIRONMENT: Readonly<Record<Stage, StageEnvironment>> = view(
  (entry) => entry.environment,
);

/** File name of a stage's buildspec inside `buildspecs/<app>/<environment>/`. */
export const STAGE_FILE: Readonly<Record<Stage, string>> = view((entry) => entry.file);

/**
 * The generator of each stage, with its contract applied and, first of all, the check that the
 * app's own pipeline started the build (`withPipelineInitiatorCheck`): every stage has it,
 * whatever its generator writes.
 */
export const STAGE_GENERATORS: Readonly<Record<Stage, (inputs: BuildspecInputs) => Buildspec>> = view(
  (entry) => (inputs: BuildspecInputs) =>
    withPipelineInitiatorCheck(entry.generate(inputs, entry.environment), inputs.pipelineName),
);

/** Path of a committed buildspec relative to the workspace root (the CodeBuild source root). */
export function buildspecPath(app: string, environment: string, stage: Stage): string {
  return `buildspecs/${app}/${environment}/${stageEntry(stage).file}`;
}
