import { configKey, defineStackConfig, KEEP_IMAGES_RANGE, PULL_PRINCIPAL_ARN } from '@signet/platform';
import { z } from 'zod';

/** Configuration of `signet-ecr`, per environment in `Pulumi.<env>.yaml`. */
export const ecrConfig = defineStackConfig('signet-ecr', {
  keepTaggedImages: configKey(
    z
      .number()
      .int()
      .min(KEEP_IMAGES_RANGE.min)
      .max(KEEP_IMAGES_RANGE.max)
      .default(100)
      .describe(
        'Newest tagged images kept per repository; signatures and SBOMs are never expired by the lifecycle policy.',
      ),
    `an integer from ${KEEP_IMAGES_RANGE.min} to ${KEEP_IMAGES_RANGE.max}`,
  ),
  extraPullPrincipalArns: configKey(
    z
      .array(z.string().regex(PULL_PRINCIPAL_ARN))
      .default([])
      .describe(
        'Principals outside the account allowed to pull (IAM role or account root ARNs), e.g. a cluster in another account.',
      ),
    'a list of IAM role or account root ARNs, without wildcards',
  ),
});
