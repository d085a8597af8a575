import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { ACCOUNTS_FILE } from '@signet/core';
import type { StackContext } from './config.js';
import { buildDefaultTags } from './tags.js';

/**
 * The stack's region: the one place that reads it is {@link loadStackConfig} (`aws:region`); this
 * helper returns it so components never read config themselves.
 */
export function regionOf(context: Pick<StackContext, 'region'>): string {
  return context.region;
}

/** Thrown when a stack runs with credentials of another account than its environment names. */
export class StackAccountError extends Error {
  constructor(
    readonly context: Pick<StackContext, 'project' | 'environment' | 'file'>,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${context.project} (${context.file}): environment "${context.environment}" runs in AWS account ` +
        `${expected} (${ACCOUNTS_FILE}), but the credentials are for account ${actual}; ` +
        `use credentials of ${expected}, or correct "${context.environment}" in ${ACCOUNTS_FILE}`,
    );
    this.name = 'StackAccountError';
  }
}

/** Throws {@link StackAccountError} unless `actual` is the account the environment names (if it names one). */
export function assertStackAccount(
  context: Pick<StackContext, 'project' | 'environment' | 'file' | 'account'>,
  actual: string,
): void {
  if (context.account !== undefined && actual !== context.account) {
    throw new StackAccountError(context, context.account, actual);
  }
}

/**
 * The explicit AWS provider every resource of a stack uses: region from config, Signet's tags as
 * `defaultTags`. An explicit provider means no ambient default provider or `aws:*` key can change
 * where or how resources are created.
 *
 * Where the environment names its account (`accounts.json`), the provider accepts only that one:
 * `allowedAccountIds`, which the AWS provider checks against the credentials' account when it is
 * configured, before any resource is read or changed (terraform-provider-aws
 * `internal/conns/config.go`, `VerifyAccountIDAllowed`: "AWS account ID not allowed: <id>").
 * The stack also asks who it runs as (`sts:GetCallerIdentity`, through this provider) and fails
 * with {@link StackAccountError}, which names the environment, the expected and the actual account;
 * under `signet plan` that check is the one that answers, since the mock runtime has no provider.
 */
export function createAwsProvider(context: StackContext, opts?: pulumi.CustomResourceOptions): aws.Provider {
  const provider = new aws.Provider(
    'aws',
    {
      region: regionOf(context) as aws.Region,
      defaultTags: { tags: { ...buildDefaultTags(context) } },
      ...(context.account === undefined ? {} : { allowedAccountIds: [context.account] }),
    },
    opts,
  );
  if (context.account !== undefined) {
    // Nothing consumes this output: a mismatch is an unhandled rejection, which fails the program
    // (under `pulumi up` and under `signet plan` alike).
    aws
      .getCallerIdentityOutput({}, { provider })
      .accountId.apply((actual) => assertStackAccount(context, actual));
  }
  return provider;
}
