// The environments and their traits have one owner, @signet/core; platform code and the stacks read
// them through these names.
export {
  buildEnvironmentOf,
  buildsImages,
  describeTrait,
  ENVIRONMENT_DEFINITIONS,
  ENVIRONMENTS,
  environmentsWhere,
  environmentTraits,
  HIGHLY_AVAILABLE_VERIFIER_REPLICAS,
  isEnvironment,
  listEnvironments,
  promotionSource,
  promotionTargets,
  type Environment,
  type EnvironmentDefinition,
  type EnvironmentTraits,
} from '@signet/core';
