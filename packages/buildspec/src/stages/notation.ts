import type { BuildspecInputs, TrustStoreInput } from '../inputs.js';
import { shellQuote as q } from '../shell.js';
import { WORK_DIR, installNotationPlugin, installTool } from './common.js';

/** Plugin id of the AWS Signer plugin for Notation. */
export const AWS_SIGNER_PLUGIN_ID = 'com.amazonaws.signer.notation.plugin';

/**
 * A command that fails unless the variable holds a strict Notation trust policy using `store`:
 * version 1.0, every statement at level strict with the store and explicit identities (no `*`).
 */
export function requireTrustPolicy(variable: string, store: string): string {
  const filter =
    '.version == "1.0" and (.trustPolicies | type == "array" and length > 0) and all(.trustPolicies[];' +
    ' .signatureVerification.level == "strict" and any((.trustStores // [])[]; . == $store)' +
    ' and ((.trustedIdentities // []) | length > 0 and all(.[]; . != "*")))';
  return [
    `if ! printf '%s' "\${${variable}:-}" | jq -e --arg store ${q(`signingAuthority:${store}`)} ${q(filter)} > /dev/null; then`,
    `  printf '%s\\n' "${variable} must be a Notation trust policy (JSON, version 1.0) whose every statement has level strict, trust store signingAuthority:${store} and explicit trusted identities (no *)" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/** Installs Notation and the AWS Signer plugin from their pinned, checksum-verified downloads. */
export function installNotation(inputs: Pick<BuildspecInputs, 'tools' | 'toolsDirectory'>): string[] {
  return [
    ...installTool(inputs.tools.notation, 'notation', 'tar.gz', inputs.toolsDirectory),
    ...installNotationPlugin(inputs.tools.awsSignerPlugin),
    'notation version',
    'notation plugin list',
  ];
}

/** Adds every certificate of the trust store to Notation's `signingAuthority` store of that name. */
export function addTrustStore(trustStore: TrustStoreInput): string[] {
  return trustStore.certificates.flatMap((cert) => {
    const file = `${WORK_DIR}/${cert.fileName}`;
    const lines = cert.pem.trimEnd().split('\n').map(q).join(' ');
    return [
      `printf '%s\\n' ${lines} > ${q(file)}`,
      `notation cert add --type signingAuthority --store ${q(trustStore.name)} ${q(file)}`,
    ];
  });
}

/**
 * Makes the trust policy in `variable` Notation's only one (`policy import --force` replaces the
 * previous), so the `notation verify` that follows judges by exactly that document.
 */
export function importTrustPolicy(variable: string, file: string): string[] {
  return [
    `printf '%s\\n' "$${variable}" > ${q(`${WORK_DIR}/${file}`)}`,
    `notation policy import --force ${q(`${WORK_DIR}/${file}`)}`,
    'notation policy show',
  ];
}

/**
 * `notation sign` of a reference with a signing profile through the AWS Signer plugin; each
 * `metadata` entry (key to a shell expression) is signed into the payload (`--user-metadata`), and
 * `notation verify --user-metadata` later requires it.
 */
export function notationSign(
  profileVariable: string,
  reference: string,
  metadata: Readonly<Record<string, string>> = {},
): string {
  const pairs = Object.entries(metadata).map(([key, value]) => ` --user-metadata "${key}=${value}"`);
  return `notation sign --plugin ${q(AWS_SIGNER_PLUGIN_ID)} --id "$${profileVariable}"${pairs.join('')} ${reference}`;
}
