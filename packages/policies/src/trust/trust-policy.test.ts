import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import {
  BILLING_REPO,
  GOV_PROFILE_ARN,
  HELLO_REPO,
  PROFILE_ARN,
  PROFILE_VERSION_ARN,
  SECURITY_PROFILE_ARN,
} from '../test/fixtures.js';
import {
  buildTrustPolicy,
  renderTrustPolicyJson,
  trustedSigningProfiles,
  type TrustPolicyStatementInput,
} from './trust-policy.js';

const apps: TrustPolicyStatementInput = {
  name: 'signet-apps',
  registryScopes: [HELLO_REPO, BILLING_REPO],
  trustedIdentities: [PROFILE_ARN, SECURITY_PROFILE_ARN],
};

function expectInvalid(statements: readonly TrustPolicyStatementInput[], message: string): void {
  expect(() => buildTrustPolicy({ statements })).toThrow(PolicyInputError);
  expect(() => buildTrustPolicy({ statements })).toThrow(message);
}

describe('buildTrustPolicy', () => {
  it('builds a version 1.0 document at level strict with the AWS Signer store of the partition', () => {
    expect(buildTrustPolicy({ statements: [apps] })).toEqual({
      version: '1.0',
      trustPolicies: [
        {
          name: 'signet-apps',
          registryScopes: [HELLO_REPO, BILLING_REPO],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-signer-ts'],
          trustedIdentities: [PROFILE_ARN, SECURITY_PROFILE_ARN],
        },
      ],
    });
  });

  it('uses the GovCloud trust store for GovCloud identities', () => {
    const doc = buildTrustPolicy({ statements: [{ ...apps, trustedIdentities: [GOV_PROFILE_ARN] }] });
    expect(doc.trustPolicies[0]?.trustStores).toEqual(['signingAuthority:aws-us-gov-signer-ts']);
  });

  it('keeps a profile version ARN as is, trusting that version only', () => {
    const doc = buildTrustPolicy({ statements: [{ ...apps, trustedIdentities: [PROFILE_VERSION_ARN] }] });
    expect(doc.trustPolicies[0]?.trustedIdentities).toEqual([PROFILE_VERSION_ARN]);
  });

  it('carries a level and an override the specification allows', () => {
    const doc = buildTrustPolicy({
      statements: [{ ...apps, level: 'permissive', override: { revocation: 'enforce', expiry: 'log' } }],
    });
    expect(doc.trustPolicies[0]?.signatureVerification).toEqual({
      level: 'permissive',
      override: { revocation: 'enforce', expiry: 'log' },
    });
  });

  it('omits an empty override', () => {
    const doc = buildTrustPolicy({ statements: [{ ...apps, override: {} }] });
    expect(doc.trustPolicies[0]?.signatureVerification).toEqual({ level: 'strict' });
  });

  it('renders a skip statement without trust stores or identities, next to a global statement', () => {
    const doc = buildTrustPolicy({
      statements: [
        { name: 'global', registryScopes: ['*'], trustedIdentities: [PROFILE_ARN] },
        {
          name: 'unsigned-tools',
          registryScopes: ['public.ecr.aws/tools/busybox'],
          trustedIdentities: [],
          level: 'skip',
        },
      ],
    });
    expect(doc.trustPolicies[1]).toEqual({
      name: 'unsigned-tools',
      registryScopes: ['public.ecr.aws/tools/busybox'],
      signatureVerification: { level: 'skip' },
    });
  });

  it('lists every trusted signing profile once, for the IAM policies that must match it', () => {
    const doc = buildTrustPolicy({
      statements: [
        apps,
        { name: 'pinned', registryScopes: ['ghcr.io/acme/app'], trustedIdentities: [PROFILE_VERSION_ARN] },
        { name: 'again', registryScopes: ['ghcr.io/acme/other'], trustedIdentities: [SECURITY_PROFILE_ARN] },
        { name: 'tools', registryScopes: ['ghcr.io/acme/tool'], trustedIdentities: [], level: 'skip' },
      ],
    });
    expect(trustedSigningProfiles(doc)).toEqual([PROFILE_ARN, SECURITY_PROFILE_ARN, PROFILE_VERSION_ARN]);
  });

  it('renders the JSON file notation reads, identical to the document', () => {
    const doc = buildTrustPolicy({ statements: [apps] });
    const json = renderTrustPolicyJson(doc);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(doc);
  });

  describe('rejects', () => {
    it('an empty document', () => {
      expectInvalid([], 'statements: is empty; a trust policy needs at least one statement');
    });

    it('a wildcard identity, which the AWS Signer plugin refuses', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: ['*'] }],
        'statements[0].trustedIdentities[0]: "*" is not allowed: the AWS Signer plugin rejects wildcard identities',
      );
    });

    it('an x509 subject identity', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'] }],
        'statements[0].trustedIdentities[0]: "x509.subject: C=US, ST=WA, O=acme" is not an ARN',
      );
    });

    it('a profile name with a hyphen', () => {
      expectInvalid(
        [
          {
            ...apps,
            trustedIdentities: ['arn:aws:signer:us-east-1:111122223333:/signing-profiles/signet-dev'],
          },
        ],
        'statements[0].trustedIdentities[0]: "arn:aws:signer:us-east-1:111122223333:/signing-profiles/signet-dev" has signing profile name "signet-dev"',
      );
    });

    it('no identities outside level skip', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [] }],
        'statements[0].trustedIdentities: is empty; name at least one AWS Signer signing profile ARN',
      );
    });

    it('identities from two partitions in one statement', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_ARN, GOV_PROFILE_ARN] }],
        'statements[0].trustedIdentities[1]: "arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/signet_gov" is in partition "aws-us-gov" but earlier identities are in "aws"',
      );
    });

    it('duplicate and overlapping identities', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_ARN, PROFILE_ARN] }],
        `statements[0].trustedIdentities[1]: "${PROFILE_ARN}" is listed twice`,
      );
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_VERSION_ARN, PROFILE_ARN] }],
        `statements[0].trustedIdentities[0]: "${PROFILE_VERSION_ARN}" overlaps "${PROFILE_ARN}", which already trusts every version`,
      );
    });

    it('empty scopes, "*" mixed with repositories, and scopes that are not fully qualified', () => {
      expectInvalid([{ ...apps, registryScopes: [] }], 'statements[0].registryScopes: is empty');
      expectInvalid(
        [{ ...apps, registryScopes: ['*', HELLO_REPO] }],
        'statements[0].registryScopes: ["*","111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server"] mixes "*" with repositories',
      );
      expectInvalid(
        [{ ...apps, registryScopes: [`${HELLO_REPO}/*`] }],
        'statements[0].registryScopes[0]: "111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server/*" contains "*"',
      );
      expectInvalid(
        [{ ...apps, registryScopes: ['hello-server'] }],
        'statements[0].registryScopes[0]: "hello-server" is not a fully qualified repository URI',
      );
      expectInvalid(
        [{ ...apps, registryScopes: [HELLO_REPO, HELLO_REPO] }],
        `statements[0].registryScopes[1]: "${HELLO_REPO}" is listed twice`,
      );
    });

    it('a repository in two statements, and two global statements', () => {
      expectInvalid(
        [apps, { name: 'other', registryScopes: [HELLO_REPO], trustedIdentities: [PROFILE_ARN] }],
        `statements[1].registryScopes[0]: "${HELLO_REPO}" is already governed by statement "signet-apps"; a repository may appear in one statement only`,
      );
      expectInvalid(
        [
          { name: 'a', registryScopes: ['*'], trustedIdentities: [PROFILE_ARN] },
          { name: 'b', registryScopes: ['*'], trustedIdentities: [PROFILE_ARN] },
        ],
        'statements[1].registryScopes[0]: statement "a" already uses the global scope "*"; only one statement may be global',
      );
    });

    it('duplicate and malformed statement names', () => {
      expectInvalid(
        [apps, { ...apps, registryScopes: ['ghcr.io/x/y'] }],
        'statements[1].name: "signet-apps" is used by another statement; names must be unique',
      );
      expectInvalid([{ ...apps, name: '' }], 'statements[0].name: "" is not a valid statement name');
    });

    it('an unknown level', () => {
      expectInvalid(
        [{ ...apps, level: 'lenient' as never }],
        'statements[0].level: "lenient" is not a verification level; expected one of strict, permissive, audit, skip',
      );
    });

    it('skip with the global scope, with identities, or with an override', () => {
      expectInvalid(
        [{ name: 'all', registryScopes: ['*'], trustedIdentities: [], level: 'skip' }],
        'statements[0].level: level "skip" cannot be used with the global scope "*"',
      );
      expectInvalid(
        [{ ...apps, level: 'skip' }],
        'statements[0].trustedIdentities: ["arn:aws:signer:us-east-1:111122223333:/signing-profiles/signet_dev","arn:aws:signer:us-east-1:444455556666:/signing-profiles/security_team"] given with level "skip"',
      );
      expectInvalid(
        [{ ...apps, trustedIdentities: [], level: 'skip', override: { revocation: 'log' } }],
        'statements[0].override: level "skip" cannot be customised',
      );
    });

    it('overrides the specification forbids', () => {
      expectInvalid(
        [{ ...apps, override: { integrity: 'log' } as never }],
        'statements[0].override.integrity: integrity is always enforced and cannot be overridden',
      );
      expectInvalid(
        [{ ...apps, override: { authenticity: 'skip' } }],
        'statements[0].override.authenticity: "skip" is not allowed for authenticity; expected one of enforce, log',
      );
      expectInvalid(
        [{ ...apps, override: { expiry: 'skip' } }],
        'statements[0].override.expiry: "skip" is not allowed for expiry; expected one of enforce, log',
      );
      expectInvalid(
        [{ ...apps, override: { authenticTimestamp: 'skip' } }],
        'statements[0].override.authenticTimestamp: "skip" is not allowed for authenticTimestamp',
      );
      expectInvalid(
        [{ ...apps, override: { timestamp: 'log' } as never }],
        'statements[0].override.timestamp: "timestamp" is not a validation that can be overridden; expected one of authenticity, authenticTimestamp, expiry, revocation',
      );
      expectInvalid(
        [{ ...apps, override: { revocation: 'ignore' } as never }],
        'statements[0].override.revocation: "ignore" is not allowed for revocation; expected one of enforce, log, skip',
      );
    });
  });
});
