import { PolicyInputError } from '../errors.js';
import { IAM_POLICY_VERSION, type IamRepositoryPolicyDocument } from '../iam/document.js';
import {
  accountRootArn,
  assertAccountScope,
  assertNoWildcardPrincipals,
  type AccountScope,
} from '../iam/scope.js';

/** Actions needed to pull an image and its referrers (signatures, SBOMs). */
export const ECR_PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
] as const;

/** Input of {@link buildRepositoryPolicy}. */
export interface RepositoryPolicyInput extends AccountScope {
  /** Additional principals (IAM role or account root ARNs) allowed to pull, e.g. another account's nodes. Default none. */
  readonly extraPullPrincipalArns?: readonly string[];
}

/** A principal a repository policy may let pull: an IAM role ARN or an account root ARN, without wildcards. */
export const PULL_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+)$/;

/**
 * The repository policy of an app repository: pull for principals of the owning account (IAM
 * policies still decide which ones) and for explicitly listed principals; never `*`. Push is not
 * granted here: only the pipeline's build role gets it, through its own IAM policy. A repository
 * policy governs the repository it is attached to and names no resource.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
 */
export function buildRepositoryPolicy(input: RepositoryPolicyInput): IamRepositoryPolicyDocument {
  assertAccountScope(input);
  const extra = input.extraPullPrincipalArns ?? [];
  extra.forEach((arn, index) => {
    if (!PULL_PRINCIPAL_ARN.test(arn)) {
      throw new PolicyInputError({
        path: `extraPullPrincipalArns[${index}]`,
        value: arn,
        allowed: 'an IAM role ARN or an account root ARN, without wildcards',
      });
    }
  });
  const document: IamRepositoryPolicyDocument = {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'PullByThisAccount',
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(input) },
        Action: [...ECR_PULL_ACTIONS],
      },
      ...(extra.length === 0
        ? []
        : [
            {
              Sid: 'PullByListedPrincipals',
              Effect: 'Allow' as const,
              Principal: { AWS: [...extra] },
              Action: [...ECR_PULL_ACTIONS],
            },
          ]),
    ],
  };
  assertNoWildcardPrincipals(document, 'ECR repository policy');
  return document;
}
