import { PolicyInputError } from '../errors.js';
import { assertDnsLabel } from '../kubernetes.js';
import { assertRepositoryUri } from '../registry.js';
import { buildTrustPolicy, VerificationLevel, type TrustPolicyDocument } from './trust-policy.js';

/** Prefix of every per-app trust policy name. */
export const APP_TRUST_POLICY_PREFIX = 'signet-app-';

/**
 * The name of `app`'s trust policy: its one statement in the pipeline's `trustpolicy.json`, the
 * cluster's `TrustPolicy` resource, and the `trustPolicy` the ClusterPolicy sends to the verifier for
 * Pods of the app's namespace. The only place the name is derived.
 */
export function appTrustPolicyName(app: string): string {
  assertDnsLabel(app, 'app');
  return `${APP_TRUST_POLICY_PREFIX}${app}`;
}

/** What one app is trusted with: its repository and the signing profiles of its pipeline. */
export interface AppTrust {
  /** App name (a DNS label). */
  readonly app: string;
  /** The app's ECR repository URL, exactly (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`). */
  readonly repositoryUrl: string;
  /** The app's AWS Signer signing profile ARNs (one per signing identity of the app). */
  readonly signingProfileArns: readonly string[];
}

/**
 * The Notation trust policy of one app: one statement named {@link appTrustPolicyName}, whose scope is
 * exactly the app's repository and whose trusted identities are exactly the app's signing profiles
 * (sorted, so the document does not depend on the order upstream stacks list them), level strict.
 * Both the pipeline's `notation verify` and the cluster's verifier evaluate this document, so a
 * signature by another app's profile, or an image of another app's repository, verifies in neither.
 */
export function appTrustPolicyDocument(trust: AppTrust): TrustPolicyDocument {
  const name = appTrustPolicyName(trust.app);
  assertRepositoryUri(trust.repositoryUrl, `${trust.app}.repositoryUrl`);
  if (trust.signingProfileArns.length === 0) {
    throw new PolicyInputError({
      path: `${trust.app}.signingProfileArns`,
      value: trust.signingProfileArns,
      allowed:
        "at least the app pipeline's signing profile ARN (run `pulumi up` on the signer stack after adding the app)",
    });
  }
  return buildTrustPolicy({
    statements: [
      {
        name,
        registryScopes: [trust.repositoryUrl],
        trustedIdentities: [...trust.signingProfileArns].sort(),
        level: VerificationLevel.Strict,
      },
    ],
  });
}
