import {
  STAGE_CATALOG,
  stageEntry,
  type DeployVariable,
  type Stage,
  type StageEntry,
} from '@signet/buildspec';
import { connectionService, SourceKind } from '@signet/policies';
import type { PipelineSource } from './source.js';

/** Namespace of the Build action: later actions read `#{BuildVariables.IMAGE_DIGEST}` etc. */
export const BUILD_VARIABLES_NAMESPACE = 'BuildVariables';

/** Name of the manual approval stage: before the release signature, or before deployment where there is none. */
export const APPROVAL_STAGE = 'Approval';

/** Name of the source stage and of its action's output artifact. */
export const SOURCE_STAGE = 'Source';
const SOURCE_ARTIFACT = 'SourceArtifact';

/** The folder part of a stage's project name: `build`, `application-signing`, … (the catalog's slugs). */
export const STAGE_SLUG: Readonly<Record<Stage, string>> = Object.fromEntries(
  STAGE_CATALOG.map((entry) => [entry.name, entry.slug]),
) as Record<Stage, string>;

/** A CodeBuild environment variable as the project and the pipeline action take it. */
export interface PlainVariable {
  readonly name: string;
  readonly value: string;
  readonly type: 'PLAINTEXT';
}

/**
 * The deploy-time variables of a stage's CodeBuild project: exactly those the buildspec contract
 * lists for the stage, in contract order. A value missing from `values` is an error, so the stack
 * can never start a stage that its buildspec would refuse.
 */
export function stageProjectVariables(
  stage: Stage,
  values: Readonly<Partial<Record<DeployVariable, string>>>,
): PlainVariable[] {
  return stageEntry(stage).environment.deployTime.map((name) => {
    const value = values[name];
    if (value === undefined || value === '') {
      throw new Error(`stage ${stage}: deploy-time variable ${name} has no value`);
    }
    return { name, value, type: 'PLAINTEXT' };
  });
}

/**
 * The variables a later stage receives from the Build action, as pipeline variable references
 * (`#{BuildVariables.IMAGE_DIGEST}`), resolved by CodePipeline per execution.
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html
 */
export function stageActionVariables(stage: Stage): PlainVariable[] {
  return stageEntry(stage).environment.fromBuild.map((name) => ({
    name,
    value: `#{${BUILD_VARIABLES_NAMESPACE}.${name}}`,
    type: 'PLAINTEXT',
  }));
}

/** One action of the pipeline, in the shape of `aws.codepipeline.Pipeline`'s `stages[].actions[]`. */
export interface PipelineActionLayout {
  readonly name: string;
  readonly category: 'Source' | 'Build' | 'Approval' | 'Deploy';
  readonly owner: 'AWS';
  readonly provider: string;
  readonly version: '1';
  readonly configuration: Readonly<Record<string, string>>;
  readonly inputArtifacts?: readonly string[];
  readonly outputArtifacts?: readonly string[];
  readonly namespace?: string;
}

/** One stage of the pipeline. */
export interface PipelineStageLayout {
  readonly name: string;
  readonly actions: readonly PipelineActionLayout[];
}

/** Input of {@link buildPipelineStages}. */
export interface PipelineLayoutInput {
  readonly source: PipelineSource;
  /** The CodeCommit repository name, for the CodeCommit source. */
  readonly codeCommitRepositoryName?: string;
  /** The environment's stages, in pipeline order (`stagesFor`). Default: the whole catalog. */
  readonly stages?: readonly StageEntry<Stage>[];
  /** CodeBuild project name per stage. */
  readonly projectNames: Readonly<Partial<Record<Stage, string>>>;
  /** Add a manual approval before the stage the catalog marks `approvalBefore` (ApplicationDeployment). */
  readonly manualApproval: boolean;
  /** Shown to the approver. */
  readonly approvalSummary?: string;
  /** The app: names its promotion request (the promotion-request source). */
  readonly app?: string;
  /**
   * Where the environment is promoted from (`promotionTargets`): the environment it promotes to.
   * VerifyContainerSign then outputs the promotion request, and a last stage writes it into that
   * environment's artifact bucket.
   */
  readonly promotesTo?: string;
}

/**
 * What the approver reads: what would be signed or deployed (the image by digest, the commit it was
 * built from), the vulnerability scan of its SBOM as counts per severity, its SBOM, and the hash of
 * the manifests it is deployed with (ApplicationDeployment refuses any others). Before a release
 * signature the scan is this environment's own (Promote's); before a deployment, Build's.
 */
function approvalText(before: StageEntry<Stage>): string {
  const v = (name: string) => `#{${BUILD_VARIABLES_NAMESPACE}.${name}}`;
  const facts = `${v('IMAGE_URI')} (commit ${v('IMAGE_TAG')}; scan ${v('SCAN_SUMMARY')}; SBOM ${v('SBOM_DIGEST')}; manifests ${v('MANIFESTS_SHA256')})`;
  return before.signingIdentity === 'release'
    ? `Sign the release of ${facts}. Its build signature and this environment's vulnerability gate passed in Promote; rejecting leaves no release signature, so admission here never admits it.`
    : `Deploy the signed image ${facts}`;
}

/** Object key of an app's promotion request in its pipeline's artifact bucket. */
export function promotionRequestKey(app: string): string {
  return `promotion/${app}.zip`;
}

/**
 * Stand-in for the artifact bucket's name in the layout of a promotion-request source: the bucket
 * name is known only at deployment, and AppPipeline puts it in place of this value.
 */
export const ARTIFACT_BUCKET_PLACEHOLDER = '<artifact-bucket>';

/** Stand-in for the next environment's artifact bucket (the promotion request's destination), put in place by AppPipeline. */
export const NEXT_ARTIFACT_BUCKET_PLACEHOLDER = '<next-artifact-bucket>';

/** The artifact VerifyContainerSign outputs where the environment is promoted from: the promotion request. */
export const PROMOTION_REQUEST_ARTIFACT = 'PromotionRequest';

/** The last stage where the environment is promoted from: it writes the promotion request. */
export const REQUEST_PROMOTION_STAGE = 'RequestPromotion';

/** The stage whose output is the promotion request: what ran and was verified here. */
const PROMOTION_REQUEST_FROM: Stage = 'VerifyContainerSign';

function sourceAction(input: PipelineLayoutInput): PipelineActionLayout {
  const { source } = input;
  if (source.kind === SourceKind.PromotionRequest) {
    if (input.app === undefined) throw new Error('the promotion-request source needs app');
    return {
      name: SOURCE_STAGE,
      category: 'Source',
      owner: 'AWS',
      provider: 'S3',
      version: '1',
      configuration: {
        S3Bucket: ARTIFACT_BUCKET_PLACEHOLDER,
        S3ObjectKey: promotionRequestKey(input.app),
        // Started by `signet promote` (StartPipelineExecution after it writes the request), never by polling.
        PollForSourceChanges: 'false',
      },
      outputArtifacts: [SOURCE_ARTIFACT],
    };
  }
  if (source.kind === SourceKind.CodeCommit) {
    if (input.codeCommitRepositoryName === undefined) {
      throw new Error('the CodeCommit source needs codeCommitRepositoryName');
    }
    return {
      name: SOURCE_STAGE,
      category: 'Source',
      owner: 'AWS',
      provider: 'CodeCommit',
      version: '1',
      configuration: {
        RepositoryName: input.codeCommitRepositoryName,
        BranchName: source.branch,
        // Started by an EventBridge rule on the branch, not by polling.
        PollForSourceChanges: 'false',
        OutputArtifactFormat: 'CODE_ZIP',
      },
      outputArtifacts: [SOURCE_ARTIFACT],
    };
  }
  connectionService(source.connectionArn);
  return {
    name: SOURCE_STAGE,
    category: 'Source',
    owner: 'AWS',
    provider: 'CodeStarSourceConnection',
    version: '1',
    configuration: {
      ConnectionArn: source.connectionArn,
      FullRepositoryId: source.repository,
      BranchName: source.branch,
      // Change detection stays on: with a V2 trigger declared, only the trigger's filter (the
      // app's folder) starts the pipeline, not every push to the branch.
      OutputArtifactFormat: 'CODE_ZIP',
    },
    outputArtifacts: [SOURCE_ARTIFACT],
  };
}

function codeBuildAction(
  entry: StageEntry<Stage>,
  projectName: string | undefined,
  outputs: readonly string[] = [],
): PipelineActionLayout {
  const stage = entry.name;
  if (projectName === undefined) throw new Error(`stage ${stage}: no CodeBuild project name in projectNames`);
  const variables = stageActionVariables(stage);
  return {
    name: stage,
    category: 'Build',
    owner: 'AWS',
    provider: 'CodeBuild',
    version: '1',
    configuration: {
      ProjectName: projectName,
      ...(variables.length > 0 ? { EnvironmentVariables: JSON.stringify(variables) } : {}),
    },
    inputArtifacts: [SOURCE_ARTIFACT],
    ...(outputs.length > 0 ? { outputArtifacts: [...outputs] } : {}),
    // The stage that exports variables (Build) publishes them under the namespace later actions read.
    ...(entry.environment.exports.length > 0 ? { namespace: BUILD_VARIABLES_NAMESPACE } : {}),
  };
}

/**
 * The pipeline's stages: Source, Build, ApplicationSigning, the optional manual approval,
 * ApplicationDeployment, VerifyContainerSign. Every CodeBuild stage reads the source artifact
 * (the buildspecs need the app's folder); the image itself travels by digest through the Build
 * action's variables, never as an artifact another stage could swap.
 */
export function buildPipelineStages(input: PipelineLayoutInput): PipelineStageLayout[] {
  const stages: PipelineStageLayout[] = [{ name: SOURCE_STAGE, actions: [sourceAction(input)] }];
  let approved = false;
  for (const entry of input.stages ?? STAGE_CATALOG) {
    // One approval, before the first stage that asks for it: nothing after it runs unapproved.
    if (entry.approvalBefore && input.manualApproval && !approved) {
      approved = true;
      stages.push({
        name: APPROVAL_STAGE,
        actions: [
          {
            name: entry.signingIdentity === 'release' ? 'ApproveRelease' : 'ApproveDeployment',
            category: 'Approval',
            owner: 'AWS',
            provider: 'Manual',
            version: '1',
            configuration: {
              CustomData: input.approvalSummary ?? approvalText(entry),
            },
          },
        ],
      });
    }
    const outputs =
      input.promotesTo !== undefined && entry.name === PROMOTION_REQUEST_FROM
        ? [PROMOTION_REQUEST_ARTIFACT]
        : [];
    stages.push({
      name: entry.name,
      actions: [codeBuildAction(entry, input.projectNames[entry.name], outputs)],
    });
  }
  if (input.promotesTo !== undefined) {
    if (input.app === undefined) throw new Error('promotesTo needs app (it names the promotion request)');
    if (!stages.some((s) => s.name === PROMOTION_REQUEST_FROM)) {
      throw new Error(
        `promotesTo ${input.promotesTo}: the pipeline has no ${PROMOTION_REQUEST_FROM} stage to output the request`,
      );
    }
    stages.push({
      name: REQUEST_PROMOTION_STAGE,
      actions: [
        {
          // CodePipeline's S3 deploy action uploads the request as it is (Extract false), to the key
          // the next environment's S3 source reads; the object's creation starts that pipeline.
          // No KMSEncryptionKeyARN: the bucket's default encryption (SSE-KMS with the next
          // environment's key, by ARN) applies. https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-S3Deploy.html
          name: `PromoteTo${input.promotesTo.charAt(0).toUpperCase()}${input.promotesTo.slice(1)}`,
          category: 'Deploy',
          owner: 'AWS',
          provider: 'S3',
          version: '1',
          configuration: {
            BucketName: NEXT_ARTIFACT_BUCKET_PLACEHOLDER,
            Extract: 'false',
            ObjectKey: promotionRequestKey(input.app),
          },
          inputArtifacts: [PROMOTION_REQUEST_ARTIFACT],
        },
      ],
    });
  }
  return stages;
}

/** A V2 pipeline trigger, in the shape of `aws.codepipeline.Pipeline`'s `triggers[]`. */
export interface SourceTriggerLayout {
  providerType: 'CodeStarSourceConnection';
  gitConfiguration: {
    sourceActionName: string;
    pushes: { branches: { includes: string[] }; filePaths: { includes: string[] } }[];
  };
}

/**
 * What goes into an app's image besides its own folder: the service kit it is built with (a
 * workspace dependency, compiled into the image) and the lockfile that fixes every dependency's
 * version. A change to either must rebuild, re-sign and redeploy every app, or a fix to the kit would
 * never ship.
 */
export const SHARED_IMAGE_INPUTS: readonly string[] = ['packages/service-kit/**', 'pnpm-lock.yaml'];

/**
 * The V2 trigger of a CodeConnections source: pushes to the branch that change the app's folder,
 * its committed buildspecs, or what its image is built from besides ({@link SHARED_IMAGE_INPUTS}).
 * Other apps' changes do not start this pipeline.
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
export function buildSourceTrigger(
  source: PipelineSource,
  appDirectory: string,
  app: string,
): SourceTriggerLayout | undefined {
  if (source.kind !== SourceKind.CodeConnections) return undefined;
  return {
    providerType: 'CodeStarSourceConnection',
    gitConfiguration: {
      sourceActionName: SOURCE_STAGE,
      pushes: [
        {
          branches: { includes: [source.branch] },
          filePaths: { includes: [`${appDirectory}/**`, `buildspecs/${app}/**`, ...SHARED_IMAGE_INPUTS] },
        },
      ],
    },
  };
}
