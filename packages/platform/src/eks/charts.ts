import { KYVERNO_RELEASE } from '@signet/policies';

/**
 * The pinned Helm charts of the admission stack and the names they produce. Changing a version here
 * is the one place an upgrade happens; docs/eks.md says why these versions work together. The
 * verifier has no chart unless a fork is selected: Signet renders its objects (verifier/).
 */

/** A Helm chart: a repository (`https://…` index or `oci://…` registry), a chart name, a version. */
export interface HelmChartRef {
  readonly repository: string;
  readonly name: string;
  readonly version: string;
  /**
   * The chart's OCI manifest digest (`sha256:<64 hex>`), OCI repositories only: Helm then pulls
   * `<repository>/<name>@<digest>` and fails if the registry no longer holds those bytes, so a
   * re-published version cannot change what is deployed. Helm installs OCI charts by digest from
   * 3.18 (https://github.com/helm/helm/pull/12690); the Pulumi Kubernetes provider embeds Helm 3.18
   * or later (https://github.com/pulumi/pulumi-kubernetes/issues/3969).
   */
  readonly digest?: string;
}

/** How a chart digest is written. */
export const CHART_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** What a chart digest may be, for messages. */
export const CHART_DIGEST_ALLOWED =
  'sha256:<64 lowercase hex>, the chart manifest digest (`crane digest ghcr.io/kyverno/charts/kyverno:<version>`)';

/**
 * Kyverno chart 3.9.0 (Kyverno 1.19), from Kyverno's OCI registry: by exact version here and by
 * digest from config ({@link kyvernoChart}). Every image it renders is pinned by digest through its
 * values (kyverno-values.ts), so the binaries that run do not depend on the chart either.
 */
export const KYVERNO_CHART: HelmChartRef = {
  repository: 'oci://ghcr.io/kyverno/charts',
  name: 'kyverno',
  version: KYVERNO_RELEASE.chartVersion,
};

/** {@link KYVERNO_CHART} pinned to its manifest digest (`signet-eks:kyvernoChartDigest`). */
export function kyvernoChart(digest: string): HelmChartRef {
  if (!CHART_DIGEST_PATTERN.test(digest)) {
    throw new Error(
      `Kyverno chart digest has value ${JSON.stringify(digest)}; allowed: ${CHART_DIGEST_ALLOWED}`,
    );
  }
  return { ...KYVERNO_CHART, digest };
}

/** Namespace Kyverno runs in. */
export const KYVERNO_NAMESPACE = 'kyverno';

/** Helm release name of Kyverno; chart 3.x names the admission controller's service account after it. */
export const KYVERNO_RELEASE_NAME = 'kyverno';

/** Kyverno's admission controller service account (chart 3.x): the only caller the verifier accepts. */
export const KYVERNO_ADMISSION_SERVICE_ACCOUNT = 'kyverno-admission-controller';

/** Release arguments for a chart: OCI charts are addressed by URL, index repositories through `repositoryOpts`. */
export function helmChartSource(chart: HelmChartRef): {
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: { readonly repo: string };
} {
  if (chart.repository.startsWith('oci://')) {
    const digest = chart.digest === undefined ? '' : `@${chart.digest}`;
    return {
      chart: `${chart.repository.replace(/\/+$/, '')}/${chart.name}${digest}`,
      version: chart.version,
    };
  }
  if (chart.digest !== undefined) {
    // An index repository serves a tarball by version; only a registry addresses bytes by digest.
    throw new Error(
      `chart ${chart.name}: digest has value ${JSON.stringify(chart.digest)} with repository ${JSON.stringify(chart.repository)}; allowed: a digest with an oci:// repository only`,
    );
  }
  return { chart: chart.name, version: chart.version, repositoryOpts: { repo: chart.repository } };
}

export type { VerifierLayout } from './verifier/backend.js';
