import { excludedNamespaces } from '@signet/policies';
import { KYVERNO_NAMESPACE, KYVERNO_RELEASE_NAME } from './charts.js';
import { chartTagForPin, type ImagePin } from './images.js';

/**
 * Every image Kyverno chart 3.9.0 renders, by the config name Signet gives it (templates of
 * charts/kyverno at tag kyverno-chart-3.9.0: the four controllers, the admission controller's init
 * container, the CRD migration hook, and the readiness checker of the webhook cleanup hooks and the
 * chart's tests).
 */
export const KYVERNO_IMAGE_SLOTS = {
  admissionController: ['admissionController', 'container', 'image'],
  admissionControllerInit: ['admissionController', 'initContainer', 'image'],
  backgroundController: ['backgroundController', 'image'],
  cleanupController: ['cleanupController', 'image'],
  reportsController: ['reportsController', 'image'],
  cli: ['crds', 'migration', 'image'],
  readinessChecker: ['webhooksCleanup', 'image'],
  readinessCheckerTests: ['test', 'image'],
} as const;

/** The images of Kyverno's chart, by digest; the readiness checker serves both hook slots. */
export type KyvernoImages = Readonly<
  Record<Exclude<keyof typeof KYVERNO_IMAGE_SLOTS, 'readinessCheckerTests'>, ImagePin>
>;

/** Chart values that render each image as `<registry>/<repository>:<tag>@sha256:…` (the chart has no digest field). */
export function kyvernoImageValues(images: KyvernoImages): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [slot, path] of Object.entries(KYVERNO_IMAGE_SLOTS)) {
    const pin =
      slot === 'readinessCheckerTests' ? images.readinessChecker : images[slot as keyof KyvernoImages];
    const parents = path.slice(0, -1);
    const leaf = path[path.length - 1] ?? slot;
    let node = values;
    for (const key of parents) node = (node[key] ??= {}) as Record<string, unknown>;
    node[leaf] = {
      registry: pin.registry,
      repository: pin.repository,
      tag: chartTagForPin(pin),
      pullPolicy: 'IfNotPresent',
    };
  }
  return values;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    out[key] =
      typeof existing === 'object' && existing !== null && typeof value === 'object' && value !== null
        ? merge(existing as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Input of {@link buildKyvernoValues}. */
export interface KyvernoValuesInput {
  /** Admission controller replicas: 1 in dev, at least 3 elsewhere. */
  readonly admissionReplicas: number;
  /** Spread admission controller Pods over availability zones (outside dev). */
  readonly spreadAcrossZones: boolean;
  /** The token Kyverno sends with `apiCall` requests (from the verifier backend's caller access). */
  readonly apiCallToken: { readonly audience: string; readonly expirationSeconds: number };
  /** Every image of the chart, by digest. */
  readonly images: KyvernoImages;
  /** The verifier's namespace, excluded from admission next to the cluster's and Kyverno's own. */
  readonly verifierNamespace: string;
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
  // The namespaces the admission webhooks never see, by `kubernetes.io/metadata.name`: the same list
  // the ClusterPolicy excludes.
  const excluded = excludedNamespaces({
    kyvernoNamespace: KYVERNO_NAMESPACE,
    verifier: { namespace: input.verifierNamespace },
  });
  return merge(kyvernoImageValues(input.images), {
    apiCallToken: { ...input.apiCallToken },
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
  });
}
