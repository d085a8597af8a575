import type { StackContext } from './config.js';

/** The tags every Signet resource carries (set once as the AWS provider's `defaultTags`). */
export interface SignetTags {
  readonly project: 'signet';
  readonly environment: string;
  readonly stack: string;
  readonly 'managed-by': 'pulumi';
  readonly [key: string]: string;
}

/** Builds the default tags of a stack from its context. */
export function buildDefaultTags(context: Pick<StackContext, 'project' | 'environment'>): SignetTags {
  return {
    project: 'signet',
    environment: context.environment,
    stack: context.project,
    'managed-by': 'pulumi',
  };
}
