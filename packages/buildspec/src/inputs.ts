import { ROLLOUT_TIMEOUT_SECONDS, SEVERITIES, Severity } from '@signet/core';
import { BuildspecInputError } from './errors.js';

// The severities belong with the environments' vulnerability thresholds, in @signet/core.
export { Severity };

/** A download pinned by version and SHA-256; nothing unverified is ever installed. */
export interface PinnedTool {
  /** Upstream version, shown in the rendered buildspec. */
  readonly version: string;
  /** HTTPS URL of the release asset. */
  readonly url: string;
  /** SHA-256 of the asset, lowercase hex; the download is refused if it differs. */
  readonly sha256: string;
}

/**
 * A download also signed with its publisher's OpenPGP key: the detached signature of the
 * executable inside the archive, checked against the key whose fingerprint the publisher documents.
 * For the AWS Signer plugin, the URLs are where `signet mirror-plugin` downloads from; the stages
 * copy the same files from the signer stack's mirror bucket.
 */
export interface GpgSignedTool extends PinnedTool {
  readonly gpg: {
    /** HTTPS URL of the detached signature of the executable inside the archive. */
    readonly signatureUrl: string;
    /** HTTPS URL of the publisher's public key. */
    readonly publicKeyUrl: string;
    /** The key's fingerprint as the publisher documents it: 40 uppercase hex digits, no spaces. */
    readonly fingerprint: string;
  };
}

/** Every tool a stage downloads. */
export interface ToolPins {
  /** Notation CLI release archive (`.tar.gz` holding `notation`). */
  readonly notation: PinnedTool;
  /**
   * AWS Signer plugin for Notation (`.zip`, installed with `notation plugin install --file`),
   * with AWS's GPG signature of the plugin executable.
   */
  readonly awsSignerPlugin: GpgSignedTool;
  /** Syft release archive (`.tar.gz` holding `syft`): writes the SBOM. */
  readonly syft: PinnedTool;
  /** Grype release archive (`.tar.gz` holding `grype`): the vulnerability gate. */
  readonly grype: PinnedTool;
  /** ORAS release archive (`.tar.gz` holding `oras`): attaches the SBOM as an OCI referrer. */
  readonly oras: PinnedTool;
  /** kubectl binary. */
  readonly kubectl: PinnedTool;
}

/** The app, as declared in its package.json `signet` field. */
export interface AppInput {
  /** App name: the Deployment and its container carry it. DNS label. */
  readonly name: string;
  /** Kubernetes namespace the app deploys to. DNS label. */
  readonly namespace: string;
  /** Folder of the app's manifests, relative to the workspace root, e.g. `apps/hello-server/deploy`. */
  readonly manifestsPath: string;
  /** Dockerfile, relative to the workspace root, e.g. `apps/hello-server/Dockerfile`. */
  readonly dockerfile: string;
  /** Docker build context, relative to the workspace root. Default in the defaults module: `.`. */
  readonly buildContext: string;
}

/** One certificate of the Notation trust store. */
export interface TrustStoreCertificate {
  /** File name inside the trust store, e.g. `aws-signer-notation-root.crt`. */
  readonly fileName: string;
  /** The certificate, PEM. */
  readonly pem: string;
}

/** The Notation trust store the signing stage verifies against. */
export interface TrustStoreInput {
  /** Store name; the trust policy references it as `signingAuthority:<name>`. */
  readonly name: string;
  /** Certificates of the store (the AWS Signer root CA). */
  readonly certificates: readonly TrustStoreCertificate[];
}

/** The Kyverno ClusterPolicy VerifyContainerSign checks after deployment. */
export interface AdmissionPolicyInput {
  /** ClusterPolicy name. */
  readonly name: string;
  /**
   * Whether every validate rule must have `failureAction: Enforce`: true where the environment's
   * admission may not audit (`admissionMayAudit` of @signet/core).
   */
  readonly requireEnforce: boolean;
}

/** Everything the four stage generators take. Deploy-time values are not here: see the contract. */
export interface BuildspecInputs {
  readonly app: AppInput;
  /**
   * The app's pipeline in this environment (`pipelineName` of @signet/core). Every stage refuses
   * to run unless CodeBuild reports that pipeline as its initiator.
   */
  readonly pipelineName: string;
  /** Pinned tools. */
  readonly tools: ToolPins;
  /** Absolute directory, on PATH in the build image, where downloaded tools are installed. */
  readonly toolsDirectory: string;
  /** Lowest severity that fails the vulnerability gate. */
  readonly vulnerabilityThreshold: Severity;
  /** How long `kubectl rollout status` waits before the deployment is rolled back, in seconds. */
  readonly rolloutTimeoutSeconds: number;
  readonly admissionPolicy: AdmissionPolicyInput;
  readonly trustStore: TrustStoreInput;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const RELATIVE_PATH = /^(\.|[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$/;
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;
const HTTPS_URL = /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(\/[A-Za-z0-9._~%+-]+)+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const FINGERPRINT = /^[0-9A-F]{40}$/;
const VERSION = /^v?[0-9]+(\.[0-9]+)*([+-][0-9A-Za-z.]+)?$/;
/** CodePipeline pipeline names (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html). */
const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
const STORE_NAME = /^[A-Za-z0-9_.-]+$/;
const CERT_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.(crt|pem|cer)$/;
const PEM = /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END CERTIFICATE-----\n?$/;

function check(ok: boolean, path: string, value: unknown, allowed: string): void {
  if (!ok) throw new BuildspecInputError({ path, value, allowed });
}

function checkString(value: unknown, pattern: RegExp, path: string, allowed: string): void {
  check(typeof value === 'string' && pattern.test(value), path, value, allowed);
}

function checkTool(tool: PinnedTool | undefined, path: string): void {
  if (tool === undefined)
    throw new BuildspecInputError({
      path,
      issue: 'missing',
      allowed: 'a tool pinned by version, https URL and sha256',
    });
  checkString(tool.version, VERSION, `${path}.version`, 'a release version such as 1.3.2');
  const url = 'an https URL of letters, digits and ._~%+- without . or .. segments';
  checkString(tool.url, HTTPS_URL, `${path}.url`, url);
  check(!/\/\.{1,2}(\/|$)/.test(tool.url), `${path}.url`, tool.url, url);
  checkString(tool.sha256, SHA256, `${path}.sha256`, 'the 64 lowercase hex digits of the SHA-256');
}

/** Keys of {@link ToolPins}, in the order the stages install them. */
export const TOOL_NAMES: readonly (keyof ToolPins)[] = [
  'syft',
  'grype',
  'oras',
  'notation',
  'awsSignerPlugin',
  'kubectl',
];

/**
 * Validates generator inputs and throws a {@link BuildspecInputError} naming the first invalid
 * field. Values end up in shell commands, so only plain, known-safe characters are accepted.
 */
export function validateInputs(inputs: BuildspecInputs): void {
  const { app } = inputs;
  const dnsLabel = 'a DNS label (lowercase letters, digits and "-", at most 63 characters)';
  checkString(app.name, DNS_LABEL, 'app.name', dnsLabel);
  checkString(app.namespace, DNS_LABEL, 'app.namespace', dnsLabel);
  const pathRule =
    'a path relative to the workspace root made of letters, digits and ._- (no .., no leading /)';
  for (const key of ['manifestsPath', 'dockerfile', 'buildContext'] as const) {
    checkString(app[key], RELATIVE_PATH, `app.${key}`, pathRule);
    check(!app[key].split('/').includes('..'), `app.${key}`, app[key], pathRule);
  }
  checkString(
    inputs.pipelineName,
    PIPELINE_NAME,
    'pipelineName',
    'a CodePipeline name (letters, digits and .@_-, at most 100 characters)',
  );
  for (const name of TOOL_NAMES) checkTool(inputs.tools[name], `tools.${name}`);
  const gpg = inputs.tools.awsSignerPlugin.gpg as GpgSignedTool['gpg'] | undefined;
  if (gpg === undefined) {
    throw new BuildspecInputError({
      path: 'tools.awsSignerPlugin.gpg',
      issue: 'missing',
      allowed: "the URLs of AWS's signature and public key, and the key's fingerprint",
    });
  }
  for (const key of ['signatureUrl', 'publicKeyUrl'] as const) {
    const url = 'an https URL of letters, digits and ._~%+- without . or .. segments';
    checkString(gpg[key], HTTPS_URL, `tools.awsSignerPlugin.gpg.${key}`, url);
    check(!/\/\.{1,2}(\/|$)/.test(gpg[key]), `tools.awsSignerPlugin.gpg.${key}`, gpg[key], url);
  }
  checkString(
    gpg.fingerprint,
    FINGERPRINT,
    'tools.awsSignerPlugin.gpg.fingerprint',
    'an OpenPGP fingerprint: 40 uppercase hex digits, no spaces',
  );
  const directoryRule = 'an absolute path of letters, digits and ._- (no ..)';
  checkString(inputs.toolsDirectory, ABSOLUTE_PATH, 'toolsDirectory', directoryRule);
  check(
    !inputs.toolsDirectory.split('/').includes('..'),
    'toolsDirectory',
    inputs.toolsDirectory,
    directoryRule,
  );
  check(
    SEVERITIES.includes(inputs.vulnerabilityThreshold),
    'vulnerabilityThreshold',
    inputs.vulnerabilityThreshold,
    `one of ${SEVERITIES.join(', ')}`,
  );
  check(
    Number.isInteger(inputs.rolloutTimeoutSeconds) &&
      inputs.rolloutTimeoutSeconds >= ROLLOUT_TIMEOUT_SECONDS.min &&
      inputs.rolloutTimeoutSeconds <= ROLLOUT_TIMEOUT_SECONDS.max,
    'rolloutTimeoutSeconds',
    inputs.rolloutTimeoutSeconds,
    `a whole number of seconds from ${ROLLOUT_TIMEOUT_SECONDS.min} to ${ROLLOUT_TIMEOUT_SECONDS.max}`,
  );
  checkString(
    inputs.admissionPolicy.name,
    DNS_SUBDOMAIN,
    'admissionPolicy.name',
    'a Kubernetes object name (DNS subdomain)',
  );
  check(
    typeof inputs.admissionPolicy.requireEnforce === 'boolean',
    'admissionPolicy.requireEnforce',
    inputs.admissionPolicy.requireEnforce,
    'true or false',
  );
  checkString(inputs.trustStore.name, STORE_NAME, 'trustStore.name', 'letters, digits and ._-');
  check(
    inputs.trustStore.certificates.length > 0,
    'trustStore.certificates',
    inputs.trustStore.certificates,
    'at least one certificate',
  );
  const seen = new Set<string>();
  inputs.trustStore.certificates.forEach((cert, i) => {
    const at = `trustStore.certificates[${i}]`;
    const fileRule = 'a file name of letters, digits and ._- ending in .crt, .pem or .cer, each used once';
    checkString(cert.fileName, CERT_FILE, `${at}.fileName`, fileRule);
    check(!seen.has(cert.fileName), `${at}.fileName`, cert.fileName, fileRule);
    seen.add(cert.fileName);
    checkString(
      cert.pem,
      PEM,
      `${at}.pem`,
      'one PEM certificate (BEGIN/END CERTIFICATE lines around base64 lines)',
    );
  });
}
