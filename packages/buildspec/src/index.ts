export { BuildspecInputError } from './errors.js';
export {
  BuildspecShell,
  OnFailure,
  PHASE_ORDER,
  PhaseName,
  renderBuildspec,
  validateBuildspec,
  type Buildspec,
  type BuildspecArtifacts,
  type BuildspecEnv,
  type BuildspecReportGroup,
  type Phase,
  type RenderOptions,
} from './model.js';
export {
  Severity,
  TOOL_NAMES,
  validateInputs,
  type AdmissionPolicyInput,
  type AppInput,
  type BuildspecInputs,
  type GpgSignedTool,
  type PinnedTool,
  type ToolPins,
  type TrustStoreCertificate,
  type TrustStoreInput,
} from './inputs.js';
export {
  CodeBuildVariable,
  DeployVariable,
  ExportedVariable,
  PromotionVariable,
  type StageEnvironment,
} from './contract.js';
export {
  STAGE_CATALOG,
  STAGE_ENVIRONMENT,
  STAGE_FILE,
  STAGE_GENERATORS,
  STAGE_ORDER,
  Stage,
  StageNetwork,
  buildspecPath,
  checkStageCatalog,
  stageEntry,
  stagesFor,
  type StageClusterAccess,
  type StageComputeType,
  type StageEntry,
  type StageGenerator,
} from './catalog.js';
export { CODEBUILD_CALLS, StageResource, type StageAwsCall } from './aws-calls.js';
export { shellQuote } from './shell.js';
export {
  deployerBuildspec,
  PRIVATE_ENDPOINT_STACKS,
  type DeployerBuildspecInput,
  type PulumiCliPin,
} from './deployer.js';
export { buildStage, SBOM_FILE, SBOM_MEDIA_TYPE } from './stages/build.js';
export {
  SIGNER_PLUGIN_EXECUTABLE,
  SIGNER_PLUGIN_MIRROR_PREFIX,
  SignerPluginMirrorFile,
  signerPluginMirrorKey,
  signerPluginMirrorVersionPrefix,
} from './stages/common.js';
export { signingStage, AWS_SIGNER_PLUGIN_ID } from './stages/signing.js';
export { deploymentStage, IMAGE_PLACEHOLDER } from './stages/deployment.js';
export { VERIFY_KUBERNETES_RULES, verifyStage } from './stages/verify.js';
export { PROMOTION_REQUEST_FILE, promoteStage } from './stages/promote.js';
export { releaseSigningStage } from './stages/release-signing.js';
export {
  MANIFESTS_HASH_PREFIX,
  MANIFESTS_METADATA_KEY,
  manifestsSha256,
  manifestsSha256Command,
} from './stages/manifests.js';
export {
  DEFAULT_ADMISSION_POLICY_NAME,
  DEFAULT_TOOLS,
  ENVIRONMENT_DEFAULTS,
  awsSignerTrustStore,
  environmentPolicy,
  inputsFor,
  isEnvironment,
  type AppDeclaration,
  type Environment,
  type EnvironmentPolicy,
  type WorkspaceApp,
} from './defaults.js';
export { RENDER_COMMAND, buildspecHeader, renderStage, renderWorkspaceBuildspecs } from './render.js';
export {
  ADMISSION_DENIAL,
  DRILL_TAG,
  DRILL_UNSIGNED_DIGEST,
  DrillCase,
  DrillOutcome,
  drillOutcome,
  drillRequests,
  type DrillRequest,
  type DrillTarget,
  type SkippedDrillCase,
} from './drill.js';
