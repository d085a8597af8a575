import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { buildRepositoryPolicy, ECR_PULL_ACTIONS } from './repository-policy.js';

const scope = { accountId: '111122223333', partition: 'aws' };

describe('ECR repository policy', () => {
  it('grants pull, and only pull, to the account and listed principals', () => {
    const policy = buildRepositoryPolicy({
      ...scope,
      extraPullPrincipalArns: ['arn:aws:iam::444455556666:role/nodes'],
    });
    expect(policy.Statement).toEqual([
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
    expect(JSON.stringify(policy)).not.toMatch(/ecr:(Put|Upload|Initiate|Complete|Delete|Set)/);
  });

  it('grants the account alone when no principal is listed', () => {
    expect(buildRepositoryPolicy(scope).Statement.map((s) => s.Sid)).toEqual(['PullByThisAccount']);
  });

  it('rejects wildcard or malformed principals', () => {
    expect(() => buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['*'] })).toThrow(
      'key "extraPullPrincipalArns[0]" has value "*"; allowed: an IAM role ARN or an account root ARN, without wildcards',
    );
    expect(() =>
      buildRepositoryPolicy({
        ...scope,
        extraPullPrincipalArns: ['arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:role/*'],
      }),
    ).toThrow('key "extraPullPrincipalArns[1]" has value "arn:aws:iam::444455556666:role/*"; allowed:');
    expect(() => buildRepositoryPolicy({ accountId: '12', partition: 'aws' })).toThrow(
      'key "accountId" has value "12"; allowed: a 12-digit AWS account id',
    );
    expect(() => buildRepositoryPolicy({ ...scope, extraPullPrincipalArns: ['*'] })).toThrow(
      PolicyInputError,
    );
  });
});
