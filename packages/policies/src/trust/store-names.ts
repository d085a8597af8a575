import { AwsPartition } from '../arn.js';

/** Notary trust store types. AWS Signer signatures chain to a signing authority root. */
export const TrustStoreType = {
  CertificateAuthority: 'ca',
  SigningAuthority: 'signingAuthority',
} as const;
export type TrustStoreType = (typeof TrustStoreType)[keyof typeof TrustStoreType];

/**
 * Named trust stores for the AWS Signer roots, with the names the AWS Signer Notation installer
 * creates, so a workstation set up with the installer reads the same policy
 * (https://docs.aws.amazon.com/signer/latest/developerguide/image-verification.html).
 */
export const AWS_SIGNER_TRUST_STORE_NAMES: Readonly<Record<AwsPartition, string>> = {
  [AwsPartition.Commercial]: 'aws-signer-ts',
  [AwsPartition.GovCloudUs]: 'aws-us-gov-signer-ts',
};

/** The trust store name used for the AWS Signer root of `partition`. */
export function awsSignerTrustStoreName(partition: AwsPartition): string {
  return AWS_SIGNER_TRUST_STORE_NAMES[partition];
}
