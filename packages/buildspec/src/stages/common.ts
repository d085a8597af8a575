import {
  CodeBuildVariable,
  DeployVariable,
  ExportedVariable,
  PromotionVariable,
  type StageEnvironment,
} from '../contract.js';
import type { GpgSignedTool, PinnedTool } from '../inputs.js';
import { OnFailure, type Buildspec } from '../model.js';
import { shellQuote as q } from '../shell.js';

/**
 * How every command is written. CodeBuild runs the commands of a build in one shell session and
 * judges each by its exit status; shell options do not make a command fail. So each command is
 * one step whose exit status is its verdict: a check prints why it failed and ends with `false`,
 * multi-step commands chain with `&&`, and nothing relies on `set -e`. Every expansion is quoted
 * and every command also behaves under `set -euo pipefail`.
 */

/** Scratch directory, relative to the source root, never part of an artifact. */
export const WORK_DIR = '.signet';
/**
 * Where downloads land before their checksum is checked: under $HOME, outside the source root,
 * so the tool archives never end up in the Docker build context.
 */
const DOWNLOAD_DIR = '.signet/downloads';

/** A path under the download directory, as a shell word ($HOME expanded, the rest quoted). */
function downloadPath(file: string): string {
  return `"$HOME"/${q(`${DOWNLOAD_DIR}/${file}`)}`;
}

/** The extended regular expression a variable must match, and what it means in words. */
interface VariableRule {
  readonly pattern: string;
  readonly expected: string;
}

const DIGEST: VariableRule = {
  pattern: '^sha256:[0-9a-f]{64}$',
  expected: 'a digest sha256:<64 lowercase hex digits>',
};

/** The severities grype reports, most severe first: the scan summary counts each. */
export const SCAN_SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
const SCAN_SUMMARY_PATTERN = `^${SCAN_SEVERITIES.map((s) => `${s}=[0-9]+`).join(' ')}$`;

/**
 * Sets SCAN_SUMMARY from grype's JSON report `file` (its `matches[].vulnerability.severity`), as
 * counts per severity, for the approval message.
 */
export function scanSummaryCommand(file: string): string {
  const counts = SCAN_SEVERITIES.map((s) => `"${s}=\\([.[] | select(. == "${s}")] | length)"`).join(', ');
  return `${ExportedVariable.ScanSummary}="$(jq -r '[(.matches // [])[] | .vulnerability.severity | ascii_downcase | if IN(${SCAN_SEVERITIES.filter(
    (s) => s !== 'unknown',
  )
    .map((s) => `"${s}"`)
    .join(
      ', ',
    )}) then . else "unknown" end] | [${counts}] | join(" ")' ${q(file)})" && export ${ExportedVariable.ScanSummary}`;
}

/** Shape checks of every variable of the contract. */
export const VARIABLE_RULES: Readonly<Record<string, VariableRule>> = {
  [CodeBuildVariable.Region]: {
    pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$',
    expected: 'an AWS Region such as eu-west-1',
  },
  [CodeBuildVariable.ResolvedSourceVersion]: {
    pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$',
    expected: 'the full commit id the source resolved to (40 or 64 lowercase hex digits)',
  },
  [DeployVariable.RepositoryUri]: {
    pattern: '^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9]+([._/-][a-z0-9]+)*$',
    expected:
      'an ECR repository URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server, without tag or digest',
  },
  [DeployVariable.SigningProfileArn]: {
    pattern: '^arn:aws(-cn|-us-gov)?:signer:[a-z0-9-]+:[0-9]{12}:/signing-profiles/[A-Za-z0-9_]{2,64}$',
    expected:
      'a signing profile ARN such as arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_dev',
  },
  [DeployVariable.ClusterName]: {
    pattern: '^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$',
    expected: 'an EKS cluster name (letters, digits, - and _, at most 100)',
  },
  [DeployVariable.PromotionSourceUri]: {
    pattern: '^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9]+([._/-][a-z0-9]+)*$',
    expected:
      'the ECR repository URI of the environment promoted from, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-dev/hello-server, without tag or digest',
  },
  [DeployVariable.PluginMirrorBucket]: {
    pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
    expected: 'an S3 bucket name (the signer stack output pluginMirror.bucketName)',
  },
  [PromotionVariable.PromotedDigest]: DIGEST,
  [PromotionVariable.PromotedCommit]: {
    pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$',
    expected: 'the full commit id the promoted image was built from',
  },
  [ExportedVariable.ImageDigest]: DIGEST,
  [ExportedVariable.SbomDigest]: DIGEST,
  [ExportedVariable.ManifestsSha256]: {
    pattern: '^sha256:[0-9a-f]{64}$',
    expected: 'the manifests hash sha256:<64 lowercase hex digits>',
  },
  [ExportedVariable.ScanSummary]: {
    pattern: SCAN_SUMMARY_PATTERN,
    expected: 'counts per severity, as critical=0 high=0 medium=0 low=0 negligible=0 unknown=0',
  },
  [ExportedVariable.ImageTag]: {
    pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$',
    expected: 'the commit id the image was built from',
  },
};

/**
 * The checks of a stage's contract variables, in contract order (CodeBuild's, deploy-time, taken
 * from Build), one {@link requireVariable} each, but those the stage checks its own way
 * (`checkedElsewhere`: a trust policy as a document, IMAGE_URI against the digest).
 */
export function requireContractVariables(
  contract: StageEnvironment,
  checkedElsewhere: readonly string[] = [],
): string[] {
  return [...contract.codebuild, ...contract.deployTime, ...contract.fromBuild]
    .filter((name) => !checkedElsewhere.includes(name))
    .map(requireVariable);
}

/** A command that fails, naming the variable and its value, unless the variable matches its rule. */
export function requireVariable(name: string): string {
  const rule = VARIABLE_RULES[name];
  if (rule === undefined) throw new Error(`no rule for ${name}`);
  return [
    `signet_pattern=${q(rule.pattern)}`,
    `if [[ ! "\${${name}:-}" =~ $signet_pattern ]]; then`,
    `  printf '%s\\n' "${name} must be ${rule.expected}; got: '\${${name}:-}'" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/**
 * What CodeBuild sets CODEBUILD_INITIATOR to for a build CodePipeline started: `codepipeline/`
 * and the pipeline's name (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html).
 * A build someone started directly reports their user or role session instead.
 */
export const PIPELINE_INITIATOR_PREFIX = 'codepipeline/';

/** The variable CodeBuild reports the build's initiator in. */
export const INITIATOR_VARIABLE = 'CODEBUILD_INITIATOR';

/**
 * The first command of every stage: fail unless the app's own pipeline started the build. A
 * direct StartBuild (a user, a CI role, another pipeline) with overridden variables stops here
 * before anything is installed, signed, pushed or applied. It cannot stop a StartBuild that
 * overrides the buildspec itself, which never runs this command: only IAM denies that (the
 * guardrails of @signet/policies; see docs/operations.md).
 */
export function requirePipelineInitiator(pipelineName: string): string {
  const expected = `${PIPELINE_INITIATOR_PREFIX}${pipelineName}`;
  return [
    `if [[ "\${${INITIATOR_VARIABLE}:-}" != ${q(expected)} ]]; then`,
    `  printf '%s\\n' "${INITIATOR_VARIABLE} is '\${${INITIATOR_VARIABLE}:-}'; expected ${expected}: this stage runs only when its pipeline starts it" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/**
 * The stage's buildspec with {@link requirePipelineInitiator} as the very first command. Its
 * install phase must abort the build on failure, so a refused build runs nothing else.
 */
export function withPipelineInitiatorCheck(spec: Buildspec, pipelineName: string): Buildspec {
  const install = spec.phases.install;
  if (install === undefined || install['on-failure'] !== OnFailure.Abort) {
    throw new Error(
      `a stage buildspec must start with an install phase whose on-failure is ${OnFailure.Abort} (the pipeline initiator check goes first); got ${JSON.stringify(install?.['on-failure'] ?? 'no install phase')}`,
    );
  }
  return {
    ...spec,
    phases: {
      ...spec.phases,
      install: { ...install, commands: [requirePipelineInitiator(pipelineName), ...install.commands] },
    },
  };
}

/** A command that fails unless IMAGE_URI is exactly the app's repository at IMAGE_DIGEST. */
export function requireImageUriConsistent(): string {
  return [
    `if [[ "\${${ExportedVariable.ImageUri}:-}" != "\${${DeployVariable.RepositoryUri}:-}@\${${ExportedVariable.ImageDigest}:-}" ]]; then`,
    `  printf '%s\\n' "${ExportedVariable.ImageUri} must be \${${DeployVariable.RepositoryUri}:-}@\${${ExportedVariable.ImageDigest}:-} (this app's repository, by digest); got: '\${${ExportedVariable.ImageUri}:-}'" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/** The archive kinds a pinned tool comes in. */
export type ToolKind = 'tar.gz' | 'binary';

/**
 * Commands that download a pinned tool, refuse it unless its SHA-256 matches, and install it.
 * The checksum is checked before anything from the download is unpacked or run.
 */
export function installTool(
  tool: PinnedTool,
  binary: string,
  kind: ToolKind,
  toolsDirectory: string,
): string[] {
  const file = downloadPath(`${binary}-${tool.version}${kind === 'tar.gz' ? '.tar.gz' : ''}`);
  return [
    `curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --output ${file} ${q(tool.url)}`,
    `printf '%s  %s\\n' ${q(tool.sha256)} ${file} | sha256sum --check --strict`,
    kind === 'tar.gz'
      ? `tar --extract --gzip --no-same-owner --file ${file} --directory ${q(toolsDirectory)} ${q(binary)}`
      : `install -m 0755 ${file} ${q(`${toolsDirectory}/${binary}`)}`,
  ];
}

/** The executable inside the AWS Signer plugin's archive, which AWS's GPG signature covers. */
export const SIGNER_PLUGIN_EXECUTABLE = 'notation-com.amazonaws.signer.notation.plugin';

/** Where the mirror bucket keeps the plugin builds: `aws-signer-plugin/<version>/<file>`. */
export const SIGNER_PLUGIN_MIRROR_PREFIX = 'aws-signer-plugin';

/** The files of one mirrored plugin build: AWS's archive, AWS's signature of its executable, AWS's key. */
export const SignerPluginMirrorFile = {
  Archive: 'notation-aws-signer-plugin.zip',
  Signature: `${SIGNER_PLUGIN_EXECUTABLE}.sig`,
  PublicKey: 'aws-signer-notation-public.key',
} as const;
export type SignerPluginMirrorFile = (typeof SignerPluginMirrorFile)[keyof typeof SignerPluginMirrorFile];

/** The object key of one file of a plugin version in the mirror bucket. */
export function signerPluginMirrorKey(version: string, file: SignerPluginMirrorFile): string {
  return `${SIGNER_PLUGIN_MIRROR_PREFIX}/${version}/${file}`;
}

/** The prefix of one plugin version's objects in the mirror bucket (what the stage roles may read). */
export function signerPluginMirrorVersionPrefix(version: string): string {
  return `${SIGNER_PLUGIN_MIRROR_PREFIX}/${version}/`;
}

/**
 * Commands that install the AWS Signer plugin into Notation from the signer stack's mirror bucket
 * (`SIGNET_PLUGIN_MIRROR_BUCKET`), where `signet mirror-plugin` put AWS's archive, signature and
 * key after checking them, and only if both checks pass again here: the archive's SHA-256 is the
 * pinned one (checked before it is unpacked), and the executable inside carries a valid signature
 * by the OpenPGP key whose fingerprint AWS publishes in the AWS Signer Developer Guide
 * (https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html).
 * The key is imported into an empty keyring of its own, and gpg's machine-readable status must
 * report a good signature (`VALIDSIG`) whose primary key is the pinned fingerprint, so a
 * substituted key file or signature in the bucket is refused like a tampered binary. The mirror
 * exists because AWS serves the plugin only at a `latest` URL: a build pinned to it breaks the day
 * AWS replaces it (docs/operations.md, "Re-pinning the AWS Signer plugin").
 */
export function installNotationPlugin(tool: GpgSignedTool): string[] {
  const file = downloadPath(`notation-aws-signer-plugin-${tool.version}.zip`);
  const key = downloadPath('aws-signer-notation-public.key');
  const signature = downloadPath(`${SIGNER_PLUGIN_EXECUTABLE}-${tool.version}.sig`);
  const unpacked = downloadPath(`notation-aws-signer-plugin-${tool.version}`);
  const executable = `${unpacked}/${q(SIGNER_PLUGIN_EXECUTABLE)}`;
  const bucket = `\${${DeployVariable.PluginMirrorBucket}}`;
  const object = (name: SignerPluginMirrorFile) =>
    `s3://${bucket}/${signerPluginMirrorKey(tool.version, name)}`;
  const copy = (name: SignerPluginMirrorFile, output: string) =>
    `aws s3 cp --only-show-errors "${object(name)}" ${output}`;
  const { fingerprint } = tool.gpg;
  const notInstalled = 'The AWS Signer plugin is not installed:';
  return [
    [
      `if ! { ${copy(SignerPluginMirrorFile.Archive, file)} && ${copy(SignerPluginMirrorFile.Signature, signature)} && ${copy(SignerPluginMirrorFile.PublicKey, key)}; }; then`,
      `  printf '%s\\n' "${notInstalled} version ${tool.version} is not in the mirror s3://${bucket}/${signerPluginMirrorVersionPrefix(tool.version)} (or this role may not read it); mirror it with: pnpm signet mirror-plugin --env <environment>" >&2`,
      '  false',
      'fi',
    ].join('\n'),
    `printf '%s  %s\\n' ${q(tool.sha256)} ${file} | sha256sum --check --strict`,
    `mkdir -p ${unpacked} && unzip -o -q ${file} ${q(SIGNER_PLUGIN_EXECUTABLE)} -d ${unpacked}`,
    [
      'signet_gnupg="$(mktemp -d)"',
      `if ! gpg --homedir "$signet_gnupg" --batch --quiet --import ${key}; then`,
      `  printf '%s\\n' "${notInstalled} ${object(SignerPluginMirrorFile.PublicKey)} is not an OpenPGP public key" >&2`,
      '  false',
      `elif ! grep -Eq ${q(`^\\[GNUPG:\\] VALIDSIG ([^ ]+ ){9}${fingerprint}$`)} <<< "$(gpg --homedir "$signet_gnupg" --batch --status-fd 1 --verify ${signature} ${executable} 2> /dev/null || true)"; then`,
      `  printf '%s\\n' "${notInstalled} ${object(SignerPluginMirrorFile.Signature)} is not a valid signature of ${SIGNER_PLUGIN_EXECUTABLE} (version ${tool.version}) by AWS Signer's key ${fingerprint}" >&2`,
      '  false',
      'fi',
    ].join('\n'),
    `notation plugin install --file ${file}`,
  ];
}

/** Creates the scratch, download and tools directories. */
export function prepareDirectories(toolsDirectory: string): string {
  return `mkdir -p ${q(WORK_DIR)} ${downloadPath('')} ${q(toolsDirectory)}`;
}

/*
 * AWS CLI calls. CodeBuild's standard image has AWS CLI v2; the tests run these commands with v1
 * (1.45) against moto. For the two commands used they agree on flags and output:
 * `ecr get-login-password` prints the password alone on both, and `eks update-kubeconfig` writes
 * the same context (named by the cluster ARN, exec user `aws eks get-token`, apiVersion
 * client.authentication.k8s.io/v1beta1) and prints "Added new context ...". They differ in exit
 * status on a service error (v1 255, v2 254: the commands here test for non-zero only) and in
 * v2's pager, which never starts without a terminal
 * (https://docs.aws.amazon.com/cli/latest/userguide/cliv2-migration-changes.html).
 */

/** Logs docker in to the app's ECR registry with a short-lived token. */
export function dockerLogin(): string {
  return `aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "\${${DeployVariable.RepositoryUri}%%/*}"`;
}

/**
 * Hands notation the app's ECR token for every later registry call, through the variables each
 * notation command reads (https://notaryproject.dev/docs/how-to/registry-authentication/).
 * `notation login` is not used: notation refuses to store a password in plain text and fails
 * ("a credentials store is required to securely store the password") unless a native credential
 * helper is installed, which the CodeBuild image does not configure.
 */
export function notationRegistryCredentials(): string {
  return `NOTATION_PASSWORD="$(aws ecr get-login-password --region "$AWS_REGION")" && export NOTATION_PASSWORD NOTATION_USERNAME=AWS`;
}

/** Points kubectl at the app's cluster. */
export function updateKubeconfig(): string {
  return `aws eks update-kubeconfig --region "$AWS_REGION" --name "$${DeployVariable.ClusterName}"`;
}

/** Writes the blog's `imagedefinitions.json` for the app's container. */
export function imageDefinitions(appName: string): string {
  return `jq -n --arg name ${q(appName)} --arg uri "$${ExportedVariable.ImageUri}" '[{name: $name, imageUri: $uri}]' > imagedefinitions.json`;
}
