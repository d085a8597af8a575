export { ENVIRONMENTS, isEnvironment, type Environment } from './environment.js';
export {
  configKey,
  defineStackConfig,
  describeStackConfig,
  loadStackConfig,
  pulumiConfigSource,
  REGION_KEY,
  SHARED_CONFIG_KEYS,
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
} from './config.js';
export {
  assertUniqueProfileNames,
  kmsAliasName,
  logGroupName,
  physicalName,
  repositoryName,
  SIGNING_PROFILE_NAME,
  signingProfileName,
} from './naming.js';
export { buildDefaultTags, type SignetTags } from './tags.js';
export { createAwsProvider, regionOf } from './provider.js';
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
  type SignerOutputs,
  type SigningProfileOutput,
  type StackContracts,
  type StackExports,
  type StackOutputReader,
} from './contracts.js';
export {
  AppDeclarationError,
  appsForEnvironment,
  discoverApps,
  findWorkspaceRoot,
  parseAppDeclaration,
  type AppDeclaration,
  type DiscoveredApp,
} from './apps.js';
export {
  accountRootArn,
  assertScopedPrincipals,
  type AccountScope,
  type IdentityPolicyStatement,
  type PolicyCondition,
  type PolicyDocument,
  type PolicyPrincipal,
  type ResourcePolicyStatement,
} from './iam.js';
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
export { buildKmsKeyPolicy, cloudWatchLogsKeyGrant, type KmsServiceGrant } from './kms/key-policy.js';
export { KmsKey, type KmsKeyArgs } from './kms/kms-key.js';
export {
  endpointServiceName,
  GATEWAY_ENDPOINT_SERVICES,
  INTERFACE_ENDPOINT_SERVICES,
  type InterfaceEndpointService,
} from './network/endpoints.js';
export {
  buildFlowLogsDeliveryPolicy,
  buildFlowLogsTrustPolicy,
  LOG_RETENTION_DAYS,
} from './network/flow-logs.js';
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
export { buildRepositoryPolicy, PULL_ACTIONS } from './ecr/repository-policy.js';
export { AppRepository, type AppRepositoryArgs } from './ecr/app-repository.js';
export {
  AppSigningProfile,
  NOTATION_PLATFORM_ID,
  SIGNATURE_VALIDITY_MONTHS,
  type AppSigningProfileArgs,
} from './signer/app-signing-profile.js';
export { planSigningIdentities, type PlannedSigningIdentity } from './signer/identities.js';
export * from './eks/index.js';
export * from './pipeline/index.js';
