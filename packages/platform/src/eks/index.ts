export {
  helmChartSource,
  KUBERNETES_API_AUDIENCE,
  KYVERNO_ADMISSION_SERVICE_ACCOUNT,
  KYVERNO_API_CALL_AUDIENCE,
  KYVERNO_CHART,
  KYVERNO_NAMESPACE,
  KYVERNO_RELEASE_NAME,
  kyvernoApiCallAudience,
  UPSTREAM_VERIFIER_CHART,
  UPSTREAM_VERIFIER_FIXED,
  VERIFIER_NAMESPACE,
  VerifierImplementation,
  verifierLayout,
  type HelmChartRef,
  type VerifierLayout,
  type VerifierSettings,
} from './charts.js';
export { buildKyvernoValues, excludedNamespaces, type KyvernoValuesInput } from './kyverno-values.js';
export { assertVerifierSettings, buildVerifierValues, type VerifierValuesInput } from './verifier-values.js';
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
export { buildImageBackstop, eksAddonRegistry, FailureAction, KYVERNO_RELEASE } from '@signet/policies';
