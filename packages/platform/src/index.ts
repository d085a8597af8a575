export {
  buildEnvironmentOf,
  buildsImages,
  describeTrait,
  ENVIRONMENT_DEFINITIONS,
  ENVIRONMENTS,
  environmentsWhere,
  environmentTraits,
  HIGHLY_AVAILABLE_VERIFIER_REPLICAS,
  isEnvironment,
  listEnvironments,
  promotionSource,
  promotionTargets,
  type Environment,
  type EnvironmentDefinition,
  type EnvironmentTraits,
} from './environment.js';
// The validation message, the workspace root and the environments' accounts, owned by @signet/core,
// for the tools that reach the workspace's libraries through this package.
export {
  ACCOUNTS_FILE,
  formatInputProblem,
  InputIssue,
  InputSubject,
  locateWorkspaceRoot,
  readEnvironmentAccounts,
  SignetInputError,
  type EnvironmentAccounts,
  type InputProblem,
} from '@signet/core';
export {
  configKey,
  defineStackConfig,
  describeStackConfig,
  loadStackConfig,
  pulumiConfigSource,
  REGION_KEY,
  SHARED_CONFIG_KEYS,
  DIY_ORGANIZATION,
  SHARED_NAMESPACE,
  StackConfigError,
  type ConfigKeyReference,
  type ConfigKeySpec,
  type ConfigKeySpecs,
  type ConfigSource,
  type ConfigValues,
  type LoadedStackConfig,
  type StackConfigDefinition,
  type StackContext,
  workspaceAccounts,
} from './config.js';
export {
  approverRoleName,
  artifactBucketName,
  assertUniqueProfileNames,
  deployerRoleName,
  environmentNamePattern,
  pipelineName,
  pipelineRoleName,
  stageProjectName,
  stageRoleName,
  kmsAliasName,
  logGroupName,
  physicalName,
  physicalNamePrefix,
  repositoryName,
  SIGNING_PROFILE_NAME,
  signingProfileName,
  signingProfilePrefix,
  FIRST_GENERATION,
} from './naming.js';
export {
  promotionReaderRoleNames,
  repositoryWriterRoleNames,
  signerRoleNames,
} from './ecr/repository-access.js';
export { environmentGuardrails, type GuardrailScope } from './guardrails.js';
export { buildDefaultTags, type SignetTags } from './tags.js';
export { assertStackAccount, createAwsProvider, regionOf, StackAccountError } from './provider.js';
export {
  PIPELINE_IDENTITY,
  readEcrOutputs,
  readNetworkingOutputs,
  readSignerOutputs,
  readStackOutputs,
  STACK_OUTPUT_KEYS,
  stackReferenceName,
  type DeepInput,
  type EcrOutputs,
  type NetworkingOutputs,
  type ProducingStack,
  type RepositoryOutput,
  type PluginMirrorOutput,
  type SignerOutputs,
  type SigningProfileOutput,
  type StackContracts,
  type StackExports,
  type StackOutputReader,
} from './contracts.js';
export {
  APP_DECLARATION_FIELDS,
  APP_PORT_RANGE,
  AppDeclarationError,
  appsForEnvironment,
  discoverApps,
  findWorkspaceRoot,
  parseAppDeclaration,
  validateAppDeclaration,
  type AppDeclaration,
  type DiscoveredApp,
} from './apps.js';
export {
  buildSubnetLayout,
  formatCidr,
  isPrivateCidr,
  MAX_AZ_COUNT,
  parseIpv4Cidr,
  VPC_CIDR_ALLOWED,
  VPC_PREFIX_RANGE,
  validateVpcCidr,
  type Ipv4Cidr,
  type SubnetLayout,
} from './cidr.js';
export { KmsKey, type KmsKeyArgs } from './kms/kms-key.js';
export { JOB_SEARCH_WINDOW_MINUTES, SigningGuard, type SigningGuardArgs } from './guard/signing-guard.js';
export { guardedApps, guardRules, type GuardedApp, type GuardRule, type GuardScope } from './guard/rules.js';
export {
  endpointServiceName,
  GATEWAY_ENDPOINT_SERVICES,
  INTERFACE_ENDPOINT_SERVICES,
  type InterfaceEndpointService,
} from './network/endpoints.js';
export { LOG_RETENTION_DAYS } from './network/log-retention.js';
export { appsToCreate } from './plan-scope.js';
export {
  MIN_AZ_COUNT,
  NAT_GATEWAY_MODES,
  SignetVpc,
  type NatGatewayMode,
  type SignetVpcArgs,
} from './network/signet-vpc.js';
export {
  assertKeepsReferrers,
  buildLifecyclePolicy,
  KEEP_IMAGES_RANGE,
  type LifecyclePolicy,
  type LifecycleRule,
} from './ecr/lifecycle.js';
export { AppRepository, type AppRepositoryArgs } from './ecr/app-repository.js';
// The principals the repository policy accepts (for the ecr stack's config) and the guardrail
// documents' helpers (for the CLI): both reach the policies through this package.
export {
  compactJson,
  GUARDRAIL_SIZE_LIMITS,
  PolicyInputError,
  PULL_PRINCIPAL_ARN,
  type GuardrailKind,
  type Guardrails,
} from '@signet/policies';
export {
  AppSigningProfile,
  NOTATION_PLATFORM_ID,
  SIGNATURE_VALIDITY_MONTHS,
  type AppSigningProfileArgs,
} from './signer/app-signing-profile.js';
export { planSigningIdentities, type PlannedSigningIdentity } from './signer/identities.js';
export {
  pluginInstallerRoleNames,
  SignerPluginMirror,
  type SignerPluginMirrorArgs,
} from './signer/plugin-mirror.js';
export * from './eks/index.js';
export * from './deployer/index.js';
export * from './pipeline/index.js';
