import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { BILLING_REPO, HELLO_REPO, PROFILE_ARN, SECURITY_PROFILE_ARN } from '../test/fixtures.js';
import {
  APP_TRUST_POLICY_PREFIX,
  appTrustPolicies,
  appTrustPolicyDocument,
  appTrustPolicyName,
  SignatureKind,
} from './app-trust-policy.js';

const RELEASE_ARN = PROFILE_ARN.replace('signet_dev', 'signet_dev_release');

describe('appTrustPolicyName', () => {
  it('derives one name per app', () => {
    expect(appTrustPolicyName('hello-server')).toBe('signet-app-hello-server');
    expect(APP_TRUST_POLICY_PREFIX).toBe('signet-app-');
    expect(appTrustPolicyName('billing')).not.toBe(appTrustPolicyName('hello-server'));
  });

  it('names the release policy apart from the build policy', () => {
    expect(appTrustPolicyName('hello-server', SignatureKind.Release)).toBe('signet-app-hello-server-release');
    expect(appTrustPolicyName('hello-server', SignatureKind.Build)).toBe('signet-app-hello-server');
  });

  it('refuses a name that is no DNS label', () => {
    expect(() => appTrustPolicyName('Hello')).toThrow(PolicyInputError);
    expect(() => appTrustPolicyName('Hello')).toThrow('app: "Hello" is not a valid name');
  });
});

describe('appTrustPolicyDocument', () => {
  it("trusts exactly the app's profiles, sorted, for exactly its repository, strictly", () => {
    expect(
      appTrustPolicyDocument({
        app: 'hello-server',
        repositoryUrl: HELLO_REPO,
        signingProfileArns: [RELEASE_ARN, PROFILE_ARN],
      }),
    ).toEqual({
      version: '1.0',
      trustPolicies: [
        {
          name: 'signet-app-hello-server',
          registryScopes: [HELLO_REPO],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-signer-ts'],
          trustedIdentities: [PROFILE_ARN, RELEASE_ARN],
        },
      ],
    });
  });

  it('gives two apps disjoint scopes and identities', () => {
    const a = appTrustPolicyDocument({
      app: 'a',
      repositoryUrl: HELLO_REPO,
      signingProfileArns: [PROFILE_ARN],
    });
    const b = appTrustPolicyDocument({
      app: 'b',
      repositoryUrl: BILLING_REPO,
      signingProfileArns: [SECURITY_PROFILE_ARN],
    });
    expect(a.trustPolicies[0]?.registryScopes).toEqual([HELLO_REPO]);
    expect(b.trustPolicies[0]?.trustedIdentities).toEqual([SECURITY_PROFILE_ARN]);
    expect(a.trustPolicies[0]?.trustedIdentities).not.toContain(SECURITY_PROFILE_ARN);
  });

  it.each([
    [
      'no signing profile',
      { app: 'a', repositoryUrl: HELLO_REPO, signingProfileArns: [] },
      `key "a.signingProfileArns" has value []; allowed: at least the app pipeline's signing profile ARN (run \`pulumi up\` on the signer stack after adding the app)`,
    ],
    [
      'a repository with a tag',
      { app: 'a', repositoryUrl: `${HELLO_REPO}:1`, signingProfileArns: [PROFILE_ARN] },
      `a.repositoryUrl: "${HELLO_REPO}:1" is not a fully qualified repository URI (tags are not allowed)`,
    ],
    [
      'the global scope',
      { app: 'a', repositoryUrl: '*', signingProfileArns: [PROFILE_ARN] },
      'a.repositoryUrl: "*" contains "*"',
    ],
    [
      'a wildcard identity',
      { app: 'a', repositoryUrl: HELLO_REPO, signingProfileArns: ['*'] },
      'key "statements[0].trustedIdentities[0]" has value "*"; allowed: a signing profile ARN (the AWS Signer plugin rejects wildcard identities)',
    ],
  ])('refuses %s', (_case, trust, message) => {
    expect(() => appTrustPolicyDocument(trust)).toThrow(PolicyInputError);
    expect(() => appTrustPolicyDocument(trust)).toThrow(message);
  });
});

describe('appTrustPolicies', () => {
  const BUILD_ARN = PROFILE_ARN;
  const STAGING_RELEASE = PROFILE_ARN.replace('signet_dev', 'signet_staging_release');

  it('gives the building environment one policy: the build identity only', () => {
    expect(
      appTrustPolicies({ app: 'hello-server', repositoryUrl: HELLO_REPO, buildProfileArns: [BUILD_ARN] }).map(
        (p) => [p.kind, p.name, p.document.trustPolicies[0]?.trustedIdentities],
      ),
    ).toEqual([['build', 'signet-app-hello-server', [BUILD_ARN]]]);
  });

  it('gives a promoting environment two policies, each naming exactly its own identity', () => {
    const policies = appTrustPolicies({
      app: 'hello-server',
      repositoryUrl: HELLO_REPO,
      buildProfileArns: [BUILD_ARN],
      releaseProfileArns: [STAGING_RELEASE],
    });
    expect(policies.map((p) => [p.kind, p.name, p.document.trustPolicies[0]?.trustedIdentities])).toEqual([
      ['build', 'signet-app-hello-server', [BUILD_ARN]],
      ['release', 'signet-app-hello-server-release', [STAGING_RELEASE]],
    ]);
    for (const policy of policies) {
      expect(policy.document.trustPolicies).toHaveLength(1);
      expect(policy.document.trustPolicies[0]?.registryScopes).toEqual([HELLO_REPO]);
      expect(policy.document.trustPolicies[0]?.name).toBe(policy.name);
    }
  });

  it('adds the promotion source to the scope of the Promote stage copy only', () => {
    const source = HELLO_REPO.replace('hello-server', 'dev/hello-server');
    const doc = appTrustPolicyDocument(
      { app: 'hello-server', repositoryUrl: HELLO_REPO, signingProfileArns: [BUILD_ARN] },
      SignatureKind.Build,
      { additionalScopes: [source] },
    );
    expect(doc.trustPolicies[0]?.registryScopes).toEqual([HELLO_REPO, source]);
    expect(() =>
      appTrustPolicyDocument(
        { app: 'a', repositoryUrl: HELLO_REPO, signingProfileArns: [BUILD_ARN] },
        SignatureKind.Build,
        { additionalScopes: ['*'] },
      ),
    ).toThrow('a.additionalScopes[0]: "*" contains "*"');
  });

  it('refuses a release policy without a release identity', () => {
    expect(() =>
      appTrustPolicies({
        app: 'a',
        repositoryUrl: HELLO_REPO,
        buildProfileArns: [BUILD_ARN],
        releaseProfileArns: [],
      }),
    ).toThrow('key "a.signingProfileArns" has value []; allowed:');
  });
});
