import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AwsPartition } from '../arn.js';
import { GOV_PROFILE_ARN, HELLO_REPO, PROFILE_ARN } from '../test/fixtures.js';
import { awsSignerRootCertificate } from './aws-signer-root.js';
import { buildTrustPolicyResource, buildTrustStoreResource } from './resources.js';
import { buildTrustPolicy, renderTrustPolicyJson, type TrustPolicyDocument } from './trust-policy.js';
import { buildNotationConfigFiles, buildTrustStoreFiles, NOTATION_TRUST_POLICY_FILE } from './trust-store.js';

describe('awsSignerRootCertificate', () => {
  it.each([
    ['aws', 'AWS Signer Code Signing Root CA G1'],
    ['aws-us-gov', 'AWS Signer Code Signing GovCloud (US) Root CA G1'],
  ] as const)('returns a self-signed, currently valid CA certificate for %s', (partition, commonName) => {
    const cert = new X509Certificate(awsSignerRootCertificate(partition));
    expect(cert.subject).toContain(`CN=${commonName}`);
    expect(cert.subject).toContain('O=AWS');
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.issuer).toBe(cert.subject);
    const now = Date.now();
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(now);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now);
  });

  it('gives each partition its own root', () => {
    expect(awsSignerRootCertificate('aws')).not.toBe(awsSignerRootCertificate('aws-us-gov'));
  });

  it('rejects a partition without an AWS Signer root', () => {
    expect(() => awsSignerRootCertificate('aws-cn' as AwsPartition)).toThrow(
      'key "partition" has value "aws-cn"; allowed: a partition with an AWS Signer root certificate: one of "aws", "aws-us-gov"',
    );
  });
});

describe('notation configuration files', () => {
  it('lays the trust store out as notation 1.x expects it', () => {
    expect(Object.keys(buildTrustStoreFiles('aws'))).toEqual([
      'truststore/x509/signingAuthority/aws-signer-ts/aws-signer-notation-root.crt',
    ]);
    expect(Object.keys(buildTrustStoreFiles('aws-us-gov'))).toEqual([
      'truststore/x509/signingAuthority/aws-us-gov-signer-ts/aws-us-gov-signer-notation-root.crt',
    ]);
  });

  it('writes the policy and a store for every store it references, under the name it references', () => {
    const doc = buildTrustPolicy({
      statements: [
        { name: 'commercial', registryScopes: [HELLO_REPO], trustedIdentities: [PROFILE_ARN] },
        { name: 'gov', registryScopes: ['ghcr.io/acme/gov-app'], trustedIdentities: [GOV_PROFILE_ARN] },
      ],
    });
    const config = buildNotationConfigFiles(doc);
    expect(config.trustPolicyFile).toBe('trustpolicy.json');
    expect(config.files[NOTATION_TRUST_POLICY_FILE]).toBe(renderTrustPolicyJson(doc));
    for (const statement of doc.trustPolicies) {
      for (const reference of statement.trustStores ?? []) {
        const [type, name] = reference.split(':');
        const cert = Object.keys(config.files).find((path) =>
          path.startsWith(`truststore/x509/${type}/${name}/`),
        );
        expect(cert, reference).toBeDefined();
      }
    }
    expect(Object.keys(config.files)).toHaveLength(3);
  });

  it('refuses a document that references a store it cannot provide', () => {
    const doc: TrustPolicyDocument = {
      version: '1.0',
      trustPolicies: [
        {
          name: 'x',
          registryScopes: [HELLO_REPO],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:acme-rockets'],
          trustedIdentities: [PROFILE_ARN],
        },
      ],
    };
    expect(() => buildNotationConfigFiles(doc)).toThrow(
      'key "trustPolicies[0].trustStores[0]" has value "ca:acme-rockets"; allowed: an AWS Signer trust store: one of "signingAuthority:aws-signer-ts", "signingAuthority:aws-us-gov-signer-ts"',
    );
  });
});

describe('cluster resources', () => {
  it('renders the same statements as the TrustPolicy resource', () => {
    const doc = buildTrustPolicy({
      statements: [{ name: 'apps', registryScopes: [HELLO_REPO], trustedIdentities: [PROFILE_ARN] }],
    });
    const resource = buildTrustPolicyResource(doc, 'signet', {
      labels: { 'app.kubernetes.io/part-of': 'signet' },
    });
    expect(resource).toEqual({
      apiVersion: 'notation.nirmata.io/v1alpha1',
      kind: 'TrustPolicy',
      metadata: { name: 'signet', labels: { 'app.kubernetes.io/part-of': 'signet' } },
      spec: { version: '1.0', trustPolicyName: 'signet', trustPolicies: doc.trustPolicies },
    });
  });

  it('rejects a resource name Kubernetes would refuse', () => {
    const doc = buildTrustPolicy({
      statements: [{ name: 'apps', registryScopes: [HELLO_REPO], trustedIdentities: [PROFILE_ARN] }],
    });
    expect(() => buildTrustPolicyResource(doc, 'Signet_Policy')).toThrow(
      'name: "Signet_Policy" is not a valid name; expected at most 253 lowercase letters, digits, "-" or "."',
    );
  });

  it.each(['aws', 'aws-us-gov'] as const)(
    'names the %s TrustStore as the trust policy references it',
    (partition) => {
      const store = buildTrustStoreResource(partition);
      const doc = buildTrustPolicy({
        statements: [
          {
            name: 'apps',
            registryScopes: [HELLO_REPO],
            trustedIdentities: [partition === 'aws' ? PROFILE_ARN : GOV_PROFILE_ARN],
          },
        ],
      });
      expect(doc.trustPolicies[0]?.trustStores).toEqual([`${store.spec.type}:${store.spec.trustStoreName}`]);
      expect(store.metadata.name).toBe(store.spec.trustStoreName);
      expect(store.spec.caBundle).toBe(awsSignerRootCertificate(partition));
    },
  );
});
