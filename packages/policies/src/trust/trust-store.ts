import { AwsPartition } from '../arn.js';
import { PolicyInputError, quote } from '../errors.js';
import { awsSignerRootCertificate } from './aws-signer-root.js';
import { AWS_SIGNER_TRUST_STORE_NAMES, awsSignerTrustStoreName, TrustStoreType } from './store-names.js';
import { renderTrustPolicyJson, type TrustPolicyDocument } from './trust-policy.js';

const ROOT_FILE_NAMES: Readonly<Record<AwsPartition, string>> = {
  [AwsPartition.Commercial]: 'aws-signer-notation-root.crt',
  [AwsPartition.GovCloudUs]: 'aws-us-gov-signer-notation-root.crt',
};

/**
 * File name of the trust policy inside the Notation configuration directory
 * (`$XDG_CONFIG_HOME/notation`, i.e. `~/.config/notation` on Linux). Notation 1.0 and 1.1 read
 * only this name; 1.2 and later prefer `trustpolicy.oci.json` and fall back to this one, so this
 * name works with every 1.x release as long as no `trustpolicy.oci.json` exists.
 */
export const NOTATION_TRUST_POLICY_FILE = 'trustpolicy.json';

/** Directory of the trust stores inside the Notation configuration directory. */
export const NOTATION_TRUST_STORE_DIR = 'truststore/x509';

/** Files relative to the Notation configuration directory, and what they contain. */
export interface NotationConfigFiles {
  /** Path of the trust policy, relative to the Notation configuration directory. */
  readonly trustPolicyFile: string;
  /** Relative path → file content, for the trust policy and every certificate it needs. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The AWS Signer trust store of `partition` as files, relative to the Notation configuration
 * directory: `truststore/x509/signingAuthority/<store>/<root>.crt`.
 */
export function buildTrustStoreFiles(partition: AwsPartition): Readonly<Record<string, string>> {
  const path = `${NOTATION_TRUST_STORE_DIR}/${TrustStoreType.SigningAuthority}/${awsSignerTrustStoreName(partition)}/${ROOT_FILE_NAMES[partition]}`;
  return { [path]: awsSignerRootCertificate(partition) };
}

function partitionOfStore(reference: string, field: string): AwsPartition {
  const [type, name, ...rest] = reference.split(':');
  const partition = (Object.keys(AWS_SIGNER_TRUST_STORE_NAMES) as AwsPartition[]).find(
    (p) => AWS_SIGNER_TRUST_STORE_NAMES[p] === name,
  );
  if (type !== TrustStoreType.SigningAuthority || partition === undefined || rest.length > 0) {
    throw new PolicyInputError({
      path: field,
      value: reference,
      allowed: `an AWS Signer trust store: one of ${Object.values(AWS_SIGNER_TRUST_STORE_NAMES)
        .map((n) => quote(`${TrustStoreType.SigningAuthority}:${n}`))
        .join(', ')}`,
    });
  }
  return partition;
}

/**
 * Everything `notation verify` needs on disk for `document`: the trust policy file and the AWS
 * Signer root certificate of every trust store the document references. Write each entry under
 * the Notation configuration directory.
 */
export function buildNotationConfigFiles(document: TrustPolicyDocument): NotationConfigFiles {
  const files: Record<string, string> = {
    [NOTATION_TRUST_POLICY_FILE]: renderTrustPolicyJson(document),
  };
  document.trustPolicies.forEach((statement, i) => {
    (statement.trustStores ?? []).forEach((reference, j) => {
      Object.assign(
        files,
        buildTrustStoreFiles(partitionOfStore(reference, `trustPolicies[${i}].trustStores[${j}]`)),
      );
    });
  });
  return { trustPolicyFile: NOTATION_TRUST_POLICY_FILE, files };
}
