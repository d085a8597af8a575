/**
 * The CustomResourceDefinitions of the verifier's trust resources (group `notation.nirmata.io`,
 * version `v1alpha1`, cluster-scoped `TrustPolicy` and `TrustStore`), rendered by Signet so that no
 * chart decides their schema. The fields follow the verifier's API types (kyverno-notation-verifier
 * `kubenotation/api/v1alpha1`) and the Notary Project trust policy specification 1.0.
 */

const GROUP = 'notation.nirmata.io';
const VERSION = 'v1alpha1';

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const strings = (description: string): Schema => ({ type: 'array', description, items: { type: 'string' } });

/** A CustomResourceDefinition (apiextensions.k8s.io/v1). */
export interface CrdManifest {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

function crd(kind: string, plural: string, spec: Schema, labels: Record<string, string>): CrdManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, labels },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

/** The TrustPolicy and TrustStore CRDs. */
export function buildTrustResourceCrds(labels: Record<string, string>): {
  readonly trustPolicy: CrdManifest;
  readonly trustStore: CrdManifest;
} {
  const trustPolicySpec: Schema = {
    type: 'object',
    description: 'A Notary Project trust policy document, named.',
    required: ['version', 'trustPolicyName', 'trustPolicies'],
    properties: {
      version: str('Trust policy document version.', { enum: ['1.0'] }),
      trustPolicyName: str('Name a verification request selects this document by.'),
      trustPolicies: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'registryScopes', 'signatureVerification'],
          properties: {
            name: str('Name of this entry.'),
            registryScopes: strings('Repositories the statement applies to.'),
            signatureVerification: {
              type: 'object',
              required: ['level'],
              properties: {
                level: str('Verification level.', { enum: ['strict', 'permissive', 'audit', 'skip'] }),
                override: {
                  type: 'object',
                  additionalProperties: { type: 'string', enum: ['enforce', 'log', 'skip'] },
                },
              },
            },
            trustStores: strings('Trust stores, as `<type>:<name>`.'),
            trustedIdentities: strings('Identities whose signatures are trusted.'),
          },
        },
      },
    },
  };
  const trustStoreSpec: Schema = {
    type: 'object',
    description: 'A named trust store of PEM certificates.',
    required: ['trustStoreName', 'type', 'caBundle'],
    properties: {
      trustStoreName: str('Trust store name, as trust policies reference it.'),
      type: str('Trust store type.', { enum: ['ca', 'signingAuthority'] }),
      caBundle: str('PEM certificates.'),
    },
  };
  return {
    trustPolicy: crd('TrustPolicy', 'trustpolicies', trustPolicySpec, labels),
    trustStore: crd('TrustStore', 'truststores', trustStoreSpec, labels),
  };
}
