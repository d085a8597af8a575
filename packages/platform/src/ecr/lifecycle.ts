/** One rule of an ECR lifecycle policy. */
export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description: string;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPatternList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

/** An ECR lifecycle policy document. */
export interface LifecyclePolicy {
  readonly rules: readonly LifecycleRule[];
}

/** Bounds of the number of tagged images kept per repository. */
export const KEEP_IMAGES_RANGE = { min: 1, max: 10000 } as const;

/** Inputs of {@link buildLifecyclePolicy}. */
export interface LifecyclePolicyInput {
  /** How many tagged images (the newest by push time) to keep. */
  readonly keepTaggedImages: number;
}

/**
 * The lifecycle policy of an app repository: keep the newest `keepTaggedImages` tagged images,
 * and select nothing else.
 *
 * Why only a `tagged` rule: ECR stores notation signatures and SBOMs pushed through the OCI 1.1
 * referrers API as untagged artifacts whose `subject` is the image, and multi-arch index children
 * are untagged too. Lifecycle rules count such artifacts as images (see
 * https://github.com/aws/containers-roadmap/issues/2613), so any `untagged` or `any` rule could
 * expire the signature of an image that is kept, and admission would then refuse that image. With
 * every rule `tagStatus: tagged`, referrers are never selected, so no signature or SBOM of a kept
 * image can be expired. Referrers left by an expired image are cleaned up outside the lifecycle
 * policy (`oras manifest delete`, https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-artifact-delete.html);
 * rule semantics: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules.
 */
export function buildLifecyclePolicy(input: LifecyclePolicyInput): LifecyclePolicy {
  const { keepTaggedImages } = input;
  if (
    !Number.isInteger(keepTaggedImages) ||
    keepTaggedImages < KEEP_IMAGES_RANGE.min ||
    keepTaggedImages > KEEP_IMAGES_RANGE.max
  ) {
    throw new Error(
      `keepTaggedImages has value ${keepTaggedImages}; allowed: an integer from ${KEEP_IMAGES_RANGE.min} to ${KEEP_IMAGES_RANGE.max}`,
    );
  }
  const policy: LifecyclePolicy = {
    rules: [
      {
        rulePriority: 1,
        description: `Keep the ${keepTaggedImages} newest tagged images; signatures and SBOMs (untagged referrers) are never selected`,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: ['*'],
          countType: 'imageCountMoreThan',
          countNumber: keepTaggedImages,
        },
        action: { type: 'expire' },
      },
    ],
  };
  assertKeepsReferrers(policy);
  return policy;
}

/**
 * Throws when a lifecycle policy could select untagged artifacts (signatures, SBOMs, index
 * children). Every lifecycle policy Signet writes passes through this check.
 */
export function assertKeepsReferrers(policy: LifecyclePolicy): void {
  for (const rule of policy.rules) {
    if (rule.selection.tagStatus !== 'tagged') {
      throw new Error(
        `lifecycle rule ${rule.rulePriority} selects tagStatus "${rule.selection.tagStatus}"; allowed: "tagged" only, so signatures and SBOMs (untagged referrers) are never expired`,
      );
    }
  }
}
