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
      expectInvalid([], 'key "statements" has value []; allowed: at least one statement');
    });

    it('a wildcard identity, which the AWS Signer plugin refuses', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: ['*'] }],
        'key "statements[0].trustedIdentities[0]" has value "*"; allowed: a signing profile ARN (the AWS Signer plugin rejects wildcard identities)',
      );
    });

    it('an x509 subject identity', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'] }],
        'key "statements[0].trustedIdentities[0]" has value "x509.subject: C=US, ST=WA, O=acme"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]',
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
        'key "statements[0].trustedIdentities[0]" has value "arn:aws:signer:us-east-1:111122223333:/signing-profiles/signet-dev"; allowed: a signing profile ARN whose name is 2 to 64 characters of [a-zA-Z0-9_] (not "signet-dev")',
      );
    });

    it('no identities outside level skip', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [] }],
        'key "statements[0].trustedIdentities" has value []; allowed: at least one AWS Signer signing profile ARN (only level "skip" has no trusted identities)',
      );
    });

    it('identities from two partitions in one statement', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_ARN, GOV_PROFILE_ARN] }],
        'key "statements[0].trustedIdentities[1]" has value "arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/signet_gov"; allowed: a signing profile ARN in partition "aws", as the earlier identities (AWS Signer signatures are partition-isolated: use one statement per partition)',
      );
    });

    it('duplicate and overlapping identities', () => {
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_ARN, PROFILE_ARN] }],
        `key "statements[0].trustedIdentities[1]" has value "${PROFILE_ARN}"; allowed: an identity not listed before (list each identity once)`,
      );
      expectInvalid(
        [{ ...apps, trustedIdentities: [PROFILE_VERSION_ARN, PROFILE_ARN] }],
        `key "statements[0].trustedIdentities[0]" has value "${PROFILE_VERSION_ARN}"; allowed: an identity that "${PROFILE_ARN}", which already trusts every version, does not cover (keep one of them)`,
      );
    });

    it('empty scopes, "*" mixed with repositories, and scopes that are not fully qualified', () => {
      expectInvalid(
        [{ ...apps, registryScopes: [] }],
        'key "statements[0].registryScopes" has value []; allowed: at least one fully qualified repository, or "*" alone',
      );
      expectInvalid(
        [{ ...apps, registryScopes: ['*', HELLO_REPO] }],
        'key "statements[0].registryScopes" has value ["*","111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server"]; allowed: fully qualified repositories, or the global scope "*" as the only value of its statement',
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
        `key "statements[0].registryScopes[1]" has value "${HELLO_REPO}"; allowed: a repository not listed before (list each repository once)`,
      );
    });

    it('a repository in two statements, and two global statements', () => {
      expectInvalid(
        [apps, { name: 'other', registryScopes: [HELLO_REPO], trustedIdentities: [PROFILE_ARN] }],
        `key "statements[1].registryScopes[0]" has value "${HELLO_REPO}"; allowed: a repository no other statement governs (statement "signet-apps" already does)`,
      );
      expectInvalid(
        [
          { name: 'a', registryScopes: ['*'], trustedIdentities: [PROFILE_ARN] },
          { name: 'b', registryScopes: ['*'], trustedIdentities: [PROFILE_ARN] },
        ],
        'key "statements[1].registryScopes[0]" has value "*"; allowed: a repository: statement "a" already uses the global scope "*", and only one statement may be global',
      );
    });

    it('duplicate and malformed statement names', () => {
      expectInvalid(
        [apps, { ...apps, registryScopes: ['ghcr.io/x/y'] }],
        'key "statements[1].name" has value "signet-apps"; allowed: a name no other statement uses',
      );
      expectInvalid(
        [{ ...apps, name: '' }],
        'key "statements[0].name" has value ""; allowed: a statement name of letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    });

    it('an unknown level', () => {
      expectInvalid(
        [{ ...apps, level: 'lenient' as never }],
        'key "statements[0].level" has value "lenient"; allowed: a verification level: one of strict, permissive, audit, skip',
      );
    });

    it('skip with the global scope, with identities, or with an override', () => {
      expectInvalid(
        [{ name: 'all', registryScopes: ['*'], trustedIdentities: [], level: 'skip' }],
        'key "statements[0].level" has value "skip"; allowed: a level other than "skip" with the global scope "*" (name the repositories to skip)',
      );
      expectInvalid(
        [{ ...apps, level: 'skip' }],
        'key "statements[0].trustedIdentities" has value ["arn:aws:signer:us-east-1:111122223333:/signing-profiles/signet_dev","arn:aws:signer:us-east-1:444455556666:/signing-profiles/security_team"]; allowed: no trusted identities with level "skip" (a skipped statement verifies nothing)',
      );
      expectInvalid(
        [{ ...apps, trustedIdentities: [], level: 'skip', override: { revocation: 'log' } }],
        'key "statements[0].override" has value {"revocation":"log"}; allowed: no override with level "skip" (remove the override, or pick strict, permissive or audit)',
      );
    });

    it('overrides the specification forbids', () => {
      expectInvalid(
        [{ ...apps, override: { integrity: 'log' } as never }],
        'key "statements[0].override.integrity" has value "log"; allowed: nothing: integrity is always enforced and cannot be overridden',
      );
      expectInvalid(
        [{ ...apps, override: { authenticity: 'skip' } }],
        'key "statements[0].override.authenticity" has value "skip"; allowed: one of enforce, log',
      );
      expectInvalid(
        [{ ...apps, override: { expiry: 'skip' } }],
        'key "statements[0].override.expiry" has value "skip"; allowed: one of enforce, log',
      );
      expectInvalid(
        [{ ...apps, override: { authenticTimestamp: 'skip' } }],
        'key "statements[0].override.authenticTimestamp" has value "skip"; allowed: one of enforce, log',
      );
      expectInvalid(
        [{ ...apps, override: { timestamp: 'log' } as never }],
        'key "statements[0].override.timestamp" is not a known key; allowed: a validation that can be overridden: one of authenticity, authenticTimestamp, expiry, revocation',
      );
      expectInvalid(
        [{ ...apps, override: { revocation: 'ignore' } as never }],
        'key "statements[0].override.revocation" has value "ignore"; allowed: one of enforce, log, skip',
      );
    });
  });
});
