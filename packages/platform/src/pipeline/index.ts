export { SourceKind } from '@signet/policies';
export type { PipelineSource } from './source.js';
export { appTrustFromUpstream, pipelineTrustPolicyJson, requireAppEntry } from './upstream.js';
export {
  APPROVAL_STAGE,
  BUILD_VARIABLES_NAMESPACE,
  buildPipelineStages,
  buildSourceTrigger,
  promotionRequestKey,
  PROMOTION_REQUEST_ARTIFACT,
  REQUEST_PROMOTION_STAGE,
  SOURCE_STAGE,
  STAGE_SLUG,
  stageActionVariables,
  stageProjectVariables,
  type PipelineActionLayout,
  type PipelineLayoutInput,
  type PipelineStageLayout,
  type PlainVariable,
  type SourceTriggerLayout,
} from './stages.js';
export { CODEBUILD_IMAGE, isPrivilegedStage, StageProject, type StageProjectArgs } from './stage-project.js';
export { ArtifactBucket, type ArtifactBucketArgs } from './artifact-bucket.js';
export {
  createCodeCommitTrigger,
  createPromotionRequestTrigger,
  type CodeCommitTriggerArgs,
  type PromotionRequestTriggerArgs,
} from './codecommit-trigger.js';
export {
  createStageClusterAccess,
  stageKubernetesGroup,
  stageRolePolicy,
  type StageClusterAccessArgs,
} from './stage-access.js';
export { pipelineRoleNames, signingStageRoleNames, stageEntryRoleName } from './names.js';
export { AppPipeline, PIPELINE_NOTIFICATION_EVENTS } from './app-pipeline.js';
export type { AppPipelineArgs } from './app-pipeline-args.js';
export { pipelineStages, renderAppBuildspecs, stageLogGroupName } from './app-stages.js';
export {
  appSignatureTrustFromUpstream,
  pipelineTrustPolicies,
  readPromotionUpstreams,
  RELEASE_IDENTITY,
  type PipelineTrustPolicies,
  type PromotionUpstreams,
} from './promotion.js';
export {
  promotionUpstreamStacks,
  type EnvironmentStack,
  type PromotionUpstreamStacks,
} from './promotion-stacks.js';
export { PipelineEnvironment, type PipelineEnvironmentArgs } from './pipeline-environment.js';
