import type { SourceKind } from '@signet/policies';

/** The source of an app's pipeline, as the stack config declares it. */
export type PipelineSource =
  | { readonly kind: typeof SourceKind.CodeCommit; readonly branch: string }
  | {
      readonly kind: typeof SourceKind.CodeConnections;
      /** `arn:aws:codeconnections:…:connection/<id>` (or the older `codestar-connections` form). */
      readonly connectionArn: string;
      /** Full repository id, `owner/name` (GitLab: `group/subgroup/name`). */
      readonly repository: string;
      readonly branch: string;
    }
  /**
   * No source repository (an environment that promotes): the promotion request `promotion/<app>.zip`
   * in the pipeline's artifact bucket, written by `signet promote`.
   */
  | { readonly kind: typeof SourceKind.PromotionRequest };
