import type { InputProblem } from '@signet/core';
import {
  assertImageByDigest,
  CLUSTER_SYSTEM_NAMESPACES,
  MAX_RULE_NAME_LENGTH,
  type FailureAction,
} from '@signet/policies';
import { KYVERNO_NAMESPACE } from './charts.js';
import { VERIFIER_NAMESPACE } from './verifier/backend.js';

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

/** Longest namespace that can carry platform images: its rule name `platform-<namespace>` must fit. */
export const PLATFORM_NAMESPACE_MAX_LENGTH = MAX_RULE_NAME_LENGTH - 'platform-'.length;

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function isImageByDigest(image: string): boolean {
  try {
    assertImageByDigest(image, 'image');
    return true;
  } catch {
    return false;
  }
}

const DIGEST_SHAPE = '<registry>/<repository>@sha256:<64 lowercase hex> (no tag, no wildcard)';

/**
 * The problems of a platform images setting (`{<namespace>: [<repository>@sha256:<digest>, …]}`),
 * one per bad namespace or image, with its path below `key`: a namespace must be a DNS label of at
 * most {@link PLATFORM_NAMESPACE_MAX_LENGTH} characters outside the cluster, Kyverno and verifier
 * namespaces; an image exactly `<repository>@sha256:<64 hex>`, each once.
 */
export function platformImagesProblems(
  platformImages: Readonly<Record<string, readonly string[]>>,
  source: string,
  key: string,
): InputProblem[] {
  const system = new Set([...CLUSTER_SYSTEM_NAMESPACES, KYVERNO_NAMESPACE, VERIFIER_NAMESPACE]);
  const problems: InputProblem[] = [];
  for (const [namespace, images] of Object.entries(platformImages)) {
    const at = `${key}.${namespace}`;
    if (!NAMESPACE.test(namespace) || namespace.length > PLATFORM_NAMESPACE_MAX_LENGTH) {
      problems.push({
        source,
        path: at,
        subject: 'key',
        value: namespace,
        allowed: `a namespace name: up to ${PLATFORM_NAMESPACE_MAX_LENGTH} lowercase letters, digits or "-", starting and ending with a letter or digit`,
      });
    } else if (system.has(namespace)) {
      problems.push({
        source,
        path: at,
        value: namespace,
        allowed: `a namespace other than ${[...system].join(', ')} (the system namespaces run only the pinned Kyverno and verifier images and EKS add-ons)`,
      });
    }
    if (images.length === 0) {
      problems.push({ source, path: at, value: images, allowed: `a non-empty list of ${DIGEST_SHAPE}` });
    }
    const seen = new Set<string>();
    images.forEach((image, i) => {
      const path = `${at}[${i}]`;
      if (!isImageByDigest(image)) {
        problems.push({ source, path, value: image, allowed: `an image by digest: ${DIGEST_SHAPE}` });
      } else if (seen.has(image)) {
        problems.push({ source, path, value: image, allowed: 'each image once per namespace' });
      }
      seen.add(image);
    });
  }
  return problems;
}
