import { describe, expect, it } from 'vitest';
import type { IamPolicyDocument } from '../iam/document.js';
import { denyingStatements, type Request } from '../test/deny-evaluation.js';
import {
  buildGuardrails,
  buildSignetPermissionsBoundary,
  buildSignetScp,
  compactJson,
  GUARDRAIL_SIZE_LIMITS,
} from './documents.js';
import type { GuardrailInput } from './statements.js';

const ACCOUNT = '111122223333';
const input: GuardrailInput = {
  environment: 'prod',
  accountId: ACCOUNT,
  pipelineRoleNames: ['signet-prod-hello-server-pipeline', 'signet-prod-billing-pipeline'],
  signerRoleNames: ['signet-prod-hello-server-sign', 'signet-prod-billing-sign'],
};
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const PRINCIPALS = {
  developer: `arn:aws:iam::${ACCOUNT}:user/alice`,
  ciRole: role('github-ci'),
  admin: role('Admin'),
  pipeline: role('signet-prod-hello-server-pipeline'),
  otherEnvironmentPipeline: role('signet-dev-hello-server-pipeline'),
  buildRole: role('signet-prod-hello-server-build'),
  signingRole: role('signet-prod-hello-server-sign'),
  deployer: role('signet-prod-deployer'),
  githubDeploy: role('signet-prod-github-deploy'),
  approver: role('signet-prod-pipeline-approver'),
} as const;
type Who = keyof typeof PRINCIPALS;

const PROJECT = `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/signet-prod-hello-server-application-signing`;
const DEPLOYER = `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/signet-prod-deployer`;
const PROFILE = `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/signet_prod_hello_server`;
const PIPELINE = `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:signet-prod-hello-server`;

function request(
  who: Who,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request {
  return { action, resource, context: { 'aws:PrincipalArn': PRINCIPALS[who], ...context } };
}

const { scp, boundary } = buildGuardrails(input);

/** Each case: who calls what, and whether the guardrails deny it. */
const CASES: readonly [string, Request, boolean][] = [
  [
    'a developer starts a signing build directly',
    request('developer', 'codebuild:StartBuild', PROJECT),
    true,
  ],
  ['a CI role starts a signing build directly', request('ciRole', 'codebuild:StartBuild', PROJECT), true],
  ['an administrator starts a batch build', request('admin', 'codebuild:StartBuildBatch', PROJECT), true],
  ['a developer retries a pipeline build', request('developer', 'codebuild:RetryBuild', PROJECT), true],
  ['a developer retries a batch', request('developer', 'codebuild:RetryBuildBatch', PROJECT), true],
  ['the stage role starts its own project', request('buildRole', 'codebuild:StartBuild', PROJECT), true],
  [
    'another environment’s pipeline starts a prod build',
    request('otherEnvironmentPipeline', 'codebuild:StartBuild', PROJECT),
    true,
  ],
  ['the pipeline starts the stage', request('pipeline', 'codebuild:StartBuild', PROJECT), false],
  [
    'the GitHub deploy role starts the deployer',
    request('githubDeploy', 'codebuild:StartBuild', DEPLOYER),
    false,
  ],
  ['a developer starts the deployer', request('developer', 'codebuild:StartBuild', DEPLOYER), true],
  ['a pipeline role starts the deployer', request('pipeline', 'codebuild:StartBuild', DEPLOYER), true],
  ['the deployer starts itself', request('deployer', 'codebuild:StartBuild', DEPLOYER), true],
  [
    'the GitHub deploy role creates a signing profile (up of signer)',
    request('githubDeploy', 'signer:PutSigningProfile', '*'),
    false,
  ],
  [
    'the pipeline starts the stage with the Build variables',
    request('pipeline', 'codebuild:StartBuild', PROJECT, {
      'codebuild:environment.environmentVariables.name': ['IMAGE_DIGEST', 'IMAGE_URI', 'SBOM_DIGEST'],
    }),
    false,
  ],
  [
    'the pipeline role overrides the buildspec',
    request('pipeline', 'codebuild:StartBuild', PROJECT, { 'codebuild:source.buildspec': 'version: 0.2' }),
    true,
  ],
  [
    'the pipeline role overrides CODEBUILD_INITIATOR',
    request('pipeline', 'codebuild:StartBuild', PROJECT, {
      'codebuild:environment.environmentVariables.name': ['IMAGE_DIGEST', 'CODEBUILD_INITIATOR'],
    }),
    true,
  ],
  [
    'a developer starts a project that is not Signet’s',
    request('developer', 'codebuild:StartBuild', `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/unit-tests`),
    false,
  ],
  ['a developer signs with an app profile', request('developer', 'signer:SignPayload', PROFILE), true],
  ['a developer starts a signing job', request('developer', 'signer:StartSigningJob', PROFILE), true],
  ['the build role signs', request('buildRole', 'signer:SignPayload', PROFILE), true],
  [
    'a developer signs with a later generation’s profile',
    request(
      'developer',
      'signer:SignPayload',
      `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/signet_prod_2_billing`,
    ),
    true,
  ],
  ['the signing stage signs', request('signingRole', 'signer:SignPayload', PROFILE), false],
  [
    'the signing stage signs with a profile version',
    request('signingRole', 'signer:SignPayload', `${PROFILE}/a1b2c3d4e5`),
    false,
  ],
  ['a developer creates a signing profile', request('developer', 'signer:PutSigningProfile', '*'), true],
  ['the deployer creates a signing profile', request('deployer', 'signer:PutSigningProfile', '*'), false],
  ['a developer shares a profile', request('developer', 'signer:AddProfilePermission', PROFILE), true],
  [
    'a developer removes a profile permission',
    request('developer', 'signer:RemoveProfilePermission', PROFILE),
    true,
  ],
  ['a developer cancels a profile', request('developer', 'signer:CancelSigningProfile', PROFILE), true],
  ['the deployer cancels a profile', request('deployer', 'signer:CancelSigningProfile', PROFILE), false],
  ['a developer changes a stage project', request('developer', 'codebuild:UpdateProject', PROJECT), true],
  [
    'the pipeline role changes a stage project',
    request('pipeline', 'codebuild:UpdateProject', PROJECT),
    true,
  ],
  [
    'a developer makes a project public',
    request('developer', 'codebuild:UpdateProjectVisibility', PROJECT),
    true,
  ],
  [
    'a developer deletes a project to re-create it',
    request('developer', 'codebuild:DeleteProject', PROJECT),
    true,
  ],
  ['the deployer updates a stage project', request('deployer', 'codebuild:UpdateProject', PROJECT), false],
  ['a developer edits the pipeline', request('developer', 'codepipeline:UpdatePipeline', PIPELINE), true],
  ['the deployer edits the pipeline', request('deployer', 'codepipeline:UpdatePipeline', PIPELINE), false],
  [
    'a developer approves',
    request('developer', 'codepipeline:PutApprovalResult', `${PIPELINE}/Approval/Approval`),
    true,
  ],
  [
    'the deployer approves',
    request('deployer', 'codepipeline:PutApprovalResult', `${PIPELINE}/Approval/Approval`),
    true,
  ],
  [
    'the approver approves',
    request('approver', 'codepipeline:PutApprovalResult', `${PIPELINE}/Approval/Approval`),
    false,
  ],
  // Revocation stays open to the security team and to automatic revocation.
  [
    'a security engineer revokes a signature',
    request('admin', 'signer:RevokeSignature', `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-jobs/1b2c3d4e`),
    false,
  ],
  ['a developer reads a build log', request('developer', 'codebuild:BatchGetBuilds', PROJECT), false],
];

describe.each([
  ['SCP', scp],
  ['permissions boundary', boundary],
] as const)('the %s of an environment', (_name, document: IamPolicyDocument) => {
  it.each(CASES)('%s: denied %s', (_case, call, denied) => {
    expect(denyingStatements(document, call).length > 0).toBe(denied);
  });
});

describe('guardrail documents', () => {
  it('the SCP only denies; the boundary allows what identity policies allow and denies the same', () => {
    expect(scp.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
    expect(boundary.Statement[0]).toEqual({
      Sid: 'AllowWhatIdentityPoliciesAllow',
      Effect: 'Allow',
      Action: ['*'],
      Resource: ['*'],
    });
    expect(boundary.Statement.slice(1)).toEqual(scp.Statement);
  });

  it('exempt roles by their ARN (aws:PrincipalArn is a session’s role ARN) and never by a pattern', () => {
    const exempt = scp.Statement.flatMap((s) => s.Condition?.['ArnNotLike']?.['aws:PrincipalArn'] ?? []);
    expect(exempt.length).toBeGreaterThan(0);
    for (const arn of exempt) expect(arn).toMatch(/^arn:aws:iam::111122223333:role\/signet-prod-[a-z-]+$/);
  });

  it('cover every account of an OU with the account left out', () => {
    const ou = buildSignetScp({ ...input, accountId: undefined });
    expect(JSON.stringify(ou)).toContain('arn:aws:codebuild:*:*:project/signet-prod-*');
    expect(
      denyingStatements(ou, {
        action: 'codebuild:StartBuild',
        resource: PROJECT.replace(ACCOUNT, '444455556666'),
        context: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/signet-prod-hello-server-pipeline' },
      }),
    ).toEqual([]);
  });

  it('fit their quotas for a workspace of a realistic size', () => {
    expect(compactJson(scp).length).toBeLessThanOrEqual(GUARDRAIL_SIZE_LIMITS.scp);
    expect(compactJson(boundary).length).toBeLessThanOrEqual(GUARDRAIL_SIZE_LIMITS.boundary);
  });

  it('refuse, with a clear error, an SCP larger than AWS Organizations accepts', () => {
    const apps = Array.from({ length: 60 }, (_, i) => `app-number-${i}`);
    const many = {
      ...input,
      pipelineRoleNames: apps.map((app) => `signet-prod-${app}-pipeline`),
      signerRoleNames: apps.map((app) => `signet-prod-${app}-sign`),
    };
    expect(() => buildSignetScp(many)).toThrow(
      /guardrails of prod: key "scp" has value "\d+ characters"; allowed: at most 5120 characters \(the AWS Organizations SCP quota\)/,
    );
    expect(() => buildSignetPermissionsBoundary(many)).toThrow(
      /key "boundary" has value "\d+ characters"; allowed: at most 6144/,
    );
  });

  it('refuse a wildcard role name, a bad account and an unknown partition', () => {
    expect(() => buildSignetScp({ ...input, pipelineRoleNames: ['signet-prod-*'] })).toThrow(
      'key "pipelineRoleNames[0]" has value "signet-prod-*"; allowed: an IAM role name',
    );
    expect(() => buildSignetScp({ ...input, accountId: '12' })).toThrow(
      'key "accountId" has value "12"; allowed: a 12-digit account id, or *',
    );
    expect(() => buildSignetScp({ ...input, partition: 'aws-cn' })).toThrow(/partition/);
  });
});

describe('the test evaluator', () => {
  // AWS's evaluation rules for the cases the guardrails rely on
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
  const doc: IamPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'NotLike',
        Effect: 'Deny',
        Action: ['s3:Get*'],
        Resource: ['arn:aws:s3:::b/*'],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/ok'] } },
      },
      {
        Sid: 'Present',
        Effect: 'Deny',
        Action: ['s3:PutObject'],
        Resource: ['*'],
        Condition: { Null: { 'k:x': 'false' } },
      },
      {
        Sid: 'AnyValue',
        Effect: 'Deny',
        Action: ['s3:DeleteObject'],
        Resource: ['*'],
        Condition: { 'ForAnyValue:StringLike': { 'k:names': 'A_*' } },
      },
    ],
  };
  it('applies a negated operator when the key is absent, and ForAnyValue not', () => {
    expect(
      denyingStatements(doc, { action: 'S3:GetObject', resource: 'arn:aws:s3:::b/o', context: {} }),
    ).toEqual(['NotLike']);
    expect(
      denyingStatements(doc, {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::b/o',
        context: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/ok' },
      }),
    ).toEqual([]);
    expect(denyingStatements(doc, { action: 's3:DeleteObject', resource: 'x', context: {} })).toEqual([]);
    expect(
      denyingStatements(doc, {
        action: 's3:DeleteObject',
        resource: 'x',
        context: { 'k:names': ['B', 'A_1'] },
      }),
    ).toEqual(['AnyValue']);
    expect(denyingStatements(doc, { action: 's3:PutObject', resource: 'x', context: {} })).toEqual([]);
    expect(
      denyingStatements(doc, { action: 's3:PutObject', resource: 'x', context: { 'k:x': 'v' } }),
    ).toEqual(['Present']);
  });
});
