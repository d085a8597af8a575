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
}

/**
 * Kyverno chart 3.9.0 (Kyverno 1.19), by exact version. Every image it renders is pinned by digest
 * through its values (kyverno-values.ts), so the binaries that run do not depend on the chart.
 */
export const KYVERNO_CHART: HelmChartRef = {
  repository: 'https://kyverno.github.io/kyverno/',
  name: 'kyverno',
  version: KYVERNO_RELEASE.chartVersion,
};

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
    return { chart: `${chart.repository.replace(/\/+$/, '')}/${chart.name}`, version: chart.version };
  }
  return { chart: chart.name, version: chart.version, repositoryOpts: { repo: chart.repository } };
}

export type { VerifierLayout } from './verifier/backend.js';
