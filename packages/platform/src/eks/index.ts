export {
  CHART_DIGEST_ALLOWED,
  CHART_DIGEST_PATTERN,
  helmChartSource,
  KYVERNO_ADMISSION_SERVICE_ACCOUNT,
  KYVERNO_CHART,
  KYVERNO_NAMESPACE,
  KYVERNO_RELEASE_NAME,
  kyvernoChart,
  type HelmChartRef,
} from './charts.js';
export {
  buildKyvernoValues,
  KYVERNO_IMAGE_SLOTS,
  kyvernoImageValues,
  type KyvernoImages,
  type KyvernoValuesInput,
} from './kyverno-values.js';
export {
  chartTagForPin,
  IMAGE_PIN_ALLOWED,
  parseImagePin,
  pinnedReference,
  requireImagePin,
  type ImagePin,
} from './images.js';
export * from './verifier/index.js';
export {
  EKS_ADDON_VERSION_PATTERN,
  VPC_CNI_ADDON_VERSION_ALLOWED,
  VPC_CNI_ADDON_VERSIONS,
  vpcCniAddonVersion,
} from './nodes.js';
export {
  buildEndpointAccess,
  CONTROL_PLANE_LOG_TYPES,
  PUBLIC_ACCESS_CIDR_ALLOWED,
  PUBLIC_ACCESS_MIN_PREFIX,
  publicAccessCidrProblem,
} from './endpoint.js';
export {
  APP_LABEL,
  appNamespaceLabels,
  IMAGE_VERIFICATION_LABEL,
  PLATFORM_NAMESPACE_MAX_LENGTH,
  platformImagesProblems,
  podSecurityLabels,
  type PodSecurityLevel,
} from './namespaces.js';
export { EKS_OUTPUT_KEYS, eksStackReferenceName, readEksOutputs, type EksOutputs } from './contract.js';
export { SignetCluster, type NodeGroupSettings, type SignetClusterArgs } from './signet-cluster.js';
export { Kyverno, type KyvernoArgs } from './kyverno.js';
export { NotationVerifier, type NotationVerifierArgs } from './notation-verifier.js';
export {
  SignedImageAdmission,
  type AdmittedApp,
  type SignedImageAdmissionArgs,
} from './signed-image-admission.js';
export {
  buildImageBackstop,
  eksAddonRegistry,
  excludedNamespaces,
  FailureAction,
  KYVERNO_RELEASE,
} from '@signet/policies';
