import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { buildGitHubOidcTrustPolicy, githubOidcSubject } from './github-oidc.js';

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const deploy = {
  oidcProviderArn: PROVIDER,
  repository: 'acme/signet',
  environment: 'prod',
  workflow: '.github/workflows/stacks.yml',
  ref: 'refs/heads/main',
};

describe('buildGitHubOidcTrustPolicy', () => {
  it('trusts only STS tokens of the repository, the environment and the workflow at its ref, compared exactly', () => {
    expect(buildGitHubOidcTrustPolicy(deploy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeFromGitHubWorkflow',
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: ['sts:AssumeRoleWithWebIdentity'],
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub':
                'repo:acme/signet:environment:prod:job_workflow_ref:acme/signet/.github/workflows/stacks.yml@refs/heads/main',
            },
          },
        },
      ],
    });
  });

  it('lets a preview role match any pull request merge ref, and nothing else, with StringLike', () => {
    const doc = buildGitHubOidcTrustPolicy({
      ...deploy,
      environment: 'prod-preview',
      ref: 'refs/pull/*/merge',
    });
    expect(doc.Statement[0]?.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        'token.actions.githubusercontent.com:sub':
          'repo:acme/signet:environment:prod-preview:job_workflow_ref:acme/signet/.github/workflows/stacks.yml@refs/pull/*/merge',
      },
    });
  });

  it.each([
    [
      { ref: 'refs/heads/*' },
      'key "ref" has value "refs/heads/*"; allowed: a branch ref refs/heads/<branch>',
    ],
    [{ ref: 'main' }, 'key "ref" has value "main"; allowed: a branch ref'],
    [{ repository: 'acme' }, 'key "repository" has value "acme"; allowed: <owner>/<repo>'],
    [{ environment: 'prod:x' }, 'key "environment" has value "prod:x"; allowed: a GitHub environment name'],
    [
      { workflow: 'stacks.yml' },
      'key "workflow" has value "stacks.yml"; allowed: .github/workflows/<file>.yml',
    ],
    [
      { oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X' },
      "allowed: the ARN of the account's OIDC provider oidc-provider/token.actions.githubusercontent.com",
    ],
  ])('refuses %j, naming the key', (override, message) => {
    expect(() => buildGitHubOidcTrustPolicy({ ...deploy, ...override })).toThrow(PolicyInputError);
    expect(() => buildGitHubOidcTrustPolicy({ ...deploy, ...override })).toThrow(message);
  });

  it('builds the subject GitHub sends once the repository includes repo, context and job_workflow_ref', () => {
    expect(githubOidcSubject({ ...deploy, environment: 'dev' })).toBe(
      'repo:acme/signet:environment:dev:job_workflow_ref:acme/signet/.github/workflows/stacks.yml@refs/heads/main',
    );
  });
});
