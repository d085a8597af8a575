/**
 * The evaluator against the evaluation rules and examples of the IAM User Guide (each case names
 * the page it comes from).
 */
import { describe, expect, it } from 'vitest';
import { evaluateIamRequest, IamDecision, type EvaluablePolicy, type IamRequest } from './evaluate.js';

const ACCOUNT = '111122223333';
const CARLOS = `arn:aws:iam::${ACCOUNT}:user/carlossalazar`;

const decide = (policies: Parameters<typeof evaluateIamRequest>[0], request: IamRequest) =>
  evaluateIamRequest(policies, request).decision;

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
// ("Example identity-based and resource-based policy evaluation").
describe('identity and resource policies in one account', () => {
  const carlosPolicy: EvaluablePolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowS3ListRead',
        Effect: 'Allow',
        Action: [
          's3:GetBucketLocation',
          's3:GetAccountPublicAccessBlock',
          's3:ListAccessPoints',
          's3:ListAllMyBuckets',
        ],
        Resource: 'arn:aws:s3:::*',
      },
      {
        Sid: 'AllowS3Self',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: [
          'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*',
          'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar',
        ],
      },
      { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
    ],
  };
  const logsBucketPolicy: EvaluablePolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowS3PutObject',
        Effect: 'Allow',
        Principal: { AWS: CARLOS },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*',
      },
    ],
  };
  const policies = { identity: [carlosPolicy], resource: [logsBucketPolicy] };

  it("denies the PutObject to the logs bucket: the identity policy's explicit deny beats the bucket policy's allow", () => {
    const result = evaluateIamRequest(policies, {
      principalArn: CARLOS,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file.txt',
    });
    expect(result.decision).toBe(IamDecision.ExplicitDeny);
    expect(result.reasons).toEqual(['explicit deny: identity[0] statement "DenyS3Logs"']);
  });

  it('allows his own bucket, and listing any bucket', () => {
    expect(
      decide(policies, {
        principalArn: CARLOS,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/a',
      }),
    ).toBe(IamDecision.Allow);
    expect(
      decide(policies, {
        principalArn: CARLOS,
        action: 'S3:getbucketlocation',
        resource: 'arn:aws:s3:::another-bucket',
      }),
    ).toBe(IamDecision.Allow);
  });

  it('allows through a resource policy that names the principal, without an identity allow', () => {
    expect(
      decide(
        { identity: [], resource: [logsBucketPolicy] },
        {
          principalArn: CARLOS,
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/x',
        },
      ),
    ).toBe(IamDecision.Allow);
  });

  it('a resource policy that names only the account grants nothing by itself', () => {
    const accountPolicy: EvaluablePolicy = {
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'ecr:PutImage',
      },
    };
    const request = {
      principalArn: CARLOS,
      action: 'ecr:PutImage',
      resource: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`,
    };
    expect(decide({ identity: [], resource: [accountPolicy] }, request)).toBe(IamDecision.ImplicitDeny);
  });

  it("a resource policy's Deny to the account binds every principal of it", () => {
    const denyAccount: EvaluablePolicy = {
      Statement: { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'ecr:*' },
    };
    const allowAll: EvaluablePolicy = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
    expect(
      decide(
        { identity: [allowAll], resource: [denyAccount] },
        {
          principalArn: CARLOS,
          action: 'ecr:PutImage',
          resource: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`,
        },
      ),
    ).toBe(IamDecision.ExplicitDeny);
  });

  it('NotPrincipal: a Deny to everyone but the named role', () => {
    const pipeline = `arn:aws:iam::${ACCOUNT}:role/pipeline`;
    const policy: EvaluablePolicy = {
      Statement: [
        { Effect: 'Deny', NotPrincipal: { AWS: pipeline }, Action: 'ecr:PutImage' },
        { Effect: 'Allow', Principal: { AWS: [pipeline, CARLOS] }, Action: 'ecr:PutImage' },
      ],
    };
    const resource = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`;
    expect(
      decide(
        { identity: [], resource: [policy] },
        { principalArn: pipeline, action: 'ecr:PutImage', resource },
      ),
    ).toBe(IamDecision.Allow);
    expect(
      decide(
        { identity: [], resource: [policy] },
        { principalArn: CARLOS, action: 'ecr:PutImage', resource },
      ),
    ).toBe(IamDecision.ExplicitDeny);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
describe('NotAction and NotResource', () => {
  it('"Allow NotAction iam:*" allows everything but IAM', () => {
    const policy: EvaluablePolicy = { Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } };
    expect(
      decide(
        { identity: [policy] },
        { principalArn: CARLOS, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
      ),
    ).toBe(IamDecision.Allow);
    expect(
      decide({ identity: [policy] }, { principalArn: CARLOS, action: 'iam:PassRole', resource: '*' }),
    ).toBe(IamDecision.ImplicitDeny);
  });

  it('"Deny NotResource" denies every resource but the listed ones', () => {
    const policy: EvaluablePolicy = {
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 's3:*',
          NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'],
        },
      ],
    };
    const at = (resource: string) =>
      decide({ identity: [policy] }, { principalArn: CARLOS, action: 's3:GetObject', resource });
    expect(at('arn:aws:s3:::HRBucket/Payroll/march.csv')).toBe(IamDecision.Allow);
    expect(at('arn:aws:s3:::HRBucket/Other/march.csv')).toBe(IamDecision.ExplicitDeny);
  });
});

describe('wildcards and variables', () => {
  it('matches wildcards in actions (case-insensitive) and per ARN part in resources (case-sensitive)', () => {
    const policy: EvaluablePolicy = {
      Statement: {
        Effect: 'Allow',
        Action: 'ecr:Batch*',
        Resource: 'arn:aws:ecr:*:111122223333:repository/signet-dev-*',
      },
    };
    const ask = (action: string, resource: string) =>
      decide({ identity: [policy] }, { principalArn: CARLOS, action, resource });
    expect(ask('ecr:BatchGetImage', 'arn:aws:ecr:eu-west-1:111122223333:repository/signet-dev-app')).toBe(
      IamDecision.Allow,
    );
    expect(ask('ECR:batchgetimage', 'arn:aws:ecr:eu-west-1:111122223333:repository/signet-dev-app')).toBe(
      IamDecision.Allow,
    );
    expect(ask('ecr:PutImage', 'arn:aws:ecr:eu-west-1:111122223333:repository/signet-dev-app')).toBe(
      IamDecision.ImplicitDeny,
    );
    expect(ask('ecr:BatchGetImage', 'arn:aws:ecr:eu-west-1:111122223333:repository/signet-prod-app')).toBe(
      IamDecision.ImplicitDeny,
    );
    expect(ask('ecr:BatchGetImage', 'arn:aws:ecr:eu-west-1:444455556666:repository/signet-dev-app')).toBe(
      IamDecision.ImplicitDeny,
    );
    expect(ask('ecr:BatchGetImage', 'arn:aws:ecr:eu-west-1:111122223333:repository/Signet-dev-app')).toBe(
      IamDecision.ImplicitDeny,
    );
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  it('replaces policy variables in resources; an unresolved variable matches nothing', () => {
    const policy: EvaluablePolicy = {
      Statement: {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*',
      },
    };
    const ask = (resource: string, context?: Record<string, string>) =>
      decide(
        { identity: [policy] },
        { principalArn: CARLOS, action: 's3:GetObject', resource, ...(context ? { context } : {}) },
      );
    expect(ask('arn:aws:s3:::amzn-s3-demo-bucket/carlossalazar/a', { 'aws:username': 'carlossalazar' })).toBe(
      IamDecision.Allow,
    );
    expect(ask('arn:aws:s3:::amzn-s3-demo-bucket/someone/a', { 'aws:username': 'carlossalazar' })).toBe(
      IamDecision.ImplicitDeny,
    );
    expect(ask('arn:aws:s3:::amzn-s3-demo-bucket/carlossalazar/a')).toBe(IamDecision.ImplicitDeny);
  });
});

// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
describe('service control policies and permissions boundaries', () => {
  const adminPolicy: EvaluablePolicy = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
  const fullAwsAccess: EvaluablePolicy = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
  const denyStartBuild: EvaluablePolicy = {
    Statement: {
      Sid: 'OnlyPipelineStartsBuilds',
      Effect: 'Deny',
      Action: 'codebuild:StartBuild',
      Resource: 'arn:aws:codebuild:*:*:project/signet-*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/signet-*-pipeline' } },
    },
  };
  const build = {
    action: 'codebuild:StartBuild',
    resource: `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/signet-dev-app-build`,
  };

  it('an SCP that only denies, without FullAWSAccess, allows nothing', () => {
    expect(
      decide(
        { identity: [adminPolicy], serviceControlPolicies: [denyStartBuild] },
        { principalArn: CARLOS, ...build },
      ),
    ).toBe(IamDecision.ExplicitDeny);
    expect(
      decide(
        { identity: [adminPolicy], serviceControlPolicies: [denyStartBuild] },
        { principalArn: CARLOS, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
      ),
    ).toBe(IamDecision.ImplicitDeny);
  });

  it("an SCP's Deny binds an administrator, not the excepted role", () => {
    const policies = { identity: [adminPolicy], serviceControlPolicies: [fullAwsAccess, denyStartBuild] };
    expect(decide(policies, { principalArn: CARLOS, ...build })).toBe(IamDecision.ExplicitDeny);
    expect(
      decide(policies, { principalArn: `arn:aws:iam::${ACCOUNT}:role/signet-dev-app-pipeline`, ...build }),
    ).toBe(IamDecision.Allow);
  });

  it('a permissions boundary caps the identity policy: both must allow', () => {
    const boundary: EvaluablePolicy = {
      Statement: { Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*'], Resource: '*' },
    };
    const identity: EvaluablePolicy = {
      Statement: { Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' },
    };
    const result = evaluateIamRequest(
      { identity: [identity], permissionsBoundary: boundary },
      { principalArn: CARLOS, action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/x` },
    );
    expect(result).toEqual({
      decision: IamDecision.ImplicitDeny,
      reasons: ['the permissions boundary does not allow'],
    });
    expect(
      decide(
        { identity: [], permissionsBoundary: boundary },
        { principalArn: CARLOS, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
      ),
    ).toBe(IamDecision.ImplicitDeny);
  });
});

describe('malformed policies', () => {
  const ask = (policy: unknown) =>
    evaluateIamRequest(
      { identity: [policy as EvaluablePolicy] },
      { principalArn: CARLOS, action: 's3:GetObject', resource: '*' },
    );
  it('names the statement and field IAM would reject', () => {
    expect(() => ask({ Statement: { Effect: 'allow', Action: '*', Resource: '*' } })).toThrow(
      /identity\[0\]\.Statement\[0\]\.Effect/,
    );
    expect(() => ask({ Statement: { Effect: 'Allow', Resource: '*' } })).toThrow(
      /Action.*exactly one of Action and NotAction/,
    );
    expect(() => ask({ Statement: { Effect: 'Allow', Action: '*' } })).toThrow(
      /Resource.*required outside resource policies/,
    );
    expect(() =>
      evaluateIamRequest(
        { identity: [], resource: [{ Statement: { Effect: 'Allow', Action: '*' } }] },
        { principalArn: CARLOS, action: 's3:GetObject', resource: '*' },
      ),
    ).toThrow(/resource\[0\]\.Statement\[0\]\.Principal/);
  });
});
