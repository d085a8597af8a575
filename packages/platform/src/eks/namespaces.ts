import type { FailureAction } from '@signet/policies';

/** Pod Security Admission levels. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * Pod Security Admission labels: `enforce` at `level`, `audit` and `warn` at `restricted`, each
 * pinned to the cluster's minor version so an upgrade cannot silently change what is enforced.
 */
export function podSecurityLabels(
  level: PodSecurityLevel,
  kubernetesVersion: string,
): Record<string, string> {
  const version = `v${kubernetesVersion}`;
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': version,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': version,
  };
}

/** Label naming the app a namespace belongs to. */
export const APP_LABEL = 'signet.dev/app';

/**
 * Label recording how the namespace's Pods are checked (`enforce` or `audit`). It is informational:
 * the ClusterPolicy matches namespaces by name, so editing the label cannot opt a namespace out.
 */
export const IMAGE_VERIFICATION_LABEL = 'signet.dev/image-verification';

/** Labels of an app namespace: the app, the verification mode and PSA `restricted`. */
export function appNamespaceLabels(
  app: string,
  failureAction: FailureAction,
  kubernetesVersion: string,
): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'signet',
    [APP_LABEL]: app,
    [IMAGE_VERIFICATION_LABEL]: failureAction.toLowerCase(),
    ...podSecurityLabels('restricted', kubernetesVersion),
  };
}
