import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { StackContext } from './config.js';
import { buildDefaultTags } from './tags.js';

/**
 * The stack's region: the one place that reads it is {@link loadStackConfig} (`aws:region`); this
 * helper returns it so components never read config themselves.
 */
export function regionOf(context: Pick<StackContext, 'region'>): string {
  return context.region;
}

/**
 * The explicit AWS provider every resource of a stack uses: region from config, Signet's tags as
 * `defaultTags`. An explicit provider means no ambient default provider or `aws:*` key can change
 * where or how resources are created.
 */
export function createAwsProvider(context: StackContext, opts?: pulumi.CustomResourceOptions): aws.Provider {
  return new aws.Provider(
    'aws',
    { region: regionOf(context) as aws.Region, defaultTags: { tags: { ...buildDefaultTags(context) } } },
    opts,
  );
}
