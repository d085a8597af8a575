import { CLUSTER_SYSTEM_NAMESPACES } from '@signet/policies';
import { KYVERNO_NAMESPACE, KYVERNO_RELEASE_NAME } from './charts.js';

/** Input of {@link buildKyvernoValues}. */
export interface KyvernoValuesInput {
  /** Admission controller replicas: 1 in dev, at least 3 elsewhere. */
  readonly admissionReplicas: number;
  /** Spread admission controller Pods over availability zones (outside dev). */
  readonly spreadAcrossZones: boolean;
  /** Audience of the token Kyverno sends with `apiCall` requests (see `kyvernoApiCallAudience`). */
  readonly apiCallAudience: string;
  /** The verifier's namespace, excluded from admission next to the cluster's and Kyverno's own. */
  readonly verifierNamespace: string;
}

/** Namespaces the admission webhooks never see, by `kubernetes.io/metadata.name`. */
export function excludedNamespaces(verifierNamespace: string): string[] {
  return [...new Set([...CLUSTER_SYSTEM_NAMESPACES, KYVERNO_NAMESPACE, verifierNamespace])];
}

/**
 * Helm values of the Kyverno chart (3.9.0). Fail-closed admission is the policy's job
 * (`failurePolicy: Fail`); these values make sure nothing in Kyverno's own configuration undoes it.
 */
export function buildKyvernoValues(input: KyvernoValuesInput): Record<string, unknown> {
  const replicas = input.admissionReplicas;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`Kyverno admissionReplicas has value ${replicas}; allowed: a positive integer`);
  }
  const excluded = excludedNamespaces(input.verifierNamespace);
  return {
    apiCallToken: { audience: input.apiCallAudience },
    features: {
      // Never let Kyverno rewrite policies to `failurePolicy: Ignore`: that admits unverified images
      // whenever Kyverno is slow or down.
      forceFailurePolicyIgnore: { enabled: false },
      // A PolicyException would let whoever may create one exempt a Pod from signature checks.
      policyExceptions: { enabled: false },
    },
    config: {
      excludeKyvernoNamespace: true,
      // By namespace name: `kubernetes.io/metadata.name` is set by the API server and cannot be
      // changed by a workload, unlike any label a namespace owner may set.
      webhooks: {
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
        },
      },
      // The same exclusion inside the engine (kube-system, kube-public, kube-node-lease and Kyverno's
      // namespace are in the chart's default filters).
      resourceFiltersIncludeNamespaces: [input.verifierNamespace],
    },
    // The pre-delete hook removes Kyverno's webhooks on uninstall, so a removed Kyverno cannot leave a
    // fail-closed webhook behind that blocks every Pod (hooks run because this is a Helm release).
    webhooksCleanup: { enabled: true },
    admissionController: {
      replicas,
      podDisruptionBudget: replicas > 1 ? { enabled: true, minAvailable: replicas - 1 } : { enabled: false },
      topologySpreadConstraints: input.spreadAcrossZones
        ? [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: {
                matchLabels: {
                  'app.kubernetes.io/component': 'admission-controller',
                  'app.kubernetes.io/instance': KYVERNO_RELEASE_NAME,
                },
              },
            },
          ]
        : [],
    },
  };
}
