import { appTrustPolicyDocument, renderTrustPolicyJson, type AppTrust } from '@signet/policies';
import type { RepositoryOutput, SigningProfileOutput } from '../contracts.js';

/**
 * An app's entry in an upstream stack's per-app output. A missing entry means the upstream stack
 * has not been updated since the app was added; the message says which one to update.
 */
export function requireAppEntry<T>(record: Readonly<Record<string, T>>, app: string, what: string): T {
  const value = record[app];
  if (value === undefined) {
    throw new Error(`${what} has no entry for app "${app}": run \`pulumi up\` on that stack first`);
  }
  return value;
}

/**
 * What `app` is trusted with, from the ecr stack's `repositories` and the signer stack's `profiles`:
 * its repository URL and the profile ARN of every signing identity of the app. The one reading of
 * those outputs that both the cluster's trust policy and the pipeline's `notation verify` use.
 */
export function appTrustFromUpstream(
  app: string,
  repositories: Readonly<Record<string, RepositoryOutput>>,
  profiles: Readonly<Record<string, Readonly<Record<string, SigningProfileOutput>>>>,
): AppTrust {
  const repository = requireAppEntry(repositories, app, 'signet-ecr repositories');
  const identities = requireAppEntry(profiles, app, 'signet-signer profiles');
  return {
    app,
    repositoryUrl: repository.url,
    signingProfileArns: Object.values(identities).map((profile) => profile.arn),
  };
}

/**
 * The notation trust policy the ApplicationSigning stage verifies with: the app's own policy from
 * `appTrustPolicyDocument`, the document the cluster's TrustPolicy for the app carries, so a
 * signature the pipeline accepts is one the cluster admits in the app's namespace, and no other.
 */
export function pipelineTrustPolicyJson(trust: AppTrust): string {
  return renderTrustPolicyJson(appTrustPolicyDocument(trust));
}
