import {
  ENVIRONMENTS,
  environmentTraits,
  pipelineName,
  type AppDeclaration,
  type Environment,
} from '@signet/core';
import {
  AwsPartition,
  awsSignerTrustStoreName,
  buildTrustStoreFiles,
  DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
} from '@signet/policies';
import type { AdmissionPolicyInput, BuildspecInputs, Severity, ToolPins, TrustStoreInput } from './inputs.js';

// The environments and their traits are owned by @signet/core; the renderer reads them from there.
export { isEnvironment, type AppDeclaration, type Environment } from '@signet/core';

/** A declared app and where it lives in the workspace: what the renderer renders. */
export interface WorkspaceApp {
  /** Folder of the app relative to the workspace root, e.g. `apps/hello-server`. */
  readonly directory: string;
  readonly declaration: AppDeclaration;
}

/**
 * Pinned tools (linux/amd64, the CodeBuild standard image's architecture). Each SHA-256 is the
 * upstream release's published value:
 * - notation 1.3.2: notation_1.3.2_checksums.txt of the GitHub release (also quoted in
 *   Microsoft's Notation install guides).
 * - AWS Signer plugin: AWS publishes the plugin only at a `latest` URL (no versioned download, no
 *   checksum file), with a GPG signature of the executable inside the zip and the signing key,
 *   whose fingerprint E84A F8A2 A9B5 2F1F 4435 AE71 A3B5 2DA6 5461 CF90 ("AWS Signer Notation",
 *   rsa3072) the AWS Signer Developer Guide publishes
 *   (https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html).
 *   Its URLs are the sources of `signet mirror-plugin` only, which checks both and copies the build
 *   into the signer stack's mirror bucket under `aws-signer-plugin/<version>/`; the stages install
 *   it from there and check both again: the zip's SHA-256 against this pin (the build dated
 *   2025-06-13, plugin 1.0.2292), then the executable's signature against that key. A new AWS
 *   build is a new version: re-pin it (docs/operations.md, "Re-pinning the AWS Signer plugin").
 * - syft 1.51.1, grype 0.118.0, oras 1.3.0: the `*_checksums.txt` of each GitHub release.
 * - kubectl 1.33.0: dl.k8s.io's kubectl.sha256. kubectl supports one minor version of skew with the API
 *   server (https://kubernetes.io/releases/version-skew-policy/#kubectl): keep it at the eks stack's
 *   `signet-eks:kubernetesVersion` minor (1.33), and move both together.
 */
export const DEFAULT_TOOLS: ToolPins = {
  notation: {
    version: '1.3.2',
    url: 'https://github.com/notaryproject/notation/releases/download/v1.3.2/notation_1.3.2_linux_amd64.tar.gz',
    sha256: 'e1a0f060308086bf8020b2d31defb7c5348f133ca0dba6a1a7820ef3cbb6dfe5',
  },
  awsSignerPlugin: {
    version: '1.0.2292',
    url: 'https://d2hvyiie56hcat.cloudfront.net/linux/amd64/plugin/latest/notation-aws-signer-plugin.zip',
    sha256: 'f8efa548932edc4851f4ba464496994bad753cdf21cd32baa575f7291a26c7b9',
    gpg: {
      signatureUrl:
        'https://d2hvyiie56hcat.cloudfront.net/linux/amd64/plugin/latest/notation-com.amazonaws.signer.notation.plugin.sig',
      publicKeyUrl: 'https://d2hvyiie56hcat.cloudfront.net/linux/public.key',
      fingerprint: 'E84AF8A2A9B52F1F4435AE71A3B52DA65461CF90',
    },
  },
  syft: {
    version: '1.51.1',
    url: 'https://github.com/anchore/syft/releases/download/v1.51.1/syft_1.51.1_linux_amd64.tar.gz',
    sha256: '8fcb33017a0dc1058298c923c436d19dfa68ae93968e0b423248542e3afb9fc3',
  },
  grype: {
    version: '0.118.0',
    url: 'https://github.com/anchore/grype/releases/download/v0.118.0/grype_0.118.0_linux_amd64.tar.gz',
    sha256: '1d444c5e7360471815f7158f71935fcecc68a3c417d85c7344f770854300bba2',
  },
  oras: {
    version: '1.3.0',
    url: 'https://github.com/oras-project/oras/releases/download/v1.3.0/oras_1.3.0_linux_amd64.tar.gz',
    sha256: '6cdc692f929100feb08aa8de584d02f7bcc30ec7d88bc2adc2054d782db57c64',
  },
  kubectl: {
    version: '1.33.0',
    url: 'https://dl.k8s.io/release/v1.33.0/bin/linux/amd64/kubectl',
    sha256: '9efe8d3facb23e1618cba36fb1c4e15ac9dc3ed5a2c2e18109e4a66b2bac12dc',
  },
};

/** Name of the ClusterPolicy the eks stack installs: the policies package's default, so they cannot differ. */
export const DEFAULT_ADMISSION_POLICY_NAME = DEFAULT_IMAGE_VERIFICATION_POLICY_NAME;

/** What a stage's buildspec takes from its environment; everything a later config may override. */
export interface EnvironmentPolicy {
  readonly vulnerabilityThreshold: Severity;
  readonly rolloutTimeoutSeconds: number;
  readonly admissionPolicy: AdmissionPolicyInput;
  readonly tools: ToolPins;
  readonly toolsDirectory: string;
}

/**
 * The buildspec defaults of an environment, from its traits: the vulnerability threshold, the
 * rollout timeout, and whether VerifyContainerSign requires the admission policy to enforce (it
 * does wherever admission may not audit).
 */
export function environmentPolicy(environment: Environment): EnvironmentPolicy {
  const traits = environmentTraits(environment);
  return {
    vulnerabilityThreshold: traits.vulnerabilityThreshold,
    rolloutTimeoutSeconds: traits.rolloutTimeoutSeconds,
    admissionPolicy: { name: DEFAULT_ADMISSION_POLICY_NAME, requireEnforce: !traits.admissionMayAudit },
    tools: DEFAULT_TOOLS,
    toolsDirectory: '/usr/local/bin',
  };
}

/** {@link environmentPolicy} of every environment. */
export const ENVIRONMENT_DEFAULTS: Readonly<Record<Environment, EnvironmentPolicy>> = Object.fromEntries(
  ENVIRONMENTS.map((environment) => [environment, environmentPolicy(environment)]),
) as Record<Environment, EnvironmentPolicy>;

/** The AWS Signer trust store of a partition, as the signing stage installs it. */
export function awsSignerTrustStore(partition: AwsPartition = AwsPartition.Commercial): TrustStoreInput {
  return {
    name: awsSignerTrustStoreName(partition),
    certificates: Object.entries(buildTrustStoreFiles(partition)).map(([path, pem]) => ({
      fileName: path.slice(path.lastIndexOf('/') + 1),
      pem,
    })),
  };
}

/**
 * Generator inputs for an app in an environment: the app's declaration, its folder, and the
 * environment's defaults with optional overrides.
 */
export function inputsFor(
  app: WorkspaceApp,
  environment: Environment,
  overrides: Partial<EnvironmentPolicy> = {},
): BuildspecInputs {
  const policy = { ...environmentPolicy(environment), ...overrides };
  return {
    app: {
      name: app.declaration.name,
      namespace: app.declaration.namespace,
      manifestsPath: `${app.directory}/${app.declaration.manifests}`,
      dockerfile: `${app.directory}/Dockerfile`,
      buildContext: '.',
    },
    pipelineName: pipelineName(environment, app.declaration.name),
    tools: policy.tools,
    toolsDirectory: policy.toolsDirectory,
    vulnerabilityThreshold: policy.vulnerabilityThreshold,
    rolloutTimeoutSeconds: policy.rolloutTimeoutSeconds,
    admissionPolicy: policy.admissionPolicy,
    trustStore: awsSignerTrustStore(),
  };
}
