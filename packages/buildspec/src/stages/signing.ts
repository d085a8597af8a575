import { DeployVariable, ExportedVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import {
  WORK_DIR,
  notationRegistryCredentials,
  installNotationPlugin,
  installTool,
  prepareDirectories,
  requireImageUriConsistent,
  requireVariable,
} from './common.js';

/** Plugin id of the AWS Signer plugin for Notation. */
export const AWS_SIGNER_PLUGIN_ID = 'com.amazonaws.signer.notation.plugin';

const TRUST_POLICY_FILE = `${WORK_DIR}/trustpolicy.json`;
const SBOM_REF = `"$${DeployVariable.RepositoryUri}@$${ExportedVariable.SbomDigest}"`;
const IMAGE_REF = `"$${ExportedVariable.ImageUri}"`;

/** A command that fails unless SIGNET_TRUST_POLICY is a strict Notation trust policy using `store`. */
function requireTrustPolicy(store: string): string {
  const filter =
    '.version == "1.0" and (.trustPolicies | type == "array" and length > 0) and all(.trustPolicies[];' +
    ' .signatureVerification.level == "strict" and any((.trustStores // [])[]; . == $store)' +
    ' and ((.trustedIdentities // []) | length > 0 and all(.[]; . != "*")))';
  return [
    `if ! printf '%s' "\${${DeployVariable.TrustPolicy}:-}" | jq -e --arg store ${q(`signingAuthority:${store}`)} ${q(filter)} > /dev/null; then`,
    `  printf '%s\\n' "${DeployVariable.TrustPolicy} must be a Notation trust policy (JSON, version 1.0) whose every statement has level strict, trust store signingAuthority:${store} and explicit trusted identities (no *)" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/**
 * ApplicationSigning: install Notation and the AWS Signer plugin from pinned, checksum-verified
 * downloads; sign the image and its SBOM by digest with the signing profile; verify both with
 * the trust policy the cluster uses, at level strict. `notation verify` writes its own error
 * messages to the log untouched.
 */
export function signingStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { tools, toolsDirectory, trustStore } = inputs;
  const sign = (ref: string) =>
    `notation sign --plugin ${q(AWS_SIGNER_PLUGIN_ID)} --id "$${DeployVariable.SigningProfileArn}" ${ref}`;
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...[...contract.codebuild, ...contract.deployTime, ...contract.fromBuild]
            .filter((name) => name !== DeployVariable.TrustPolicy && name !== ExportedVariable.ImageUri)
            .map(requireVariable),
          requireImageUriConsistent(),
          requireTrustPolicy(trustStore.name),
          prepareDirectories(toolsDirectory),
          ...installTool(tools.notation, 'notation', 'tar.gz', toolsDirectory),
          ...installNotationPlugin(tools.awsSignerPlugin),
          'notation version',
          'notation plugin list',
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          notationRegistryCredentials(),
          ...trustStore.certificates.flatMap((cert) => {
            const file = `${WORK_DIR}/${cert.fileName}`;
            const lines = cert.pem.trimEnd().split('\n').map(q).join(' ');
            return [
              `printf '%s\\n' ${lines} > ${q(file)}`,
              `notation cert add --type signingAuthority --store ${q(trustStore.name)} ${q(file)}`,
            ];
          }),
          `printf '%s\\n' "$${DeployVariable.TrustPolicy}" > ${q(TRUST_POLICY_FILE)}`,
          `notation policy import --force ${q(TRUST_POLICY_FILE)}`,
          'notation policy show',
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          sign(IMAGE_REF),
          sign(SBOM_REF),
          `notation inspect ${IMAGE_REF}`,
          `notation verify ${IMAGE_REF}`,
          `notation verify ${SBOM_REF}`,
        ],
      },
    },
  };
}
