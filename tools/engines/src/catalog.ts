import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOOLS } from '@signet/buildspec';
import { KYVERNO_RELEASE } from '@signet/policies';
import {
  DRILL_ENGINE_VERSIONS,
  TEST_ENGINE_VERSIONS,
  type EngineSpec,
  type ReleaseSource,
} from '@signet/testing';

/** The committed Go wrapper modules, one per engine built from source. */
export const GO_MODULES_DIR = join(import.meta.dirname, '..', 'go');

const goModule = (name: string) => join(GO_MODULES_DIR, name);

/** Signet's verifier: a Go module of this repository (tools/verifier), not a wrapper. */
export const VERIFIER_MODULE_DIR = join(import.meta.dirname, '..', '..', 'verifier');

/**
 * The version of a module built from this repository's own source: a hash of its Go files (tests aside), go.mod
 * and go.sum, so that any change of the source is a new version and is rebuilt, never served stale
 * from the cache.
 */
export function sourceVersion(moduleDir: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(moduleDir)
    .filter((f) => (f.endsWith('.go') && !f.endsWith('_test.go')) || f === 'go.mod' || f === 'go.sum')
    .sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(moduleDir, file)))
      .update('\0');
  }
  return `src-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * A release archive pinned by its publisher's SHA-256. The hash belongs to exactly one version:
 * `hashedVersion` names it, and a version bump that forgets the hash fails here, at load, rather
 * than as a checksum mismatch on a user's machine.
 */
function release(url: string, sha256: string, version: string, hashedVersion: string): ReleaseSource {
  if (version !== hashedVersion)
    throw new Error(`${url}: the pinned SHA-256 is for version ${hashedVersion}, not ${version}; re-pin it`);
  return { kind: 'release', url, sha256, archive: 'tar.gz' };
}

/**
 * Every engine the tests run, with where each may come from after the cache: a `go build` of the
 * pinned module version (the committed go.sum fixes every dependency), then the publisher's release
 * asset checked against its published SHA-256 (what a user with internet and no Go gets), or, for
 * tools the machine provides, its package manager.
 *
 * Versions have one owner each: the Kyverno CLI is the Kyverno the eks stack deploys, notation and
 * oras are exactly what the buildspecs download, the rest are test-only pins in `@signet/testing`.
 */
export const ENGINES: readonly EngineSpec[] = [
  {
    name: 'kyverno',
    version: KYVERNO_RELEASE.appVersion,
    purpose: 'runs the admission ClusterPolicy in the real Kyverno engine (`kyverno test`)',
    // Kyverno's go.mod replaces k8s.io/pod-security-admission, which `go install …@version` refuses,
    // so the wrapper module repeats that replace.
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('kyverno'),
        package: 'github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno',
        ldflags: [`-X github.com/kyverno/kyverno/pkg/version.BuildVersion=${KYVERNO_RELEASE.appVersion}`],
      },
      // SHA-256 as recorded by kubernetes-sigs/krew-index (plugins/kyverno.yaml, "new version v1.19.0").
      release(
        `https://github.com/kyverno/kyverno/releases/download/${KYVERNO_RELEASE.appVersion}/kyverno-cli_${KYVERNO_RELEASE.appVersion}_linux_x86_64.tar.gz`,
        'f5b4dc73c8e2f3f66e8e0034dc370e6eb6c4617eff7d5ae3838d2200034eb421',
        KYVERNO_RELEASE.appVersion,
        'v1.19.0',
      ),
    ],
    smoke: ['version'],
  },
  {
    name: 'notation',
    version: DEFAULT_TOOLS.notation.version,
    purpose: 'signs and verifies in the ApplicationSigning and VerifyContainerSign scenarios',
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('notation'),
        package: 'github.com/notaryproject/notation/cmd/notation',
        // A tagged release prints its version without build metadata.
        ldflags: ['-X github.com/notaryproject/notation/internal/version.BuildMetadata='],
      },
      {
        kind: 'release',
        url: DEFAULT_TOOLS.notation.url,
        sha256: DEFAULT_TOOLS.notation.sha256,
        archive: 'tar.gz',
      },
    ],
    smoke: ['version'],
  },
  {
    name: 'oras',
    version: DEFAULT_TOOLS.oras.version,
    purpose: 'attaches and reads SBOM referrers in the scenarios',
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('oras'),
        package: 'oras.land/oras/cmd/oras',
        ldflags: ['-X oras.land/oras/internal/version.BuildMetadata='],
      },
      { kind: 'release', url: DEFAULT_TOOLS.oras.url, sha256: DEFAULT_TOOLS.oras.sha256, archive: 'tar.gz' },
    ],
    smoke: ['version'],
  },
  {
    name: 'crane',
    version: TEST_ENGINE_VERSIONS.crane,
    purpose: 'builds real OCI images from scratch layers and pushes them to the local registry',
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('crane'),
        package: 'github.com/google/go-containerregistry/cmd/crane',
        ldflags: [
          `-X github.com/google/go-containerregistry/cmd/crane/cmd.Version=${TEST_ENGINE_VERSIONS.crane}`,
        ],
      },
    ],
    smoke: ['version'],
  },
  {
    name: 'actionlint',
    version: TEST_ENGINE_VERSIONS.actionlint,
    purpose: 'lints the GitHub workflows in .github/workflows',
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('actionlint'),
        package: 'github.com/rhysd/actionlint/cmd/actionlint',
        ldflags: [`-X github.com/rhysd/actionlint.version=${TEST_ENGINE_VERSIONS.actionlint}`],
      },
      // SHA-256 from the release's actionlint_1.7.12_checksums.txt, as recorded by cashapp/hermit-packages.
      release(
        `https://github.com/rhysd/actionlint/releases/download/v${TEST_ENGINE_VERSIONS.actionlint}/actionlint_${TEST_ENGINE_VERSIONS.actionlint}_linux_amd64.tar.gz`,
        '8aca8db96f1b94770f1b0d72b6dddcb1ebb8123cb3712530b08cc387b349a3d8',
        TEST_ENGINE_VERSIONS.actionlint,
        '1.7.12',
      ),
    ],
    smoke: ['-version'],
  },
  {
    name: 'helm',
    version: TEST_ENGINE_VERSIONS.helm,
    purpose: "renders Kyverno's chart (from the Kyverno module) with the values the eks stack gives it",
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('helm'),
        package: 'helm.sh/helm/v3/cmd/helm',
        ldflags: [
          `-X helm.sh/helm/v3/internal/version.version=${TEST_ENGINE_VERSIONS.helm}`,
          '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
        ],
      },
    ],
    smoke: ['version', '--short'],
  },
  {
    name: 'docker-registry',
    version: TEST_ENGINE_VERSIONS['docker-registry'],
    purpose: 'the local OCI registry the signing scenarios push to and sign in',
    sources: [
      {
        kind: 'system',
        command: 'docker-registry',
        versionArgs: ['--version'],
        versionPattern: /distribution v?(\d+\.\d+\.\d+\S*)/,
        aptPackage: 'docker-registry',
        hint: 'install the Debian package: sudo apt-get install -y docker-registry',
      },
    ],
  },
  {
    name: 'openssl',
    version: TEST_ENGINE_VERSIONS.openssl,
    purpose: 'issues the test CA and the TLS certificate the local registry serves for the ECR hostname',
    sources: [
      {
        kind: 'system',
        command: 'openssl',
        versionArgs: ['version'],
        versionPattern: /^OpenSSL (\d+\.\d+\.\d+)/,
        aptPackage: 'openssl',
        hint: 'install the Debian package: sudo apt-get install -y openssl',
      },
    ],
  },
  {
    name: 'shellcheck',
    version: TEST_ENGINE_VERSIONS.shellcheck,
    purpose: 'lints every command of the rendered buildspecs',
    sources: [
      {
        kind: 'system',
        command: 'shellcheck',
        versionArgs: ['--version'],
        versionPattern: /version: (\d+\.\d+\.\d+)/,
        aptPackage: 'shellcheck',
        hint: 'install the Debian package: sudo apt-get install -y shellcheck',
      },
    ],
  },
  {
    name: 'moto_server',
    version: TEST_ENGINE_VERSIONS.moto_server,
    purpose: 'answers the AWS CLI and SDK calls of the buildspecs and of signet revoke/audit/decommission',
    sources: [
      {
        kind: 'system',
        command: 'moto_server',
        // moto_server has no --version; its Python package says it.
        versionCommand: 'python3',
        versionArgs: ['-c', 'import moto; print("moto " + moto.__version__)'],
        versionPattern: /moto (\d+\.\d+\.\d+)/,
        hint: `install moto's server with pip: pip install 'moto[server]==${TEST_ENGINE_VERSIONS.moto_server}.*'`,
      },
    ],
  },
  {
    name: 'aws',
    version: TEST_ENGINE_VERSIONS.aws,
    purpose: 'the AWS CLI the buildspecs call, run against moto',
    sources: [
      {
        kind: 'system',
        command: 'aws',
        versionArgs: ['--version'],
        versionPattern: /aws-cli\/(\d+\.\d+\.\d+)/,
        hint: `install the AWS CLI v1 with pip: pip install 'awscli==${TEST_ENGINE_VERSIONS.aws}.*'`,
      },
    ],
  },
];

/**
 * The engines of the admission drill (`pnpm test:e2e`, tools/e2e), built from source only: etcd and
 * kube-apiserver of the cluster's Kubernetes minor, Kyverno's admission controller of the release the
 * eks stack deploys, and Signet's verifier. `pnpm engines --drill` provisions them next to
 * {@link ENGINES}; the plain `pnpm engines` leaves them out (the kube-apiserver alone is a long cold
 * build; docs/testing.md gives the figures).
 */
export const DRILL_ENGINES: readonly EngineSpec[] = [
  {
    name: 'etcd',
    version: DRILL_ENGINE_VERSIONS.etcd,
    purpose: "the API server's store in the admission drill",
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('etcd'),
        package: 'go.etcd.io/etcd/server/v3',
      },
    ],
    smoke: ['--version'],
  },
  {
    name: 'kube-apiserver',
    version: DRILL_ENGINE_VERSIONS['kube-apiserver'],
    purpose: "the Kubernetes API server (the cluster's minor) whose admission the drill exercises",
    // k8s.io/kubernetes replaces its staging modules with folders of its own repository; the wrapper
    // points each at its published release (k8s.io/<name> v0.<minor>.<patch>).
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('kube-apiserver'),
        package: 'k8s.io/kubernetes/cmd/kube-apiserver',
        ldflags: kubernetesVersionLdflags(DRILL_ENGINE_VERSIONS['kube-apiserver']),
      },
    ],
    smoke: ['--version'],
  },
  {
    name: 'kyverno-admission',
    version: KYVERNO_RELEASE.appVersion,
    binary: 'kyverno',
    purpose: "Kyverno's admission controller, run out of cluster against the drill's API server",
    sources: [
      {
        kind: 'go',
        moduleDir: goModule('kyverno'),
        package: 'github.com/kyverno/kyverno/cmd/kyverno',
        ldflags: [`-X github.com/kyverno/kyverno/pkg/version.BuildVersion=${KYVERNO_RELEASE.appVersion}`],
      },
    ],
  },
  {
    name: 'signet-verifier',
    version: sourceVersion(VERIFIER_MODULE_DIR),
    purpose: 'the verifier Kyverno calls in the admission drill (Notation against the TrustPolicy resources)',
    sources: [{ kind: 'go', moduleDir: VERIFIER_MODULE_DIR, package: 'signet.local/verifier' }],
    smoke: ['-h'],
  },
];

/** The `-X` flags that make a kube-apiserver built from the module report its release (`--version`). */
function kubernetesVersionLdflags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major ?? ''}`,
    `-X ${pkg}.gitMinor=${minor ?? ''}`,
    `-X ${pkg}.gitTreeState=clean`,
  ];
}
