import { assertArn } from '../arn.js';
import { PolicyInputError, quote } from '../errors.js';
import { IAM_POLICY_VERSION, type IamTrustPolicyDocument } from './document.js';

/** GitHub Actions' OIDC issuer host: the IAM condition keys of its tokens start with it. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** Audience `aws-actions/configure-aws-credentials` asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The claims the repository's OIDC subject is built from, in order. AWS IAM reads only `aud` and
 * `sub` of a GitHub token (GitHub: "Support for custom claims for OIDC is unavailable in AWS",
 * https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws),
 * so `job_workflow_ref` reaches a trust policy only through the subject: the repository sets this
 * template once (`PUT /repos/<owner>/<repo>/actions/oidc/customization/sub` with
 * `{"use_default": false, "include_claim_keys": ["repo", "context", "job_workflow_ref"]}`,
 * https://docs.github.com/en/actions/reference/openid-connect-reference#customizing-the-subject-claims-for-an-organization-or-repository),
 * and every subject then reads `repo:<owner>/<repo>:environment:<env>:job_workflow_ref:<workflow>@<ref>`.
 */
export const GITHUB_OIDC_SUBJECT_CLAIMS = ['repo', 'context', 'job_workflow_ref'] as const;

/** What a GitHub role may do: preview (read-only) or deploy. */
export const GitHubRoleKind = { Preview: 'preview', Deploy: 'deploy' } as const;
export type GitHubRoleKind = (typeof GitHubRoleKind)[keyof typeof GitHubRoleKind];

/** Input of {@link buildGitHubOidcTrustPolicy}. */
export interface GitHubOidcTrustInput {
  /** The account's IAM OIDC provider for `token.actions.githubusercontent.com`. */
  readonly oidcProviderArn: string;
  /** `<owner>/<repo>` of the repository whose workflows may assume the role. */
  readonly repository: string;
  /** The GitHub environment the job runs in (its protection rules gate the role). */
  readonly environment: string;
  /** The reusable workflow that runs the job, relative to the repository root. */
  readonly workflow: string;
  /**
   * The git ref the workflow runs from: `refs/heads/main` for deploys; `refs/pull/*\/merge` for
   * pull request previews (the one wildcard accepted: any pull request's merge ref).
   */
  readonly ref: string;
}

const REPOSITORY = /^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/;
// GitHub environment names: letters, digits, "-", "_" and "." here (no spaces or ":", which would
// make the subject ambiguous).
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const WORKFLOW = /^\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml$/;
const BRANCH_REF = /^refs\/heads\/[A-Za-z0-9_./-]+$/;
const PULL_REQUEST_REFS = 'refs/pull/*/merge';

/** The OIDC subject of a job, under {@link GITHUB_OIDC_SUBJECT_CLAIMS}. */
export function githubOidcSubject(input: Omit<GitHubOidcTrustInput, 'oidcProviderArn'>): string {
  if (!REPOSITORY.test(input.repository)) {
    throw new PolicyInputError({ path: 'repository', value: input.repository, allowed: '<owner>/<repo>' });
  }
  if (!ENVIRONMENT.test(input.environment)) {
    throw new PolicyInputError({
      path: 'environment',
      value: input.environment,
      allowed: 'a GitHub environment name of letters, digits, "-", "_" or "."',
    });
  }
  if (!WORKFLOW.test(input.workflow)) {
    throw new PolicyInputError({
      path: 'workflow',
      value: input.workflow,
      allowed: '.github/workflows/<file>.yml',
    });
  }
  if (input.ref !== PULL_REQUEST_REFS && (!BRANCH_REF.test(input.ref) || input.ref.includes('*'))) {
    throw new PolicyInputError({
      path: 'ref',
      value: input.ref,
      allowed: `a branch ref refs/heads/<branch>, or ${quote(PULL_REQUEST_REFS)} for pull request previews`,
    });
  }
  return `repo:${input.repository}:environment:${input.environment}:job_workflow_ref:${input.repository}/${input.workflow}@${input.ref}`;
}

/**
 * Trust policy of a role GitHub Actions assumes through OIDC: only tokens for STS, of this
 * repository, in this GitHub environment, from this reusable workflow at this ref. The subject is
 * compared exactly (`StringEquals`) unless the ref is the pull request wildcard (`StringLike`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 */
export function buildGitHubOidcTrustPolicy(input: GitHubOidcTrustInput): IamTrustPolicyDocument {
  const parts = assertArn(input.oidcProviderArn, 'oidcProvider', 'oidcProviderArn');
  if (parts.resource !== `oidc-provider/${GITHUB_OIDC_ISSUER}`) {
    throw new PolicyInputError({
      path: 'oidcProviderArn',
      value: input.oidcProviderArn,
      allowed: `the ARN of the account's OIDC provider oidc-provider/${GITHUB_OIDC_ISSUER}`,
    });
  }
  const subject = githubOidcSubject(input);
  const audience = { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE };
  const sub = { [`${GITHUB_OIDC_ISSUER}:sub`]: subject };
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'AssumeFromGitHubWorkflow',
        Effect: 'Allow',
        Principal: { Federated: input.oidcProviderArn },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: subject.includes('*')
          ? { StringEquals: audience, StringLike: sub }
          : { StringEquals: { ...audience, ...sub } },
      },
    ],
  };
}
