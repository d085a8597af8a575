/**
 * The Kyverno release the admission policy is written for. The eks stack deploys exactly this chart,
 * and the engine tests run the Kyverno CLI of exactly this application version, so the policy is
 * proven by the engine that will enforce it. Move both fields together: chart 3.9.0 ships Kyverno
 * v1.19.0 (`appVersion` of charts/kyverno/Chart.yaml at tag kyverno-chart-3.9.0).
 */
export const KYVERNO_RELEASE = {
  /** Helm chart version (`oci://ghcr.io/kyverno/charts/kyverno`). */
  chartVersion: '3.9.0',
  /** Kyverno version the chart deploys, and the version of the CLI the tests run. */
  appVersion: 'v1.19.0',
} as const;
