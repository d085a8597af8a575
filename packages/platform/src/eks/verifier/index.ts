export {
  selectVerifierBackend,
  VERIFIER_NAMESPACE,
  VerifierImplementation,
  type VerifierBackend,
  type VerifierDeployInput,
  type VerifierLayout,
  type VerifierSettings,
  type VerifierWorkload,
} from './backend.js';
export {
  buildVerifierIngressPolicy,
  KUBERNETES_API_AUDIENCE,
  KYVERNO_API_CALL_AUDIENCE,
  MIN_PROJECTED_TOKEN_SECONDS,
  TokenReviewSupport,
  verifierCallerAccess,
  type VerifierCallerAccess,
} from './caller-access.js';
export { buildForkChartValues, type ForkChartValuesInput } from './fork-values.js';
export {
  buildNotationAwsManifests,
  NOTATION_AWS_LIMITS,
  NOTATION_AWS_TLS_PORT,
  type NotationAwsManifestsInput,
} from './notation-aws-manifests.js';
export { buildTrustResourceCrds, type CrdManifest } from './trust-crds.js';
