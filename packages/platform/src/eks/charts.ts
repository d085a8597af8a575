import { KYVERNO_RELEASE } from '@signet/policies';

/**
 * The pinned Helm charts of the admission stack and the names they produce. Changing a version here
 * is the one place an upgrade happens; docs/eks.md says why these versions work together.
 */

/** A Helm chart: a repository (`https://…` index or `oci://…` registry), a chart name, a version. */
export interface HelmChartRef {
  readonly repository: string;
  readonly name: string;
  readonly version: string;
}

/**
 * Kyverno chart 3.9.0 (Kyverno 1.19). Its admission controller sends an audience-scoped token
 * (`apiCallToken.audience`) with every `apiCall`; see {@link kyvernoApiCallAudience} for how the
 * audience is matched to the verifier.
 */
export const KYVERNO_CHART: HelmChartRef = {
  repository: 'https://kyverno.github.io/kyverno/',
  name: 'kyverno',
  version: KYVERNO_RELEASE.chartVersion,
};

/** The upstream Notation/AWS Signer verifier for Kyverno (nirmata/kyverno-notation-aws), chart v1.1. */
export const UPSTREAM_VERIFIER_CHART: HelmChartRef = {
  repository: 'https://nirmata.github.io/kyverno-notation-aws',
  name: 'kyverno-notation-aws',
  version: 'v1.1',
};

/** Namespace Kyverno runs in. The verifier's default allowed caller is `kyverno:kyverno-admission-controller`. */
export const KYVERNO_NAMESPACE = 'kyverno';

/** Helm release name of Kyverno; chart 3.x names the admission controller's service account after it. */
export const KYVERNO_RELEASE_NAME = 'kyverno';

/** Kyverno's admission controller service account (chart 3.x): the only caller the verifier accepts. */
export const KYVERNO_ADMISSION_SERVICE_ACCOUNT = 'kyverno-admission-controller';

/** Namespace the verifier runs in, whichever implementation is selected. */
export const VERIFIER_NAMESPACE = 'kyverno-notation-aws';

/**
 * The audience of tokens the Kubernetes API server accepts by default, which a TokenReview without
 * `spec.audiences` checks against (the upstream verifier's review, nirmata/kyverno-notation-aws#485).
 */
export const KUBERNETES_API_AUDIENCE = 'https://kubernetes.default.svc';

/** Kyverno's own audience for `apiCall` tokens (chart 3.9.0 default): useless against the API server if leaked. */
export const KYVERNO_API_CALL_AUDIENCE = 'kyverno-svc.kyverno.io';

/**
 * The upstream chart v1.1 hard-codes `--cacheTTLDurationSeconds=7200` and `replicas: 1` in its
 * Deployment template (no value changes them), so Signet states them rather than pretending.
 */
export const UPSTREAM_VERIFIER_FIXED = { cacheTtlSeconds: 7200, replicas: 1 } as const;

/** Which verifier chart the cluster runs. */
export const VerifierImplementation = {
  /** nirmata/kyverno-notation-aws v1.1 ({@link UPSTREAM_VERIFIER_CHART}). */
  Upstream: 'upstream',
  /**
   * A maintained fork given by repository, chart name and version, whose chart follows the values of
   * notation-aws-verifier 1.x (`replicaCount`, `cache.ttlSeconds`, `tokenReview.audiences`, PDB).
   */
  Fork: 'fork',
} as const;
export type VerifierImplementation = (typeof VerifierImplementation)[keyof typeof VerifierImplementation];

/** The verifier as configured per environment. */
export type VerifierSettings =
  | {
      readonly implementation: typeof VerifierImplementation.Upstream;
      /** Must equal {@link UPSTREAM_VERIFIER_FIXED}.cacheTtlSeconds: written down so the revocation delay is explicit. */
      readonly cacheTtlSeconds: number;
      /** Must equal {@link UPSTREAM_VERIFIER_FIXED}.replicas. */
      readonly replicas: number;
    }
  | {
      readonly implementation: typeof VerifierImplementation.Fork;
      readonly chart: HelmChartRef;
      /** Seconds a "verified" answer is cached: a revocation takes effect at admission after at most this long. */
      readonly cacheTtlSeconds: number;
      readonly replicas: number;
    };

/**
 * The audience Kyverno must put on its `apiCall` token so the selected verifier's TokenReview
 * accepts it, and the audience the verifier reviews against (undefined: the API server default).
 *
 * This is the one place a control is relaxed: the upstream verifier v1.1 reviews tokens without
 * audiences, so only a token for the API server's own audience passes, and Kyverno's
 * audience-scoped token (which a leak could not replay against the API server) is given up for it.
 * Disabling the verifier's token review instead would let any Pod in the cluster call it. A fork
 * with `tokenReview.audiences` keeps Kyverno's scoped audience end to end.
 */
export function kyvernoApiCallAudience(implementation: VerifierImplementation): {
  readonly kyvernoSends: string;
  readonly verifierReviews: string | undefined;
} {
  return implementation === VerifierImplementation.Upstream
    ? { kyvernoSends: KUBERNETES_API_AUDIENCE, verifierReviews: undefined }
    : { kyvernoSends: KYVERNO_API_CALL_AUDIENCE, verifierReviews: KYVERNO_API_CALL_AUDIENCE };
}

/** Where the selected verifier listens and under which identity it runs. */
export interface VerifierLayout {
  readonly chart: HelmChartRef;
  readonly releaseName: string;
  readonly namespace: string;
  /** The chart's Service, `<fullname>-svc`. */
  readonly serviceName: string;
  /** The ServiceAccount the IRSA role trusts. */
  readonly serviceAccountName: string;
}

/** The release, service and service account names of the selected verifier (both charts name them `<fullname>-svc` and `<fullname>`). */
export function verifierLayout(settings: VerifierSettings): VerifierLayout {
  const chart =
    settings.implementation === VerifierImplementation.Upstream ? UPSTREAM_VERIFIER_CHART : settings.chart;
  return {
    chart,
    releaseName: chart.name,
    namespace: VERIFIER_NAMESPACE,
    serviceName: `${chart.name}-svc`,
    serviceAccountName: chart.name,
  };
}

/** Release arguments for a chart: OCI charts are addressed by URL, index repositories through `repositoryOpts`. */
export function helmChartSource(chart: HelmChartRef): {
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: { readonly repo: string };
} {
  if (chart.repository.startsWith('oci://')) {
    return { chart: `${chart.repository.replace(/\/+$/, '')}/${chart.name}`, version: chart.version };
  }
  return { chart: chart.name, version: chart.version, repositoryOpts: { repo: chart.repository } };
}
