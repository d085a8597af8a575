import { PolicyInputError } from '../errors.js';
import { assertDnsLabel } from '../kubernetes.js';
import { assertRepositoryUri } from '../registry.js';
import { buildTrustPolicy, VerificationLevel, type TrustPolicyDocument } from './trust-policy.js';

/** Prefix of every per-app trust policy name. */
export const APP_TRUST_POLICY_PREFIX = 'signet-app-';

/**
 * The signatures an image carries, each by its own identity and checked under its own trust policy:
 * the build signature (the building environment's `pipeline` identity, right after Build) and, in
 * an environment with `releaseSignature`, that environment's release signature (its `release`
 * identity, after its gate).
 */
export const SignatureKind = { Build: 'build', Release: 'release' } as const;
export type SignatureKind = (typeof SignatureKind)[keyof typeof SignatureKind];

/**
 * The name of `app`'s trust policy for one kind of signature: its one statement in the pipeline's
 * `trustpolicy.json`, the cluster's `TrustPolicy` resource, and the `trustPolicy` the ClusterPolicy
 * sends to the verifier for Pods of the app's namespace. The build policy keeps the plain name
 * (`signet-app-<app>`), the release policy adds `-release`. The only place the names are derived.
 */
export function appTrustPolicyName(app: string, kind: SignatureKind = SignatureKind.Build): string {
  assertDnsLabel(app, 'app');
  return kind === SignatureKind.Build
    ? `${APP_TRUST_POLICY_PREFIX}${app}`
    : `${APP_TRUST_POLICY_PREFIX}${app}-${kind}`;
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

/** Options of {@link appTrustPolicyDocument}. */
export interface AppTrustPolicyOptions {
  /**
   * Repositories the statement covers besides the app's own: only the Promote stage's copy of the
   * build policy, which verifies the digest in the repository it is promoted from before copying.
   * The cluster's policies never take any.
   */
  readonly additionalScopes?: readonly string[];
}

/** What an app is trusted with where it runs: its repository and the identities of each signature. */
export interface AppSignatureTrust {
  readonly app: string;
  /** The app's repository in this environment. */
  readonly repositoryUrl: string;
  /** The profile(s) that make the build signature: the building environment's `pipeline` identity. */
  readonly buildProfileArns: readonly string[];
  /**
   * This environment's `release` profile(s), where its admission requires a release signature;
   * undefined where it does not (the building environment).
   */
  readonly releaseProfileArns?: readonly string[];
}

/** One trust policy an app's images must pass: its kind, name and document. */
export interface AppTrustPolicy {
  readonly kind: SignatureKind;
  readonly name: string;
  readonly document: TrustPolicyDocument;
}

/**
 * Every trust policy an image of the app must pass in an environment, in order: the build policy,
 * then (where required) the release policy. Each names exactly its own identities, so a build
 * signature never satisfies the release policy, nor the other way round, and the release signature
 * of another environment satisfies neither.
 */
export function appTrustPolicies(trust: AppSignatureTrust): AppTrustPolicy[] {
  const of = (kind: SignatureKind, signingProfileArns: readonly string[]): AppTrustPolicy => ({
    kind,
    name: appTrustPolicyName(trust.app, kind),
    document: appTrustPolicyDocument(
      { app: trust.app, repositoryUrl: trust.repositoryUrl, signingProfileArns },
      kind,
    ),
  });
  return [
    of(SignatureKind.Build, trust.buildProfileArns),
    ...(trust.releaseProfileArns === undefined ? [] : [of(SignatureKind.Release, trust.releaseProfileArns)]),
  ];
}

/**
 * The Notation trust policy of one app: one statement named {@link appTrustPolicyName}, whose scope is
 * exactly the app's repository and whose trusted identities are exactly the app's signing profiles
 * (sorted, so the document does not depend on the order upstream stacks list them), level strict.
 * Both the pipeline's `notation verify` and the cluster's verifier evaluate this document, so a
 * signature by another app's profile, or an image of another app's repository, verifies in neither.
 */
export function appTrustPolicyDocument(
  trust: AppTrust,
  kind: SignatureKind = SignatureKind.Build,
  options: AppTrustPolicyOptions = {},
): TrustPolicyDocument {
  const name = appTrustPolicyName(trust.app, kind);
  assertRepositoryUri(trust.repositoryUrl, `${trust.app}.repositoryUrl`);
  const extra = options.additionalScopes ?? [];
  extra.forEach((scope, i) => assertRepositoryUri(scope, `${trust.app}.additionalScopes[${i}]`));
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
        registryScopes: [trust.repositoryUrl, ...extra.filter((scope) => scope !== trust.repositoryUrl)],
        trustedIdentities: [...trust.signingProfileArns].sort(),
        level: VerificationLevel.Strict,
      },
    ],
  });
}
