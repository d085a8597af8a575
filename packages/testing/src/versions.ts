import { requireEngine } from './locate.js';

/**
 * Versions of the engines only the tests use. Engines the product itself pins are read from their
 * owners instead: the Kyverno CLI from `KYVERNO_RELEASE` (`@signet/policies`), notation and oras
 * from the buildspecs' `DEFAULT_TOOLS` (`@signet/buildspec`). `tools/engines` says where each
 * comes from; machine-provided tools are pinned to the version prefix their package manager gives.
 */
export const TEST_ENGINE_VERSIONS = {
  /** go-containerregistry's crane: builds real OCI images (`crane append`) without a Docker engine. */
  crane: 'v0.20.6',
  /** GitHub Actions workflow linter. */
  actionlint: '1.7.12',
  /**
   * Helm: `helm template` of Kyverno's chart with the eks stack's values. The Pulumi Kubernetes
   * provider embeds its own Helm 3 (3.18 or later); templates render alike across 3.x.
   */
  helm: 'v3.22.0',
  /** CNCF distribution registry, Debian package `docker-registry` (bookworm: 2.8.2). */
  'docker-registry': '2.8',
  /** openssl, Debian package (bookworm: 3.0.x): the test CA and certificates of the TLS registry. */
  openssl: '3.0',
  /** shellcheck, Debian package (bookworm: 0.9.0). */
  shellcheck: '0.9',
  /** moto's AWS API server, preinstalled with pip (no PyPI here). */
  moto_server: '5.2',
  /** AWS CLI v1, preinstalled with pip. The CodeBuild image has v2; the calls used exist in both. */
  aws: '1.45',
} as const;

/**
 * Versions of the engines of the admission drill (tools/e2e), built from their Go modules. The
 * Kubernetes minor is the cluster's (`kubernetesVersion` in stacks/eks); etcd is the release that
 * Kubernetes minor is built and tested with (k8s.io/kubernetes v1.33's go.mod: go.etcd.io/etcd 3.5.21).
 */
export const DRILL_ENGINE_VERSIONS = {
  'kube-apiserver': 'v1.33.13',
  etcd: 'v3.5.21',
} as const;

export type TestEngine = keyof typeof TEST_ENGINE_VERSIONS;

/** The executable of a test-only engine at its pinned version (see {@link requireEngine}). */
export function requireTestEngine(name: TestEngine): string {
  return requireEngine(name, TEST_ENGINE_VERSIONS[name]);
}
