import { buildTrustPolicy, renderTrustPolicyJson, VerificationLevel } from '@signet/policies';

/** Statement name of the trust policy; the same as the cluster's TrustPolicy resource. */
export const TRUST_POLICY_STATEMENT = 'signet-apps';

/**
 * The notation trust policy the ApplicationSigning stage verifies with: built by
 * `buildTrustPolicy` from the same inputs the eks stack gives the cluster (every repository URL
 * of the environment, every trusted signing profile, level strict), so a signature the pipeline
 * accepts is one the cluster admits.
 */
export function pipelineTrustPolicyJson(
  repositoryUrls: readonly string[],
  trustedIdentities: readonly string[],
): string {
  return renderTrustPolicyJson(
    buildTrustPolicy({
      statements: [
        {
          name: TRUST_POLICY_STATEMENT,
          registryScopes: [...repositoryUrls].sort(),
          trustedIdentities: [...trustedIdentities].sort(),
          level: VerificationLevel.Strict,
        },
      ],
    }),
  );
}

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
