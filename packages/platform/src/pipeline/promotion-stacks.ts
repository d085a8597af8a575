/**
 * Which other environments' stacks a promoting environment reads: the one owner of that fact.
 * {@link readPromotionUpstreams} references exactly these, and `signet plan` plans them first, so
 * this module stays free of the Pulumi SDK (the planner loads it in its own process).
 */
import type { ProducingStack } from '../contracts.js';
import { buildEnvironmentOf, promotionSource, type Environment } from '../environment.js';

/** A producing stack of a given environment. */
export interface EnvironmentStack {
  readonly stack: ProducingStack;
  readonly environment: Environment;
}

/** The other environments' stacks a promoting environment's stacks read. */
export interface PromotionUpstreamStacks {
  /** The ecr stack of the environment promoted from: the repositories the Promote stage copies from. */
  readonly sourceRepositories: EnvironmentStack & { readonly stack: 'ecr' };
  /** The signer stack of the environment that builds: the build identity every app's images carry. */
  readonly buildProfiles: EnvironmentStack & { readonly stack: 'signer' };
}

/**
 * The stacks of other environments that a stack of `environment` reading its promotion upstreams
 * references (`<org>/signet-ecr/<promotionSource>` and `<org>/signet-signer/<buildEnvironmentOf>`);
 * undefined where the environment builds its own images and reads no other environment.
 */
export function promotionUpstreamStacks(environment: Environment): PromotionUpstreamStacks | undefined {
  const source = promotionSource(environment);
  if (source === undefined) return undefined;
  return {
    sourceRepositories: { stack: 'ecr', environment: source },
    buildProfiles: { stack: 'signer', environment: buildEnvironmentOf(environment) },
  };
}
