import { isEnvironment, pluginMirrorBucketName } from '@signet/core';
import type { PluginMirrorOutput } from '../contracts.js';

/**
 * The signer stack's `pluginMirror` output as a real deployment would export it, for the stack
 * references of tests whose program reads the signer stack (its name from @signet/core, a key ARN
 * of the account and region).
 */
export function pluginMirrorOutputFixture(
  environment: string,
  accountId: string,
  region: string,
): PluginMirrorOutput {
  if (!isEnvironment(environment)) throw new Error(`no environment "${environment}"`);
  const bucketName = pluginMirrorBucketName(environment, accountId, region);
  return {
    bucketName,
    bucketArn: `arn:aws:s3:::${bucketName}`,
    kmsKeyArn: `arn:aws:kms:${region}:${accountId}:key/11111111-2222-3333-4444-555555555555`,
  };
}
