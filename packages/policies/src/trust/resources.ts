import type { AwsPartition } from '../arn.js';
import { assertDnsSubdomain } from '../kubernetes.js';
import { awsSignerRootCertificate } from './aws-signer-root.js';
import type { TrustPolicyDocument, TrustPolicyStatement } from './trust-policy.js';
import { awsSignerTrustStoreName, TrustStoreType } from './store-names.js';

/** API version of the kyverno-notation-aws custom resources (cluster-scoped). */
export const NOTATION_NIRMATA_API_VERSION = 'notation.nirmata.io/v1alpha1';

/** The `TrustPolicy` custom resource read by the kyverno-notation-aws verifier. */
export interface TrustPolicyResource {
  readonly apiVersion: typeof NOTATION_NIRMATA_API_VERSION;
  readonly kind: 'TrustPolicy';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly version: TrustPolicyDocument['version'];
    /** Name the verifier gives the policy file; kept equal to the resource name. */
    readonly trustPolicyName: string;
    readonly trustPolicies: readonly TrustPolicyStatement[];
  };
}

/** The `TrustStore` custom resource read by the kyverno-notation-aws verifier. */
export interface TrustStoreResource {
  readonly apiVersion: typeof NOTATION_NIRMATA_API_VERSION;
  readonly kind: 'TrustStore';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    /** Must equal the store name the trust policy references after `signingAuthority:`. */
    readonly trustStoreName: string;
    readonly type: TrustStoreType;
    /** PEM bundle of the root certificates. */
    readonly caBundle: string;
  };
}

/** Options shared by the custom resource builders. */
export interface ResourceMetadataInput {
  /** Labels for the resource (e.g. `app.kubernetes.io/managed-by`). */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Renders `document` (from `buildTrustPolicy`) as the cluster's `TrustPolicy` resource, so the
 * admission check evaluates exactly the statements the pipeline's `notation verify` evaluates.
 * `name` is what the ClusterPolicy sends to the verifier as `trustPolicy`.
 */
export function buildTrustPolicyResource(
  document: TrustPolicyDocument,
  name: string,
  options: ResourceMetadataInput = {},
): TrustPolicyResource {
  assertDnsSubdomain(name, 'name');
  return {
    apiVersion: NOTATION_NIRMATA_API_VERSION,
    kind: 'TrustPolicy',
    metadata: options.labels === undefined ? { name } : { name, labels: { ...options.labels } },
    spec: { version: document.version, trustPolicyName: name, trustPolicies: document.trustPolicies },
  };
}

/**
 * The AWS Signer trust store of `partition` as the cluster's `TrustStore` resource (type
 * `signingAuthority`, named as `buildTrustPolicy` references it).
 */
export function buildTrustStoreResource(
  partition: AwsPartition,
  options: ResourceMetadataInput = {},
): TrustStoreResource {
  const name = awsSignerTrustStoreName(partition);
  return {
    apiVersion: NOTATION_NIRMATA_API_VERSION,
    kind: 'TrustStore',
    metadata: options.labels === undefined ? { name } : { name, labels: { ...options.labels } },
    spec: {
      trustStoreName: name,
      type: TrustStoreType.SigningAuthority,
      caBundle: awsSignerRootCertificate(partition),
    },
  };
}
