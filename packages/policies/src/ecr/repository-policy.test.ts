import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { evaluateIamRequest, IamDecision } from '../iam/evaluate.js';
import { principalArnPatterns } from '../iam/principal.js';
import {
  buildRepositoryPolicy,
  ECR_ADMINISTRATION_ACTIONS,
  ECR_PULL_ACTIONS,
  ECR_PUSH_ACTIONS,
} from './repository-policy.js';

const BUILD = 'arn:aws:iam::111122223333:role/signet-dev-hello-server-build';
const SIGN = 'arn:aws:iam::111122223333:role/signet-dev-hello-server-sign';
const DEPLOYER = 'arn:aws:iam::111122223333:role/signet-dev-deployer';
const scope = {
  accountId: '111122223333',
  partition: 'aws',
  writerRoleArns: [BUILD, SIGN],
  administratorPrincipalArns: [DEPLOYER],
};

describe('ECR repository policy', () => {
  it('allows pull, and only pull, to the account and listed principals', () => {
    const policy = buildRepositoryPolicy({
      ...scope,
      extraPullPrincipalArns: ['arn:aws:iam::444455556666:role/nodes'],
    });
    expect(policy.Statement.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'PullByThisAccount',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: [...ECR_PULL_ACTIONS],
      },
      {
        Sid: 'PullByListedPrincipals',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::444455556666:role/nodes'] },
        Action: [...ECR_PULL_ACTIONS],
      },
    ]);
    const allowed = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action);
    expect(allowed.join(' ')).not.toMatch(/ecr:(Put|Upload|Initiate|Complete|Delete|Set)/);
  });

  it('denies push to every principal but the writer roles, by their role ARN', () => {
    expect(buildRepositoryPolicy(scope).Statement).toContainEqual({
      Sid: 'DenyPushButWriters',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...ECR_PUSH_ACTIONS],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [BUILD, SIGN] } },
    });
  });

  it('denies deletes, tag mutability, lifecycle and policy changes to every principal but the administrators', () => {
    const caller = principalArnPatterns('arn:aws:sts::111122223333:assumed-role/github-deploy/GitHubActions');
    const policy = buildRepositoryPolicy({ ...scope, administratorPrincipalArns: [DEPLOYER, ...caller] });
    expect(policy.Statement).toContainEqual({
      Sid: 'DenyChangesButAdministrators',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...ECR_ADMINISTRATION_ACTIONS],
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': [
            DEPLOYER,
            'arn:aws:iam::111122223333:role/github-deploy',
            'arn:aws:iam::111122223333:role/*/github-deploy',
          ],
        },
      },
    });
    for (const action of [
      'ecr:SetRepositoryPolicy',
      'ecr:DeleteRepositoryPolicy',
      'ecr:DeleteRepository',
      'ecr:BatchDeleteImage',
      'ecr:PutImageTagMutability',
    ]) {
      expect(ECR_ADMINISTRATION_ACTIONS).toContain(action);
    }
  });

  it('grants the account alone when no principal is listed', () => {
    expect(buildRepositoryPolicy(scope).Statement.map((s) => s.Sid)).toEqual([
      'PullByThisAccount',
      'DenyPushButWriters',
      'DenyChangesButAdministrators',
    ]);
  });

  it('rejects wildcard or malformed principals, and a repository nobody could push to', () => {
    expect(() => buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['*'] })).toThrow(
      'key "extraPullPrincipalArns[0]" has value "*"; allowed: an IAM role ARN or an account root ARN, without wildcards',
    );
    expect(() =>
      buildRepositoryPolicy({
        ...scope,
        extraPullPrincipalArns: ['arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:role/*'],
      }),
    ).toThrow('key "extraPullPrincipalArns[1]" has value "arn:aws:iam::444455556666:role/*"; allowed:');
    expect(() => buildRepositoryPolicy({ ...scope, accountId: '12' })).toThrow(
      'key "accountId" has value "12"; allowed: a 12-digit AWS account id',
    );
    expect(() => buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['*'] })).toThrow(
      PolicyInputError,
    );
    expect(() =>
      buildRepositoryPolicy({ ...scope, writerRoleArns: ['arn:aws:iam::111122223333:role/signet-dev-*'] }),
    ).toThrow(
      'key "writerRoleArns[0]" has value "arn:aws:iam::111122223333:role/signet-dev-*"; allowed: an IAM role ARN without a path or wildcards',
    );
    expect(() => buildRepositoryPolicy({ ...scope, writerRoleArns: [] })).toThrow(/writerRoleArns/);
    expect(() => buildRepositoryPolicy({ ...scope, administratorPrincipalArns: [] })).toThrow(
      /administratorPrincipalArns/,
    );
    expect(() => buildRepositoryPolicy({ ...scope, administratorPrincipalArns: ['*'] })).toThrow(
      'key "administratorPrincipalArns[0]" has value "*"; allowed:',
    );
  });
});

describe('principalArnPatterns', () => {
  it('turns a role session into its role, with and without a path; keeps users, roles and the root', () => {
    expect(principalArnPatterns('arn:aws:sts::111122223333:assumed-role/deployer/session-1')).toEqual([
      'arn:aws:iam::111122223333:role/deployer',
      'arn:aws:iam::111122223333:role/*/deployer',
    ]);
    expect(principalArnPatterns('arn:aws:iam::111122223333:user/alice')).toEqual([
      'arn:aws:iam::111122223333:user/alice',
    ]);
    expect(principalArnPatterns('arn:aws:iam::111122223333:root')).toEqual([
      'arn:aws:iam::111122223333:root',
    ]);
    expect(() => principalArnPatterns('arn:aws:iam::111122223333:role/*')).toThrow(/callerArn/);
    expect(() => principalArnPatterns('not an arn')).toThrow(
      'key "callerArn" has value "not an arn"; allowed: an STS assumed-role ARN',
    );
  });

  describe('promotion readers in other accounts', () => {
    const STAGING_PROMOTE = 'arn:aws:iam::222222222222:role/signet-staging-hello-server-promote';
    const QA_PROMOTE = 'arn:aws:iam::444444444444:role/signet-qa-hello-server-promote';
    const REPOSITORY = 'arn:aws:ecr:eu-west-1:111122223333:repository/signet-dev/hello-server';

    it("lets each Promote role pull, through its account's root with the role pinned", () => {
      const policy = buildRepositoryPolicy({
        ...scope,
        promotionReaderRoleArns: [STAGING_PROMOTE, QA_PROMOTE],
      });
      expect(policy.Statement).toContainEqual({
        Sid: 'PullByPromotingEnvironments',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::444444444444:root'] },
        Action: [...ECR_PULL_ACTIONS],
        Condition: { ArnEquals: { 'aws:PrincipalArn': [STAGING_PROMOTE, QA_PROMOTE] } },
      });
      expect(
        buildRepositoryPolicy({ ...scope, promotionReaderRoleArns: [STAGING_PROMOTE] }).Statement,
      ).toContainEqual(
        expect.objectContaining({
          Sid: 'PullByPromotingEnvironments',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        }),
      );
      expect(buildRepositoryPolicy(scope).Statement.map((s) => s.Sid)).not.toContain(
        'PullByPromotingEnvironments',
      );
    });

    it('leaves them pull only: the Deny statements still refuse them push and changes', () => {
      const policy = buildRepositoryPolicy({ ...scope, promotionReaderRoleArns: [STAGING_PROMOTE] });
      // Whatever the role's own account allows it, the repository's Deny statements decide.
      const everything = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      const decide = (action: string) =>
        evaluateIamRequest(
          { identity: [everything], resource: [policy] },
          { principalArn: STAGING_PROMOTE, action, resource: REPOSITORY },
        ).decision;
      for (const action of ECR_PULL_ACTIONS) expect(decide(action), action).toBe(IamDecision.Allow);
      for (const action of [...ECR_PUSH_ACTIONS, ...ECR_ADMINISTRATION_ACTIONS])
        expect(decide(action), action).toBe(IamDecision.ExplicitDeny);
    });

    it('refuses a reader that is not a role ARN without a path', () => {
      for (const arn of [
        'arn:aws:iam::222222222222:root',
        'arn:aws:iam::222222222222:role/team/promote',
        '*',
      ]) {
        expect(() => buildRepositoryPolicy({ ...scope, promotionReaderRoleArns: [arn] })).toThrow(
          `key "promotionReaderRoleArns[0]" has value ${JSON.stringify(arn)}; allowed: an IAM role ARN without a path or wildcards (a Promote stage role of another environment)`,
        );
      }
    });
  });
});
