import { describe, expect, it } from 'vitest';
import * as api from '../index.js';
import {
  BILLING_REPO_ARN,
  BUCKET_ARN,
  CLUSTER_ARN,
  GOV_PROFILE_ARN,
  HELLO_REPO_ARN,
  KMS_KEY_ARN,
  LOG_GROUP_ARN,
  OIDC_PROVIDER_ARN,
  PROFILE_ARN,
  PROFILE_VERSION_ARN,
  SECURITY_PROFILE_ARN,
} from '../test/fixtures.js';
import {
  IAM_POLICY_VERSION,
  RESOURCE_WILDCARD_ACTIONS,
  type IamPolicyDocument,
  type IamStatement,
} from './document.js';
import {
  buildBuildRolePolicy,
  buildDeployRolePolicy,
  buildIrsaTrustPolicy,
  buildSigningRolePolicy,
  buildVerificationRolePolicy,
  buildVerifierRolePolicy,
} from './roles.js';

const stage = { logGroupArn: LOG_GROUP_ARN, artifactBucketArn: BUCKET_ARN, kmsKeyArn: KMS_KEY_ARN };

/** Every document the package can produce, in each of its variants. */
const documents: Record<string, readonly IamPolicyDocument[]> = {
  buildBuildRolePolicy: [buildBuildRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN })],
  buildSigningRolePolicy: [
    buildSigningRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN, signingProfileArn: PROFILE_ARN }),
    buildSigningRolePolicy({
      ...stage,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_VERSION_ARN,
      trustedSigningProfileArns: [PROFILE_ARN, SECURITY_PROFILE_ARN],
    }),
  ],
  buildDeployRolePolicy: [buildDeployRolePolicy({ ...stage, clusterArn: CLUSTER_ARN })],
  buildVerificationRolePolicy: [
    buildVerificationRolePolicy({ ...stage, clusterArn: CLUSTER_ARN, repositoryArn: HELLO_REPO_ARN }),
    buildVerificationRolePolicy({
      ...stage,
      clusterArn: CLUSTER_ARN,
      repositoryArn: HELLO_REPO_ARN,
      trustedSigningProfileArns: [PROFILE_ARN],
    }),
  ],
  buildVerifierRolePolicy: [
    buildVerifierRolePolicy({
      repositoryArns: [HELLO_REPO_ARN, BILLING_REPO_ARN],
      trustedSigningProfileArns: [PROFILE_ARN, SECURITY_PROFILE_ARN],
    }),
  ],
};

const trustPolicy = buildIrsaTrustPolicy({
  oidcProviderArn: OIDC_PROVIDER_ARN,
  namespace: 'kyverno-notation-aws',
  serviceAccount: 'kyverno-notation-aws',
});

function statement(document: IamPolicyDocument, sid: string): IamStatement {
  const found = document.Statement.find((s) => s.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
}

function allowedActions(document: IamPolicyDocument): string[] {
  return document.Statement.flatMap((s) => s.Action).sort();
}

describe('IAM documents', () => {
  it('walks every policy builder the package exports', () => {
    const exported = Object.keys(api).filter((name) => /^build\w+RolePolicy$/.test(name));
    expect(exported.sort()).toEqual(Object.keys(documents).sort());
    expect(
      Object.keys(api).filter((name) => /^build\w+TrustPolicy$/.test(name) && name !== 'buildTrustPolicy'),
    ).toEqual(['buildIrsaTrustPolicy']);
  });

  for (const [builder, variants] of Object.entries(documents)) {
    describe(builder, () => {
      it.each(variants.map((doc, i) => [i, doc] as const))('variant %i is least privilege', (_i, doc) => {
        expect(doc.Version).toBe(IAM_POLICY_VERSION);
        const sids = doc.Statement.map((s) => s.Sid);
        expect(new Set(sids).size).toBe(sids.length);
        for (const s of doc.Statement) {
          expect(s.Sid, JSON.stringify(s)).toMatch(/^[A-Za-z0-9]+$/);
          expect(s.Effect).toBe('Allow');
          expect(s.Action.length).toBeGreaterThan(0);
          expect(s.Resource.length).toBeGreaterThan(0);
          for (const action of s.Action) {
            expect(action, s.Sid).not.toBe('*');
            expect(action, s.Sid).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
          }
          if (s.Resource.includes('*')) {
            expect(s.Resource, s.Sid).toEqual(['*']);
            for (const action of s.Action) {
              expect(
                Object.keys(RESOURCE_WILDCARD_ACTIONS),
                `${s.Sid}: ${action} with Resource "*"`,
              ).toContain(action);
            }
          }
        }
      });
    });
  }

  it('documents each action allowed on Resource "*" with an AWS page', () => {
    for (const [action, { doc, reason }] of Object.entries(RESOURCE_WILDCARD_ACTIONS)) {
      expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
      expect(doc).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(reason.length).toBeGreaterThan(10);
    }
  });
});

describe('build role', () => {
  const doc = buildBuildRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN });

  it('pushes to its own repository only and never signs or deploys', () => {
    expect(statement(doc, 'PushOwnRepository').Resource).toEqual([HELLO_REPO_ARN]);
    expect(statement(doc, 'PushOwnRepository').Action).toContain('ecr:PutImage');
    expect(allowedActions(doc).filter((a) => a.startsWith('signer:') || a.startsWith('eks:'))).toEqual([]);
  });

  it('writes its own log group, bucket and key', () => {
    expect(statement(doc, 'WriteOwnLogs').Resource).toEqual([LOG_GROUP_ARN, `${LOG_GROUP_ARN}:log-stream:*`]);
    expect(statement(doc, 'ReadWriteArtifacts').Resource).toEqual([`${BUCKET_ARN}/*`]);
    expect(statement(doc, 'UseArtifactKey').Resource).toEqual([KMS_KEY_ARN]);
  });

  it('accepts a log group ARN with the ":*" suffix some tools print', () => {
    const suffixed = buildBuildRolePolicy({
      ...stage,
      logGroupArn: `${LOG_GROUP_ARN}:*`,
      repositoryArn: HELLO_REPO_ARN,
    });
    expect(statement(suffixed, 'WriteOwnLogs').Resource).toEqual([
      LOG_GROUP_ARN,
      `${LOG_GROUP_ARN}:log-stream:*`,
    ]);
  });
});

describe('signing role', () => {
  it('signs with its own profile only', () => {
    const doc = buildSigningRolePolicy({
      ...stage,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_ARN,
    });
    expect(statement(doc, 'SignWithOwnProfile')).toEqual({
      Sid: 'SignWithOwnProfile',
      Effect: 'Allow',
      Action: ['signer:SignPayload'],
      Resource: [PROFILE_ARN],
    });
    expect(statement(doc, 'CheckSignatureRevocation').Resource).toEqual([
      PROFILE_ARN,
      `${PROFILE_ARN}/*`,
      'arn:aws:signer:us-east-1:111122223333:/signing-jobs/*',
    ]);
    expect(statement(doc, 'ReadImageWriteSignature').Resource).toEqual([HELLO_REPO_ARN]);
  });

  it('pins the profile version through signer:ProfileVersion when given a version ARN', () => {
    const doc = buildSigningRolePolicy({
      ...stage,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_VERSION_ARN,
    });
    expect(statement(doc, 'SignWithOwnProfile').Resource).toEqual([PROFILE_ARN]);
    expect(statement(doc, 'SignWithOwnProfile').Condition).toEqual({
      StringEquals: { 'signer:ProfileVersion': 'a1B2c3D4e5' },
    });
  });

  it('checks revocation for every trusted profile, across accounts', () => {
    const doc = buildSigningRolePolicy({
      ...stage,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_ARN,
      trustedSigningProfileArns: [PROFILE_ARN, SECURITY_PROFILE_ARN],
    });
    expect(statement(doc, 'CheckSignatureRevocation').Resource).toEqual([
      PROFILE_ARN,
      `${PROFILE_ARN}/*`,
      SECURITY_PROFILE_ARN,
      `${SECURITY_PROFILE_ARN}/*`,
      'arn:aws:signer:us-east-1:111122223333:/signing-jobs/*',
      'arn:aws:signer:us-east-1:444455556666:/signing-jobs/*',
    ]);
  });

  it('rejects a malformed signing profile', () => {
    expect(() =>
      buildSigningRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN, signingProfileArn: 'signet_dev' }),
    ).toThrow('signingProfileArn: "signet_dev" is not an ARN');
    expect(() =>
      buildSigningRolePolicy({
        ...stage,
        repositoryArn: HELLO_REPO_ARN,
        signingProfileArn: PROFILE_ARN,
        trustedSigningProfileArns: [],
      }),
    ).toThrow('trustedSigningProfileArns: is empty; list the signing profiles whose signatures are verified');
  });
});

describe('deployment and verification roles', () => {
  it('describe their own cluster only; deployment touches no registry or signer', () => {
    const deploy = buildDeployRolePolicy({ ...stage, clusterArn: CLUSTER_ARN });
    expect(statement(deploy, 'DescribeOwnCluster').Resource).toEqual([CLUSTER_ARN]);
    expect(allowedActions(deploy).filter((a) => !/^(eks|logs|s3|kms):/.test(a))).toEqual([]);
    const verify = buildVerificationRolePolicy({
      ...stage,
      clusterArn: CLUSTER_ARN,
      repositoryArn: HELLO_REPO_ARN,
    });
    expect(statement(verify, 'DescribeOwnCluster').Resource).toEqual([CLUSTER_ARN]);
    expect(statement(verify, 'ReadOwnRepository').Resource).toEqual([HELLO_REPO_ARN]);
    expect(allowedActions(verify).filter((a) => a.startsWith('ecr:') && /Put|Upload|Delete/.test(a))).toEqual(
      [],
    );
  });

  it('verification checks revocation only when given the trusted profiles', () => {
    const without = buildVerificationRolePolicy({
      ...stage,
      clusterArn: CLUSTER_ARN,
      repositoryArn: HELLO_REPO_ARN,
    });
    expect(allowedActions(without)).not.toContain('signer:GetRevocationStatus');
    const withProfiles = buildVerificationRolePolicy({
      ...stage,
      clusterArn: CLUSTER_ARN,
      repositoryArn: HELLO_REPO_ARN,
      trustedSigningProfileArns: [PROFILE_ARN],
    });
    expect(allowedActions(withProfiles)).toContain('signer:GetRevocationStatus');
  });

  it.each([
    [
      { clusterArn: 'arn:aws:eks:us-east-1:111122223333:nodegroup/x' },
      'clusterArn: "arn:aws:eks:us-east-1:111122223333:nodegroup/x" has resource "nodegroup/x"',
    ],
    [{ logGroupArn: 'arn:aws:s3:::bucket' }, 'logGroupArn: "arn:aws:s3:::bucket" is an ARN of service "s3"'],
    [
      { artifactBucketArn: 'arn:aws:s3:::Bad_Bucket' },
      'artifactBucketArn: "arn:aws:s3:::Bad_Bucket" has resource "Bad_Bucket"',
    ],
    [{ kmsKeyArn: 'alias/signet' }, 'kmsKeyArn: "alias/signet" is not an ARN'],
  ])('rejects %j', (overrides, message) => {
    expect(() => buildDeployRolePolicy({ ...stage, clusterArn: CLUSTER_ARN, ...overrides })).toThrow(message);
  });
});

describe('verifier role and its IRSA trust policy', () => {
  it('reads the application repositories and checks revocation of the trusted profiles', () => {
    const [doc] = documents['buildVerifierRolePolicy'] ?? [];
    if (doc === undefined) throw new Error('missing');
    expect(statement(doc, 'ReadApplicationRepositories').Resource).toEqual([
      HELLO_REPO_ARN,
      BILLING_REPO_ARN,
    ]);
    expect(statement(doc, 'CheckSignatureRevocation').Action).toEqual(['signer:GetRevocationStatus']);
    expect(allowedActions(doc).filter((a) => a.startsWith('ecr:') && /Put|Upload|Delete/.test(a))).toEqual(
      [],
    );
  });

  it('refuses empty or malformed inputs, and scopes GovCloud signing jobs to GovCloud', () => {
    expect(() =>
      buildVerifierRolePolicy({ repositoryArns: [], trustedSigningProfileArns: [PROFILE_ARN] }),
    ).toThrow('repositoryArns: is empty; list the application repositories the verifier reads');
    expect(() =>
      buildVerifierRolePolicy({ repositoryArns: [HELLO_REPO_ARN], trustedSigningProfileArns: ['*'] }),
    ).toThrow('trustedSigningProfileArns[0]: "*" is not an ARN');
    const gov = buildVerifierRolePolicy({
      repositoryArns: [HELLO_REPO_ARN],
      trustedSigningProfileArns: [GOV_PROFILE_ARN],
    });
    expect(statement(gov, 'CheckSignatureRevocation').Resource).toContain(
      'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-jobs/*',
    );
  });

  it('lets only the verifier service account assume the role, for STS', () => {
    expect(trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeFromServiceAccount',
          Effect: 'Allow',
          Principal: { Federated: OIDC_PROVIDER_ARN },
          Action: ['sts:AssumeRoleWithWebIdentity'],
          Condition: {
            StringEquals: {
              'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub':
                'system:serviceaccount:kyverno-notation-aws:kyverno-notation-aws',
              'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud': 'sts.amazonaws.com',
            },
          },
        },
      ],
    });
  });

  it.each([
    [
      { oidcProviderArn: 'arn:aws:iam::111122223333:role/x' },
      'oidcProviderArn: "arn:aws:iam::111122223333:role/x" has resource "role/x"',
    ],
    [{ namespace: 'Kyverno' }, 'namespace: "Kyverno" is not a valid name'],
    [{ serviceAccount: 'sa*' }, 'serviceAccount: "sa*" is not a valid name'],
  ])('rejects %j', (overrides, message) => {
    expect(() =>
      buildIrsaTrustPolicy({
        oidcProviderArn: OIDC_PROVIDER_ARN,
        namespace: 'ns',
        serviceAccount: 'sa',
        ...overrides,
      }),
    ).toThrow(message);
  });
});
