import {
  accountRootArn,
  assertAccountScope,
  assertScopedPrincipals,
  type AccountScope,
  type PolicyDocument,
  type ResourcePolicyStatement,
} from '../iam.js';

/** Actions needed to pull an image and its referrers (signatures, SBOMs). */
export const PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
] as const;

/** Inputs of {@link buildRepositoryPolicy}. */
export interface RepositoryPolicyInput extends AccountScope {
  /** Additional principals (IAM role or account root ARNs) allowed to pull, e.g. another account's nodes. Default none. */
  readonly extraPullPrincipalArns?: readonly string[];
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+)$/;

/**
 * The repository policy of an app repository: pull for principals of the owning account (IAM
 * policies still decide which ones) and for explicitly listed principals; never `*`. Push is not
 * granted here: only the pipeline's build role gets it, through its own IAM policy.
 */
export function buildRepositoryPolicy(input: RepositoryPolicyInput): PolicyDocument<ResourcePolicyStatement> {
  assertAccountScope(input);
  const extra = input.extraPullPrincipalArns ?? [];
  for (const arn of extra) {
    if (!PRINCIPAL_ARN.test(arn)) {
      throw new Error(
        `pull principal "${arn}" is invalid; allowed: an IAM role ARN or an account root ARN, without wildcards`,
      );
    }
  }
  const document: PolicyDocument<ResourcePolicyStatement> = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PullByThisAccount',
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(input) },
        Action: [...PULL_ACTIONS],
      },
      ...(extra.length === 0
        ? []
        : [
            {
              Sid: 'PullByListedPrincipals',
              Effect: 'Allow' as const,
              Principal: { AWS: [...extra] },
              Action: [...PULL_ACTIONS],
            },
          ]),
    ],
  };
  assertScopedPrincipals(document, 'ECR repository policy');
  return document;
}
