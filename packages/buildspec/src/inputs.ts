import { BuildspecInputError, quote } from './errors.js';

/** Severities the vulnerability gate can fail on (grype's `--fail-on` values). */
export const Severity = {
  Negligible: 'negligible',
  Low: 'low',
  Medium: 'medium',
  High: 'high',
  Critical: 'critical',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** A download pinned by version and SHA-256; nothing unverified is ever installed. */
export interface PinnedTool {
  /** Upstream version, shown in the rendered buildspec. */
  readonly version: string;
  /** HTTPS URL of the release asset. */
  readonly url: string;
  /** SHA-256 of the asset, lowercase hex; the download is refused if it differs. */
  readonly sha256: string;
}

/** Every tool a stage downloads. */
export interface ToolPins {
  /** Notation CLI release archive (`.tar.gz` holding `notation`). */
  readonly notation: PinnedTool;
  /** AWS Signer plugin for Notation (`.zip`, installed with `notation plugin install --file`). */
  readonly awsSignerPlugin: PinnedTool;
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
  /** Whether every validate rule must have `failureAction: Enforce` (staging, prod). */
  readonly requireEnforce: boolean;
}

/** Everything the four stage generators take. Deploy-time values are not here: see the contract. */
export interface BuildspecInputs {
  readonly app: AppInput;
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
const VERSION = /^v?[0-9]+(\.[0-9]+)*([+-][0-9A-Za-z.]+)?$/;
const STORE_NAME = /^[A-Za-z0-9_.-]+$/;
const CERT_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.(crt|pem|cer)$/;
const PEM = /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END CERTIFICATE-----\n?$/;

function check(ok: boolean, field: string, value: unknown, allowed: string): void {
  if (!ok) throw new BuildspecInputError(field, `${quote(value)} is not allowed; ${allowed}`);
}

function checkString(value: unknown, pattern: RegExp, field: string, allowed: string): void {
  check(typeof value === 'string' && pattern.test(value), field, value, allowed);
}

function checkTool(tool: PinnedTool | undefined, field: string): void {
  if (tool === undefined)
    throw new BuildspecInputError(field, 'is missing; pin the tool by version, https URL and sha256');
  checkString(tool.version, VERSION, `${field}.version`, 'use a release version such as 1.3.2');
  checkString(
    tool.url,
    HTTPS_URL,
    `${field}.url`,
    'use an https URL of letters, digits and ._~%+- without . or .. segments',
  );
  check(
    !/\/\.{1,2}(\/|$)/.test(tool.url),
    `${field}.url`,
    tool.url,
    'use an https URL without . or .. segments',
  );
  checkString(tool.sha256, SHA256, `${field}.sha256`, 'use the 64 lowercase hex digits of the SHA-256');
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
  checkString(
    app.name,
    DNS_LABEL,
    'app.name',
    'use a DNS label: lowercase letters, digits and -, at most 63',
  );
  checkString(
    app.namespace,
    DNS_LABEL,
    'app.namespace',
    'use a DNS label: lowercase letters, digits and -, at most 63',
  );
  const pathRule =
    'use a path relative to the workspace root made of letters, digits and ._- (no .., no leading /)';
  for (const key of ['manifestsPath', 'dockerfile', 'buildContext'] as const) {
    checkString(app[key], RELATIVE_PATH, `app.${key}`, pathRule);
    check(!app[key].split('/').includes('..'), `app.${key}`, app[key], pathRule);
  }
  for (const name of TOOL_NAMES) checkTool(inputs.tools[name], `tools.${name}`);
  checkString(
    inputs.toolsDirectory,
    ABSOLUTE_PATH,
    'toolsDirectory',
    'use an absolute path of letters, digits and ._-',
  );
  check(
    !inputs.toolsDirectory.split('/').includes('..'),
    'toolsDirectory',
    inputs.toolsDirectory,
    'use a path without ..',
  );
  check(
    (Object.values(Severity) as string[]).includes(inputs.vulnerabilityThreshold),
    'vulnerabilityThreshold',
    inputs.vulnerabilityThreshold,
    `use one of ${Object.values(Severity).join(', ')}`,
  );
  check(
    Number.isInteger(inputs.rolloutTimeoutSeconds) &&
      inputs.rolloutTimeoutSeconds >= 10 &&
      inputs.rolloutTimeoutSeconds <= 3600,
    'rolloutTimeoutSeconds',
    inputs.rolloutTimeoutSeconds,
    'use a whole number of seconds from 10 to 3600',
  );
  checkString(
    inputs.admissionPolicy.name,
    DNS_SUBDOMAIN,
    'admissionPolicy.name',
    'use a Kubernetes object name (DNS subdomain)',
  );
  check(
    typeof inputs.admissionPolicy.requireEnforce === 'boolean',
    'admissionPolicy.requireEnforce',
    inputs.admissionPolicy.requireEnforce,
    'use true or false',
  );
  checkString(inputs.trustStore.name, STORE_NAME, 'trustStore.name', 'use letters, digits and ._-');
  check(
    inputs.trustStore.certificates.length > 0,
    'trustStore.certificates',
    inputs.trustStore.certificates,
    'give at least one certificate',
  );
  const seen = new Set<string>();
  inputs.trustStore.certificates.forEach((cert, i) => {
    const at = `trustStore.certificates[${i}]`;
    checkString(
      cert.fileName,
      CERT_FILE,
      `${at}.fileName`,
      'use a file name of letters, digits and ._- ending in .crt, .pem or .cer',
    );
    check(!seen.has(cert.fileName), `${at}.fileName`, cert.fileName, 'use each file name once');
    seen.add(cert.fileName);
    checkString(
      cert.pem,
      PEM,
      `${at}.pem`,
      'use one PEM certificate (BEGIN/END CERTIFICATE lines around base64 lines)',
    );
  });
}
