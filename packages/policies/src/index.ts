export { PolicyInputError } from './errors.js';
export {
  AwsPartition,
  isAwsPartition,
  parseSigningProfileArn,
  SIGNING_PROFILE_NAME_PATTERN,
  SIGNING_PROFILE_VERSION_PATTERN,
  type SigningProfileArn,
} from './arn.js';
export { assertImageByDigest, assertRepositoryUri } from './registry.js';
export { CLUSTER_SYSTEM_NAMESPACES } from './kubernetes.js';

export { awsSignerRootCertificate } from './trust/aws-signer-root.js';
export {
  ALLOWED_OVERRIDE_ACTIONS,
  buildTrustPolicy,
  GLOBAL_SCOPE,
  renderTrustPolicyJson,
  TRUST_POLICY_VERSION,
  trustedSigningProfiles,
  ValidationAction,
  ValidationCheck,
  VerificationLevel,
  type SignatureVerification,
  type TrustPolicyDocument,
  type TrustPolicyInput,
  type TrustPolicyStatement,
  type TrustPolicyStatementInput,
} from './trust/trust-policy.js';
export {
  APP_TRUST_POLICY_PREFIX,
  appTrustPolicyName,
  appTrustPolicyDocument,
  appTrustPolicies,
  SignatureKind,
  type AppSignatureTrust,
  type AppTrust,
  type AppTrustPolicy,
  type AppTrustPolicyOptions,
} from './trust/app-trust-policy.js';
export {
  AWS_SIGNER_TRUST_STORE_NAMES,
  awsSignerTrustStoreName,
  TrustStoreType,
} from './trust/store-names.js';
export {
  buildNotationConfigFiles,
  buildTrustStoreFiles,
  NOTATION_TRUST_POLICY_FILE,
  NOTATION_TRUST_STORE_DIR,
  type NotationConfigFiles,
} from './trust/trust-store.js';
export {
  buildTrustPolicyResource,
  buildTrustStoreResource,
  NOTATION_NIRMATA_API_VERSION,
  type ResourceMetadataInput,
  type TrustPolicyResource,
  type TrustStoreResource,
} from './trust/resources.js';

export {
  AUTOGEN_CONTROLLERS,
  buildImageVerificationClusterPolicy,
  DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
  excludedNamespaces,
  FailureAction,
  IMAGE_VERIFICATION_RULES,
  MAX_RULE_NAME_LENGTH,
  WEBHOOK_TIMEOUT_SECONDS,
  type AdmittedAppInput,
  type ClusterPolicy,
  type ImageVerificationPolicyInput,
  type PlatformImages,
  type ResourceFilters,
  type ValidateRule,
} from './admission/cluster-policy.js';
export {
  defaultVerifierTlsSecretName,
  notationAwsVerifierCall,
  NO_VERIFIER_REASON,
  VERIFIED_EXACTLY_TRUE,
  verifierServiceUrl,
  type ApiCallContextEntry,
  type VerifierCall,
  type VerifierServiceInput,
} from './admission/verifier-call.js';
export { KYVERNO_RELEASE } from './admission/kyverno-release.js';
export { EKS_ADDON_REGISTRIES, eksAddonRegistry } from './admission/eks-addon-registries.js';
export {
  buildImageBackstop,
  DEFAULT_IMAGE_BACKSTOP_NAME,
  type CelValidation,
  type ImageBackstopInput,
  type ValidatingAdmissionPolicy,
  type ValidatingAdmissionPolicyBinding,
} from './admission/image-backstop.js';
export {
  buildVerifierTlsSecretReaderRbac,
  type Role,
  type RoleBinding,
  type VerifierTlsSecretReaderInput,
} from './admission/rbac.js';

export {
  IAM_POLICY_VERSION,
  RESOURCE_WILDCARD_ACTIONS,
  type IamCondition,
  type IamPolicyDocument,
  type IamPrincipal,
  type IamRepositoryPolicyDocument,
  type IamRepositoryPolicyStatement,
  type IamResourcePolicyDocument,
  type IamResourcePolicyStatement,
  type IamStatement,
  type IamTrustPolicyDocument,
  type IamTrustStatement,
  type KmsKeyServiceGrant,
} from './iam/document.js';
export type { ArtifactStoreInput } from './iam/artifacts.js';
export {
  buildBuildRolePolicy,
  buildDeployRolePolicy,
  buildIrsaTrustPolicy,
  buildSigningRolePolicy,
  buildStageRolePolicy,
  buildVerificationRolePolicy,
  buildVerifierRolePolicy,
  REPOSITORY_WRITE_GRANTS,
  SIGNING_GRANTS,
  STAGE_ROLE_GRANTS,
  StageGrant,
  type BuildRolePolicyInput,
  type DeployRolePolicyInput,
  type IrsaTrustPolicyInput,
  type PluginMirrorAccessInput,
  type SigningRolePolicyInput,
  type StageResourcesInput,
  type StageRolePolicyInput,
  type VerificationRolePolicyInput,
  type VerifierRolePolicyInput,
} from './iam/roles.js';
export { buildPluginMirrorBucketPolicy, type PluginMirrorBucketPolicyInput } from './iam/plugin-mirror.js';
export {
  buildDeployerRolePolicy,
  buildStartDeployerPolicy,
  DEPLOYER_OVERRIDE_KEYS,
  type DeployerRolePolicyInput,
} from './iam/deployer.js';
export {
  buildGitHubOidcTrustPolicy,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  GITHUB_OIDC_SUBJECT_CLAIMS,
  githubOidcSubject,
  GitHubRoleKind,
  type GitHubOidcTrustInput,
} from './iam/github-oidc.js';
export {
  ADMISSION_POLICY_READER_NAME,
  ADMISSION_POLICY_READERS_GROUP,
  buildAdmissionPolicyReaderRbac,
  buildStageNamespaceRbac,
  type AdmissionPolicyReaderBinding,
  type AdmissionPolicyReaderRole,
  type KubernetesVerb,
  type StageKubernetesRule,
  type StageNamespaceRbacInput,
  type StageRole,
  type StageRoleBinding,
} from './iam/stage-rbac.js';
export {
  buildArtifactBucketPolicy,
  buildCodeBuildVpcPolicy,
  buildNotificationTopicPolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  buildStartPipelinePolicy,
  connectionService,
  notificationsKeyGrant,
  pipelineLogsKeyGrant,
  SourceKind,
  type CodeBuildVpcPolicyInput,
  type ConnectionService,
  type NotificationTopicPolicyInput,
  type PipelineLogsKeyGrantInput,
  type PipelineRolePolicyInput,
  type ServiceRoleTrustPolicyInput,
  type SourceAccess,
} from './iam/pipeline.js';
export {
  promotionRequestBucketStatement,
  promotionRequestKeyStatement,
  promotionRequestWriterStatements,
  type PromotionRequestGrantInput,
  type PromotionRequestWriterInput,
} from './iam/promotion.js';

export {
  accountRootArn,
  assertAccountScope,
  assertNoWildcardPrincipals,
  assertRegionalScope,
  eksClusterArn,
  logGroupArn,
  logsServicePrincipal,
  ServicePrincipal,
  sourceConditions,
  type AccountScope,
  type RegionalScope,
} from './iam/scope.js';
export {
  buildKmsKeyPolicy,
  CLOUDWATCH_LOGS_KEY_ACTIONS,
  cloudWatchLogsKeyGrant,
  type KmsKeyPolicyInput,
  type LogGroupKeyGrantInput,
} from './kms/key-policy.js';
export {
  buildRepositoryPolicy,
  ECR_PULL_ACTIONS,
  ECR_ADMINISTRATION_ACTIONS,
  ECR_PUSH_ACTIONS,
  PULL_PRINCIPAL_ARN,
  type RepositoryPolicyInput,
} from './ecr/repository-policy.js';
export {
  BUILD_RETRY_EVENT_NAMES,
  BUILD_START_EVENT_NAMES,
  buildAppBuildEventPattern,
  buildAppSigningEventPattern,
  buildBuildEventPattern,
  buildSigningEventPattern,
  CLOUDTRAIL_API_CALL,
  EVENT_PATTERN_MAX_CHARACTERS,
  SIGNING_EVENT_NAMES,
  type AppBuildEventPatternInput,
  type AppSigningEventPatternInput,
  type BuildEventPatternInput,
  type CatchAllPatternInput,
  type EventPattern,
  type GuardPatternInput,
  type SigningEventPatternInput,
} from './guard/event-pattern.js';
export {
  buildGuardDeadLetterQueuePolicy,
  buildLambdaTrustPolicy,
  buildSigningGuardRolePolicy,
  eventsDeadLetterKeyGrant,
  type GuardDeadLetterInput,
  type SigningGuardRolePolicyInput,
} from './guard/guard-role.js';
export {
  assertExemptPrincipals,
  EXEMPT_PRINCIPAL_ARN,
  principalArnPatterns,
  ROLE_ARN,
  roleArn,
} from './iam/principal.js';
export { buildFlowLogsDeliveryRolePolicy, buildFlowLogsTrustPolicy } from './network/flow-logs.js';
export {
  buildClusterSecretsRolePolicy,
  buildEksClusterRoleTrustPolicy,
  buildEksNodeRoleTrustPolicy,
  CLUSTER_ROLE_MANAGED_POLICIES,
  NODE_ROLE_MANAGED_POLICIES,
  type EksClusterRoleTrustInput,
} from './eks/service-roles.js';
export {
  arnMatch,
  evaluateIamRequest,
  globMatch,
  IamDecision,
  isIamRequestAllowed,
  type EvaluablePolicy,
  type EvaluableStatement,
  type IamContextValue,
  type IamEvaluation,
  type IamPolicySet,
  type IamRequest,
  type IamRequestContext,
} from './iam/evaluate.js';
export {
  assertGuardrailSize,
  BUILD_START_ACTIONS,
  buildGuardrails,
  buildSignetPermissionsBoundary,
  buildSignetScp,
  compactJson,
  GUARDRAIL_SIZE_LIMITS,
  guardrailStatements,
  PIPELINE_CHANGE_ACTIONS,
  PROFILE_CHANGE_ACTIONS,
  PROJECT_CHANGE_ACTIONS,
  SIGNING_ACTIONS,
  type GuardrailInput,
  type GuardrailKind,
  type Guardrails,
} from './guardrails/index.js';
