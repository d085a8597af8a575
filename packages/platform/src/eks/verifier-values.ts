import {
  KYVERNO_ADMISSION_SERVICE_ACCOUNT,
  KYVERNO_NAMESPACE,
  UPSTREAM_VERIFIER_FIXED,
  VerifierImplementation,
  kyvernoApiCallAudience,
  verifierLayout,
  type VerifierSettings,
} from './charts.js';

/** Input of {@link buildVerifierValues}. */
export interface VerifierValuesInput {
  readonly settings: VerifierSettings;
  /** The stack's region: where the verifier finds ECR and checks revocation with AWS Signer. */
  readonly region: string;
  /** The verifier's IRSA role. */
  readonly roleArn: string;
  /** TrustPolicy used when a request names none (the ClusterPolicy always names one). */
  readonly defaultTrustPolicy: string;
}

/** Throws when the settings ask for something the selected chart cannot do. */
export function assertVerifierSettings(settings: VerifierSettings): void {
  if (!Number.isInteger(settings.cacheTtlSeconds) || settings.cacheTtlSeconds < 1) {
    throw new Error(
      `verifier cacheTtlSeconds has value ${settings.cacheTtlSeconds}; allowed: a positive integer`,
    );
  }
  if (!Number.isInteger(settings.replicas) || settings.replicas < 1) {
    throw new Error(`verifier replicas has value ${settings.replicas}; allowed: a positive integer`);
  }
  if (settings.implementation !== VerifierImplementation.Upstream) return;
  if (settings.cacheTtlSeconds !== UPSTREAM_VERIFIER_FIXED.cacheTtlSeconds) {
    throw new Error(
      `verifier cacheTtlSeconds has value ${settings.cacheTtlSeconds}; allowed: ${UPSTREAM_VERIFIER_FIXED.cacheTtlSeconds} with the upstream chart, which hard-codes it (select a fork to change it)`,
    );
  }
  if (settings.replicas !== UPSTREAM_VERIFIER_FIXED.replicas) {
    throw new Error(
      `verifier replicas has value ${settings.replicas}; allowed: ${UPSTREAM_VERIFIER_FIXED.replicas} with the upstream chart, which hard-codes it (select a fork to run more)`,
    );
  }
}

/** Helm values of the selected verifier chart. */
export function buildVerifierValues(input: VerifierValuesInput): Record<string, unknown> {
  const { settings } = input;
  assertVerifierSettings(settings);
  const layout = verifierLayout(settings);
  const serviceAccount = {
    enabled: true,
    name: layout.serviceAccountName,
    annotations: { 'eks.amazonaws.com/role-arn': input.roleArn },
  };
  if (settings.implementation === VerifierImplementation.Upstream) {
    // Chart v1.1 exposes only these; token review stays on with its default allowed caller,
    // Kyverno's admission controller in the `kyverno` namespace.
    return {
      region: input.region,
      serviceAccount,
      crds: { install: true },
      deployment: { allowInsecureRegistry: false, imagePullSecrets: {} },
    };
  }
  const audience = kyvernoApiCallAudience(settings.implementation).verifierReviews;
  const ha = settings.replicas > 1;
  return {
    region: input.region,
    fullnameOverride: layout.releaseName,
    serviceAccount,
    crds: { install: true },
    replicaCount: settings.replicas,
    podDisruptionBudget: ha ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
    topologySpreadConstraints: ha
      ? [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }]
      : [],
    cache: { enabled: true, ttlSeconds: settings.cacheTtlSeconds },
    tokenReview: {
      enabled: true,
      // Only the admission controller calls the verifier: the policy runs at admission only.
      allowedUsers: [`system:serviceaccount:${KYVERNO_NAMESPACE}:${KYVERNO_ADMISSION_SERVICE_ACCOUNT}`],
      audiences: audience === undefined ? [] : [audience],
    },
    defaultTrustPolicy: input.defaultTrustPolicy,
    deployment: { allowInsecureRegistry: false, imagePullSecrets: {} },
  };
}
