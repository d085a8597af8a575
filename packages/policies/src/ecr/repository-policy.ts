import { PolicyInputError } from '../errors.js';
import { IAM_POLICY_VERSION, type IamRepositoryPolicyDocument } from '../iam/document.js';
import { assertExemptPrincipals, ROLE_ARN } from '../iam/principal.js';
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

/** What pushes an image or a referrer (a signature, an SBOM) into a repository. */
export const ECR_PUSH_ACTIONS = [
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/**
 * What deletes images or changes how the repository keeps them and who may use it: what
 * `pulumi up` of the ecr stack and `signet decommission` do, and no pipeline stage.
 */
export const ECR_ADMINISTRATION_ACTIONS = [
  'ecr:BatchDeleteImage',
  'ecr:DeleteLifecyclePolicy',
  'ecr:DeleteRepository',
  'ecr:DeleteRepositoryPolicy',
  'ecr:PutImageScanningConfiguration',
  'ecr:PutImageTagMutability',
  'ecr:PutLifecyclePolicy',
  'ecr:SetRepositoryPolicy',
] as const;

/** Input of {@link buildRepositoryPolicy}. */
export interface RepositoryPolicyInput extends AccountScope {
  /** Additional principals (IAM role or account root ARNs) allowed to pull, e.g. another account's nodes. Default none. */
  readonly extraPullPrincipalArns?: readonly string[];
  /**
   * The roles that alone may push (role ARNs without a path): the pipeline roles whose stage
   * writes the image or its signature (`repositoryWriterRoleNames` of @signet/platform).
   */
  readonly writerRoleArns: readonly string[];
  /**
   * The principals that alone may delete images and change the repository's settings and
   * policy: the deployer role and the identity running `pulumi up` (role ARNs, `*\/` for any path,
   * user or root ARNs), so a deployment never locks itself out of its own repository.
   */
  readonly administratorPrincipalArns: readonly string[];
  /**
   * Roles of other accounts that may pull, and nothing else: the Promote roles of the environments
   * that promote from this one, where those live in another account (role ARNs without a path). They
   * are allowed through their account's root with `aws:PrincipalArn` pinned to the role, so the
   * policy can be set before the role exists (a resource policy naming a role that does not exist
   * is refused). Default none.
   */
  readonly promotionReaderRoleArns?: readonly string[];
}

/** A principal a repository policy may let pull: an IAM role ARN or an account root ARN, without wildcards. */
export const PULL_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+)$/;

/**
 * The repository policy of an app repository: pull for principals of the owning account (IAM
 * policies still decide which ones) and for explicitly listed principals; never `*` in an Allow.
 * Push is granted by no statement here (the writer roles get it from their own IAM policies), and
 * two Deny statements bind every principal of every account, the repository's own included (an
 * explicit Deny in a resource policy overrides any Allow:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * push by anyone but the writer roles, deletes and setting or policy changes by anyone but the
 * administrators. Both compare `aws:PrincipalArn`, the role ARN of a role session. A repository
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
  input.writerRoleArns.forEach((arn, index) => {
    if (!ROLE_ARN.test(arn)) {
      throw new PolicyInputError({
        path: `writerRoleArns[${index}]`,
        value: arn,
        allowed: 'an IAM role ARN without a path or wildcards (a pipeline stage role)',
      });
    }
  });
  if (input.writerRoleArns.length === 0) {
    throw new PolicyInputError({
      path: 'writerRoleArns',
      issue: 'missing',
      allowed: 'at least one role ARN: the repository would accept no image',
    });
  }
  assertExemptPrincipals(input.administratorPrincipalArns, 'administratorPrincipalArns');
  const readers = [...new Set(input.promotionReaderRoleArns ?? [])];
  readers.forEach((arn, index) => {
    if (!ROLE_ARN.test(arn)) {
      throw new PolicyInputError({
        path: `promotionReaderRoleArns[${index}]`,
        value: arn,
        allowed: 'an IAM role ARN without a path or wildcards (a Promote stage role of another environment)',
      });
    }
  });
  const readerAccounts = [...new Set(readers.map((arn) => `${arn.slice(0, arn.indexOf(':role/'))}:root`))];
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
      ...(readers.length === 0
        ? []
        : [
            {
              // Pull only: the manifests and blobs of the image and of its referrers (the OCI
              // referrers API and ListImageReferrers are authorised by ecr:BatchGetImage:
              // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImageReferrers.html).
              // The Deny statements below still bind these roles: no push, no change.
              Sid: 'PullByPromotingEnvironments',
              Effect: 'Allow' as const,
              Principal: {
                AWS: readerAccounts.length === 1 ? (readerAccounts[0] as string) : readerAccounts,
              },
              Action: [...ECR_PULL_ACTIONS],
              Condition: { ArnEquals: { 'aws:PrincipalArn': readers } },
            },
          ]),
      {
        Sid: 'DenyPushButWriters',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [...ECR_PUSH_ACTIONS],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [...new Set(input.writerRoleArns)] } },
      },
      {
        Sid: 'DenyChangesButAdministrators',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [...ECR_ADMINISTRATION_ACTIONS],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [...new Set(input.administratorPrincipalArns)] } },
      },
    ],
  };
  // `*` stands in the Deny statements only: they take away from everyone but the named principals.
  assertNoWildcardPrincipals(
    { Statement: document.Statement.filter((statement) => statement.Effect === 'Allow') },
    'ECR repository policy',
  );
  return document;
}
