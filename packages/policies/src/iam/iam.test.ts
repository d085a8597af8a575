import { describe, expect, it } from 'vitest';
import * as api from '../index.js';
import {
  ACCOUNT,
  BILLING_REPO_ARN,
  BUCKET_ARN,
  CLUSTER_ARN,
  CODECOMMIT_REPO_ARN,
  CODESTAR_CONNECTION_ARN,
  CONNECTION_ARN,
  GOV_PROFILE_ARN,
  HELLO_REPO_ARN,
  KMS_KEY_ARN,
  LOG_GROUP_ARN,
  OIDC_PROVIDER_ARN,
  PIPELINE_ARN,
  PROFILE_ARN,
  PROFILE_VERSION_ARN,
  PROJECT_ARNS,
  REGION,
  SECURITY_PROFILE_ARN,
  SUBNET_IDS,
  TOPIC_ARN,
} from '../test/fixtures.js';
import {
  SERVICE_RESOURCE_DOCUMENTS,
  SERVICE_ROLE_DOCUMENTS,
  SERVICE_TRUST_DOCUMENTS,
} from '../test/service-documents.js';
import {
  IAM_POLICY_VERSION,
  RESOURCE_WILDCARD_ACTIONS,
  type IamPolicyDocument,
  type IamResourcePolicyDocument,
  type IamStatement,
  type IamTrustPolicyDocument,
} from './document.js';
import { buildPluginMirrorBucketPolicy } from './plugin-mirror.js';
import {
  buildArtifactBucketPolicy,
  buildCodeBuildVpcPolicy,
  buildNotificationTopicPolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  buildStartPipelinePolicy,
  SourceKind,
} from './pipeline.js';
import { buildGuardDeadLetterQueuePolicy, buildSigningGuardRolePolicy } from '../guard/guard-role.js';
import {
  buildBuildRolePolicy,
  buildDeployRolePolicy,
  buildIrsaTrustPolicy,
  buildSigningRolePolicy,
  buildStageRolePolicy,
  buildVerificationRolePolicy,
  buildVerifierRolePolicy,
  StageGrant,
} from './roles.js';

const stage = {
  logGroupArn: LOG_GROUP_ARN,
  artifactBucketArn: BUCKET_ARN,
  kmsKeyArn: KMS_KEY_ARN,
  pluginMirror: {
    objectsArn: 'arn:aws:s3:::signet-dev-plugin-mirror/aws-signer-plugin/1.0.0/*',
    kmsKeyArn: KMS_KEY_ARN,
  },
};

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
  buildStageRolePolicy: [
    buildStageRolePolicy(Object.values(StageGrant), {
      ...stage,
      clusterArn: CLUSTER_ARN,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_ARN,
      trustedSigningProfileArns: [PROFILE_ARN, SECURITY_PROFILE_ARN],
      promotionSourceRepositoryArn: BILLING_REPO_ARN,
      revocableProfileVersionArn: PROFILE_VERSION_ARN,
    }),
    buildStageRolePolicy([], stage),
  ],
  buildVerifierRolePolicy: [
    buildVerifierRolePolicy({
      repositoryArns: [HELLO_REPO_ARN, BILLING_REPO_ARN],
      trustedSigningProfileArns: [PROFILE_ARN, SECURITY_PROFILE_ARN],
    }),
  ],
  buildPipelineRolePolicy: [
    { kind: SourceKind.CodeCommit, repositoryArn: CODECOMMIT_REPO_ARN } as const,
    { kind: SourceKind.CodeConnections, connectionArn: CONNECTION_ARN } as const,
    { kind: SourceKind.CodeConnections, connectionArn: CODESTAR_CONNECTION_ARN } as const,
  ].map((source) =>
    buildPipelineRolePolicy({
      artifactBucketArn: BUCKET_ARN,
      kmsKeyArn: KMS_KEY_ARN,
      projectArns: PROJECT_ARNS,
      source,
      // Where the environment is promoted from: the next environment's promotion request.
      promotionRequest: {
        bucketArn: BUCKET_ARN,
        objectKey: 'promotion/hello-server.zip',
        keyAccountId: ACCOUNT,
        region: REGION,
        partition: 'aws',
        keyAlias: 'alias/signet-staging-pipeline-hello-server',
      },
    }),
  ),
  buildCodeBuildVpcPolicy: [
    buildCodeBuildVpcPolicy({ accountId: ACCOUNT, partition: 'aws', region: REGION, subnetIds: SUBNET_IDS }),
  ],
  buildStartPipelinePolicy: [buildStartPipelinePolicy(PIPELINE_ARN)],
  buildSigningGuardRolePolicy: [
    buildSigningGuardRolePolicy({
      accountId: ACCOUNT,
      partition: 'aws',
      region: REGION,
      logGroupName: '/signet/dev/signing-guard',
      topicArn: TOPIC_ARN,
      keyArn: KMS_KEY_ARN,
      deadLetterQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:signet-dev-signing-guard-dlq`,
      projectPrefix: 'signet-dev-',
    }),
  ],
  ...SERVICE_ROLE_DOCUMENTS,
};

const trustPolicy = buildIrsaTrustPolicy({
  oidcProviderArn: OIDC_PROVIDER_ARN,
  namespace: 'kyverno-notation-aws',
  serviceAccount: 'kyverno-notation-aws',
});

/** Every role trust policy the package can produce. */
const trustDocuments: Record<string, readonly IamTrustPolicyDocument[]> = {
  buildIrsaTrustPolicy: [trustPolicy],
  buildServiceRoleTrustPolicy: [
    buildServiceRoleTrustPolicy({
      service: 'codebuild.amazonaws.com',
      accountId: ACCOUNT,
      sourceArn: PROJECT_ARNS[0] ?? '',
    }),
    buildServiceRoleTrustPolicy({
      service: 'codepipeline.amazonaws.com',
      accountId: ACCOUNT,
      sourceArn: PIPELINE_ARN,
    }),
  ],
};

/** Every resource-based policy the package can produce. */
const resourceDocuments: Record<string, readonly IamResourcePolicyDocument[]> = {
  buildArtifactBucketPolicy: [
    buildArtifactBucketPolicy({ bucketArn: BUCKET_ARN }),
    buildArtifactBucketPolicy({
      bucketArn: BUCKET_ARN,
      promotionRequest: {
        writerRoleArn: `arn:aws:iam::${ACCOUNT}:role/signet-dev-hello-server-pipeline`,
        objectKey: 'promotion/hello-server.zip',
        region: REGION,
        kmsKeyArn: KMS_KEY_ARN,
      },
    }),
  ],
  buildPluginMirrorBucketPolicy: [
    buildPluginMirrorBucketPolicy({
      bucketArn: BUCKET_ARN,
      writerPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/signet-dev-deployer`],
      readerPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/signet-dev-hello-server-sign`],
    }),
  ],
  buildNotificationTopicPolicy: [buildNotificationTopicPolicy({ topicArn: TOPIC_ARN, accountId: ACCOUNT })],
  buildGuardDeadLetterQueuePolicy: [
    buildGuardDeadLetterQueuePolicy({
      accountId: ACCOUNT,
      queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:signet-dev-signing-guard-dlq`,
      ruleArns: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/signet-dev-signing-guard-signatures`],
    }),
  ],
};

/**
 * Trust policies without confused-deputy conditions, each for a reason given where it is built
 * (guard/guard-role.ts: Lambda documents none for execution roles); guard.test.ts checks it.
 */
const UNCONDITIONED_TRUST = ['buildLambdaTrustPolicy'];

/**
 * Documents with rules of their own, walked by their own tests: the deployer's policy is a list of
 * Denies beside AdministratorAccess and the deploy role's start of it (deployer.test.ts), the GitHub OIDC trust is conditioned on the
 * token's claims, not on a source account (github-oidc.test.ts).
 */
const OWN_RULES = ['buildDeployerRolePolicy', 'buildGitHubOidcTrustPolicy', 'buildStartDeployerPolicy'];

/** Exported `build*Policy` functions whose documents are not IAM policies. */
const NOT_IAM = [
  // The Notation trust policy (trustpolicy.json), verified by notation and the Kyverno plugin.
  'buildTrustPolicy',
  // A Kyverno ClusterPolicy.
  'buildImageVerificationClusterPolicy',
];

const asList = (value: string | readonly string[]): readonly string[] =>
  typeof value === 'string' ? [value] : value;

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
    const exported = Object.keys(api).filter((name) => /^build\w+Policy$/.test(name));
    expect(exported.sort()).toEqual(
      [
        ...Object.keys(documents),
        ...Object.keys(trustDocuments),
        ...Object.keys(resourceDocuments),
        // Walked by service-documents.test.ts.
        ...Object.keys(SERVICE_TRUST_DOCUMENTS),
        ...Object.keys(SERVICE_RESOURCE_DOCUMENTS),
        ...NOT_IAM,
        ...UNCONDITIONED_TRUST,
        ...OWN_RULES,
      ].sort(),
    );
    expect(
      exported
        .filter((name) => /^build\w+(Role|Vpc|Pipeline)Policy$/.test(name) && !OWN_RULES.includes(name))
        .sort(),
    ).toEqual(Object.keys(documents).sort());
    expect(
      exported
        .filter(
          (name) =>
            /^build\w+TrustPolicy$/.test(name) && name !== 'buildTrustPolicy' && !OWN_RULES.includes(name),
        )
        .sort(),
    ).toEqual(
      [
        ...Object.keys(trustDocuments),
        ...Object.keys(SERVICE_TRUST_DOCUMENTS),
        ...UNCONDITIONED_TRUST,
      ].sort(),
    );
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

  it('lists no action on Resource "*" that no document grants there', () => {
    const granted = Object.values(documents)
      .flat()
      .flatMap((doc) => doc.Statement)
      .filter((s) => s.Resource.includes('*'))
      .flatMap((s) => s.Action);
    expect([...new Set(granted)].sort()).toEqual(Object.keys(RESOURCE_WILDCARD_ACTIONS).sort());
  });

  for (const [builder, variants] of Object.entries(trustDocuments)) {
    it.each(variants.map((doc, i) => [i, doc] as const))(
      `${builder} variant %i trusts one principal, under conditions, without wildcards`,
      (_i, doc) => {
        expect(doc.Version).toBe(IAM_POLICY_VERSION);
        for (const s of doc.Statement) {
          expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
          expect(s.Effect).toBe('Allow');
          expect(s.Action).toHaveLength(1);
          expect(s.Action[0]).toMatch(/^sts:AssumeRole(WithWebIdentity)?$/);
          const principals = Object.values(s.Principal);
          expect(principals).toHaveLength(1);
          for (const principal of principals) expect(principal, s.Sid).not.toContain('*');
          const conditions = Object.values(s.Condition ?? {}).flatMap((block) =>
            Object.values(block).flatMap(asList),
          );
          expect(conditions.length, `${s.Sid} has no condition`).toBeGreaterThan(0);
          for (const value of conditions) expect(value, s.Sid).not.toMatch(/[*?]/);
          if (s.Principal.Service !== undefined) {
            expect(Object.keys(s.Condition?.['StringEquals'] ?? {})).toContain('aws:SourceAccount');
            expect(Object.keys(s.Condition?.['ArnLike'] ?? {})).toContain('aws:SourceArn');
          }
        }
      },
    );
  }

  for (const [builder, variants] of Object.entries(resourceDocuments)) {
    it.each(variants.map((doc, i) => [i, doc] as const))(
      `${builder} variant %i names no wildcard principal except in a Deny`,
      (_i, doc) => {
        expect(doc.Version).toBe(IAM_POLICY_VERSION);
        const sids = doc.Statement.map((s) => s.Sid);
        expect(new Set(sids).size).toBe(sids.length);
        for (const s of doc.Statement) {
          expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
          expect(asList(s.Resource).length).toBeGreaterThan(0);
          expect(asList(s.Resource), s.Sid).not.toContain('*');
          const principals = Object.values(s.Principal).flatMap((p) => (p === undefined ? [] : asList(p)));
          expect(principals.length).toBeGreaterThan(0);
          if (principals.some((p) => p.includes('*'))) {
            expect(s.Effect, `${s.Sid}: wildcard principal`).toBe('Deny');
          } else {
            expect(asList(s.Action), s.Sid).not.toContain('*');
          }
          if (s.Effect === 'Allow') expect(s.Condition, `${s.Sid}: Allow without condition`).toBeDefined();
        }
      },
    );
  }
});

describe('build role', () => {
  const doc = buildBuildRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN });

  it('pushes to its own repository only and never signs or deploys', () => {
    expect(statement(doc, 'PushOwnRepository').Resource).toEqual([HELLO_REPO_ARN]);
    expect(statement(doc, 'PushOwnRepository').Action).toContain('ecr:PutImage');
    expect(allowedActions(doc).filter((a) => a.startsWith('signer:') || a.startsWith('eks:'))).toEqual([]);
  });

  it('writes the streams of its own log group, its bucket and key', () => {
    // CreateLogStream and PutLogEvents act on log streams, never on the group itself.
    expect(statement(doc, 'WriteOwnLogs').Resource).toEqual([`${LOG_GROUP_ARN}:log-stream:*`]);
    expect(statement(doc, 'ReadWriteArtifacts').Resource).toEqual([`${BUCKET_ARN}/*`]);
    expect(statement(doc, 'UseArtifactKey').Resource).toEqual([KMS_KEY_ARN]);
  });

  it('accepts a log group ARN with the ":*" suffix some tools print', () => {
    const suffixed = buildBuildRolePolicy({
      ...stage,
      logGroupArn: `${LOG_GROUP_ARN}:*`,
      repositoryArn: HELLO_REPO_ARN,
    });
    expect(statement(suffixed, 'WriteOwnLogs').Resource).toEqual([`${LOG_GROUP_ARN}:log-stream:*`]);
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

  it('grants revocation checks on the profile and its versions, never on another profile', () => {
    // A version ARN is reduced to its profile, which is granted with all its versions.
    const doc = buildSigningRolePolicy({
      ...stage,
      repositoryArn: HELLO_REPO_ARN,
      signingProfileArn: PROFILE_VERSION_ARN,
      trustedSigningProfileArns: [PROFILE_VERSION_ARN, PROFILE_ARN],
    });
    expect(statement(doc, 'CheckSignatureRevocation').Resource).toEqual([
      PROFILE_ARN,
      `${PROFILE_ARN}/*`,
      'arn:aws:signer:us-east-1:111122223333:/signing-jobs/*',
    ]);
  });

  it('rejects a malformed signing profile', () => {
    expect(() =>
      buildSigningRolePolicy({ ...stage, repositoryArn: HELLO_REPO_ARN, signingProfileArn: 'signet_dev' }),
    ).toThrow(
      'key "signingProfileArn" has value "signet_dev"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]',
    );
    expect(() =>
      buildSigningRolePolicy({
        ...stage,
        repositoryArn: HELLO_REPO_ARN,
        signingProfileArn: PROFILE_ARN,
        trustedSigningProfileArns: [],
      }),
    ).toThrow(
      'key "trustedSigningProfileArns" has value []; allowed: the signing profile ARNs whose signatures are verified, at least one',
    );
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
      'key "clusterArn" has value "arn:aws:eks:us-east-1:111122223333:nodegroup/x"; allowed: an ARN arn:<partition>:eks:<region>:<account>:cluster/<name> (not resource "nodegroup/x")',
    ],
    [
      { logGroupArn: 'arn:aws:s3:::bucket' },
      'key "logGroupArn" has value "arn:aws:s3:::bucket"; allowed: an ARN arn:<partition>:logs:<region>:<account>:log-group:<name> (not of service "s3")',
    ],
    [
      { artifactBucketArn: 'arn:aws:s3:::Bad_Bucket' },
      'key "artifactBucketArn" has value "arn:aws:s3:::Bad_Bucket"; allowed: an ARN arn:<partition>:s3:::<bucket> (not resource "Bad_Bucket")',
    ],
    [
      { kmsKeyArn: 'alias/signet' },
      'key "kmsKeyArn" has value "alias/signet"; allowed: an ARN arn:<partition>:kms:<region>:<account>:key/<key-id>',
    ],
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
    ).toThrow(
      'key "repositoryArns" has value []; allowed: the ARNs of the application repositories the verifier reads, at least one',
    );
    expect(() =>
      buildVerifierRolePolicy({ repositoryArns: [HELLO_REPO_ARN], trustedSigningProfileArns: ['*'] }),
    ).toThrow(
      'key "trustedSigningProfileArns[0]" has value "*"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]',
    );
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
      'key "oidcProviderArn" has value "arn:aws:iam::111122223333:role/x"; allowed: an ARN arn:<partition>:iam::<account>:oidc-provider/<issuer host and path> (not resource "role/x")',
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
