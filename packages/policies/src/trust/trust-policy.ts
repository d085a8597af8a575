import { parseSigningProfileArn, type AwsPartition } from '../arn.js';
import { PolicyInputError, quote } from '../errors.js';
import { assertRepositoryUri } from '../registry.js';
import { awsSignerTrustStoreName, TrustStoreType } from './store-names.js';

/**
 * Notary Project signature verification levels
 * (https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details).
 */
export const VerificationLevel = {
  /** Every check enforced, including revocation: a failed revocation call denies. */
  Strict: 'strict',
  /** Integrity and authenticity enforced; timestamp, expiry and revocation only logged. */
  Permissive: 'permissive',
  /** Only integrity enforced when a signature exists; everything else logged. */
  Audit: 'audit',
  /** No verification at all. */
  Skip: 'skip',
} as const;
export type VerificationLevel = (typeof VerificationLevel)[keyof typeof VerificationLevel];

/** The validations a trust policy `override` may name (integrity can never be overridden). */
export const ValidationCheck = {
  Authenticity: 'authenticity',
  AuthenticTimestamp: 'authenticTimestamp',
  Expiry: 'expiry',
  Revocation: 'revocation',
} as const;
export type ValidationCheck = (typeof ValidationCheck)[keyof typeof ValidationCheck];

/** What an override does with a failed validation. */
export const ValidationAction = {
  Enforce: 'enforce',
  Log: 'log',
  Skip: 'skip',
} as const;
export type ValidationAction = (typeof ValidationAction)[keyof typeof ValidationAction];

/** Per check, the actions the Notary specification allows in an override. */
export const ALLOWED_OVERRIDE_ACTIONS: Readonly<Record<ValidationCheck, readonly ValidationAction[]>> = {
  authenticity: ['enforce', 'log'],
  authenticTimestamp: ['enforce', 'log'],
  expiry: ['enforce', 'log'],
  revocation: ['enforce', 'log', 'skip'],
};

/** The global registry scope: applies to every artifact no other statement names. */
export const GLOBAL_SCOPE = '*';

/** The only trust policy document version the Notary specification defines. */
export const TRUST_POLICY_VERSION = '1.0';

/** One statement of the trust policy, as Signet's callers describe it. */
export interface TrustPolicyStatementInput {
  /** Statement name, unique in the document. */
  readonly name: string;
  /**
   * Fully qualified repositories (`<registry>/<repository>`) this statement governs, or `['*']`
   * for every repository no other statement names. A repository may appear in one statement only.
   */
  readonly registryScopes: readonly string[];
  /**
   * AWS Signer signing profile ARNs (trust every version of the profile) or signing profile
   * version ARNs (trust that version only). Required unless `level` is `skip`, where it must be
   * empty. `*` is refused: the AWS Signer plugin rejects it.
   */
  readonly trustedIdentities: readonly string[];
  /** Verification level. Default `strict`. */
  readonly level?: VerificationLevel;
  /** Custom verification level: per check, enforce, log or (revocation only) skip. */
  readonly override?: Readonly<Partial<Record<ValidationCheck, ValidationAction>>>;
}

/** Input of {@link buildTrustPolicy}. */
export interface TrustPolicyInput {
  /** Statements; at least one. */
  readonly statements: readonly TrustPolicyStatementInput[];
}

/** `signatureVerification` of a trust policy statement. */
export interface SignatureVerification {
  readonly level: VerificationLevel;
  readonly override?: Readonly<Partial<Record<ValidationCheck, ValidationAction>>>;
}

/** One statement of a Notation trust policy document (OCI, version 1.0). */
export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly signatureVerification: SignatureVerification;
  /** `<type>:<named store>` references; absent at level `skip`. */
  readonly trustStores?: readonly string[];
  /** Absent at level `skip`. */
  readonly trustedIdentities?: readonly string[];
}

/**
 * The Notation trust policy document, as `notation verify` reads it from
 * `$NOTATION_CONFIG/trustpolicy.json` and as the cluster's `TrustPolicy` resource carries it.
 */
export interface TrustPolicyDocument {
  readonly version: typeof TRUST_POLICY_VERSION;
  readonly trustPolicies: readonly TrustPolicyStatement[];
}

const LEVELS: readonly string[] = Object.values(VerificationLevel);
const CHECKS: readonly string[] = Object.values(ValidationCheck);
const STATEMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function checkLevel(level: string, field: string): VerificationLevel {
  if (!LEVELS.includes(level)) {
    throw new PolicyInputError({
      path: field,
      value: level,
      allowed: `a verification level: one of ${LEVELS.join(', ')}`,
    });
  }
  return level as VerificationLevel;
}

function checkOverride(
  override: Readonly<Record<string, string | undefined>>,
  level: VerificationLevel,
  field: string,
): Partial<Record<ValidationCheck, ValidationAction>> | undefined {
  const entries = Object.entries(override).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  if (entries.length === 0) return undefined;
  if (level === 'skip') {
    throw new PolicyInputError({
      path: field,
      value: override,
      allowed: 'no override with level "skip" (remove the override, or pick strict, permissive or audit)',
    });
  }
  const result: Partial<Record<ValidationCheck, ValidationAction>> = {};
  for (const [check, action] of entries) {
    if (check === 'integrity') {
      throw new PolicyInputError({
        path: `${field}.integrity`,
        value: action,
        allowed: 'nothing: integrity is always enforced and cannot be overridden',
      });
    }
    if (!CHECKS.includes(check)) {
      throw new PolicyInputError({
        path: `${field}.${check}`,
        issue: 'unknown',
        allowed: `a validation that can be overridden: one of ${CHECKS.join(', ')}`,
      });
    }
    const allowed = ALLOWED_OVERRIDE_ACTIONS[check as ValidationCheck];
    if (!(allowed as readonly string[]).includes(action)) {
      throw new PolicyInputError({
        path: `${field}.${check}`,
        value: action,
        allowed: `one of ${allowed.join(', ')}`,
      });
    }
    result[check as ValidationCheck] = action as ValidationAction;
  }
  return result;
}

function checkScopes(scopes: readonly string[], field: string): readonly string[] {
  if (scopes.length === 0) {
    throw new PolicyInputError({
      path: field,
      value: scopes,
      allowed: 'at least one fully qualified repository, or "*" alone',
    });
  }
  if (scopes.includes(GLOBAL_SCOPE)) {
    if (scopes.length > 1) {
      throw new PolicyInputError({
        path: field,
        value: scopes,
        allowed: 'fully qualified repositories, or the global scope "*" as the only value of its statement',
      });
    }
    return scopes;
  }
  const seen = new Set<string>();
  scopes.forEach((scope, i) => {
    assertRepositoryUri(scope, `${field}[${i}]`);
    if (seen.has(scope)) {
      throw new PolicyInputError({
        path: `${field}[${i}]`,
        value: scope,
        allowed: 'a repository not listed before (list each repository once)',
      });
    }
    seen.add(scope);
  });
  return scopes;
}

function checkIdentities(identities: readonly string[], field: string): { partition: AwsPartition } {
  if (identities.length === 0) {
    throw new PolicyInputError({
      path: field,
      value: identities,
      allowed: 'at least one AWS Signer signing profile ARN (only level "skip" has no trusted identities)',
    });
  }
  let partition: AwsPartition | undefined;
  const seen = new Set<string>();
  identities.forEach((identity, i) => {
    const at = `${field}[${i}]`;
    if (identity === '*') {
      throw new PolicyInputError({
        path: at,
        value: identity,
        allowed: 'a signing profile ARN (the AWS Signer plugin rejects wildcard identities)',
      });
    }
    const arn = parseSigningProfileArn(identity, at);
    if (partition !== undefined && arn.partition !== partition) {
      throw new PolicyInputError({
        path: at,
        value: identity,
        allowed: `a signing profile ARN in partition ${quote(partition)}, as the earlier identities (AWS Signer signatures are partition-isolated: use one statement per partition)`,
      });
    }
    partition = arn.partition;
    if (seen.has(identity)) {
      throw new PolicyInputError({
        path: at,
        value: identity,
        allowed: 'an identity not listed before (list each identity once)',
      });
    }
    seen.add(identity);
  });
  // Profile ARN plus one of its versions would overlap: the version adds nothing and hides intent.
  identities.forEach((identity, i) => {
    const arn = parseSigningProfileArn(identity, `${field}[${i}]`);
    if (arn.profileVersion !== undefined && seen.has(arn.profileArn)) {
      throw new PolicyInputError({
        path: `${field}[${i}]`,
        value: identity,
        allowed: `an identity that ${quote(arn.profileArn)}, which already trusts every version, does not cover (keep one of them)`,
      });
    }
  });
  return { partition: partition as AwsPartition };
}

/**
 * Builds the Notation trust policy document (version 1.0) that both `notation verify` in the
 * pipeline and the cluster's verifier evaluate, so the two can never disagree.
 *
 * Validates what the Notary trust policy specification and the AWS Signer plugin require: no
 * `*` identity, signing profile ARNs only, fully qualified scopes or a single global `*`, each
 * scope in one statement only, one global statement at most, `skip` without identities and never
 * global, and overrides limited to the checks and actions the specification allows. The trust
 * store of each statement is the AWS Signer root of its identities' partition.
 */
export function buildTrustPolicy(input: TrustPolicyInput): TrustPolicyDocument {
  if (input.statements.length === 0) {
    throw new PolicyInputError({ path: 'statements', value: [], allowed: 'at least one statement' });
  }
  const names = new Set<string>();
  const scopeOwner = new Map<string, string>();
  const trustPolicies = input.statements.map((statement, i): TrustPolicyStatement => {
    const at = `statements[${i}]`;
    if (!STATEMENT_NAME.test(statement.name)) {
      throw new PolicyInputError({
        path: `${at}.name`,
        value: statement.name,
        allowed: 'a statement name of letters, digits, ".", "_" or "-", starting with a letter or digit',
      });
    }
    if (names.has(statement.name)) {
      throw new PolicyInputError({
        path: `${at}.name`,
        value: statement.name,
        allowed: 'a name no other statement uses',
      });
    }
    names.add(statement.name);

    const level = checkLevel(statement.level ?? VerificationLevel.Strict, `${at}.level`);
    const scopes = checkScopes(statement.registryScopes, `${at}.registryScopes`);
    scopes.forEach((scope, j) => {
      const owner = scopeOwner.get(scope);
      if (owner !== undefined) {
        throw new PolicyInputError({
          path: `${at}.registryScopes[${j}]`,
          value: scope,
          allowed:
            scope === GLOBAL_SCOPE
              ? `a repository: statement ${quote(owner)} already uses the global scope "*", and only one statement may be global`
              : `a repository no other statement governs (statement ${quote(owner)} already does)`,
        });
      }
      scopeOwner.set(scope, statement.name);
    });

    const override = checkOverride(statement.override ?? {}, level, `${at}.override`);
    const signatureVerification: SignatureVerification =
      override === undefined ? { level } : { level, override };

    if (level === VerificationLevel.Skip) {
      if (scopes.includes(GLOBAL_SCOPE)) {
        throw new PolicyInputError({
          path: `${at}.level`,
          value: level,
          allowed: 'a level other than "skip" with the global scope "*" (name the repositories to skip)',
        });
      }
      if (statement.trustedIdentities.length > 0) {
        throw new PolicyInputError({
          path: `${at}.trustedIdentities`,
          value: statement.trustedIdentities,
          allowed: 'no trusted identities with level "skip" (a skipped statement verifies nothing)',
        });
      }
      return { name: statement.name, registryScopes: [...scopes], signatureVerification };
    }

    const { partition } = checkIdentities(statement.trustedIdentities, `${at}.trustedIdentities`);
    return {
      name: statement.name,
      registryScopes: [...scopes],
      signatureVerification,
      trustStores: [`${TrustStoreType.SigningAuthority}:${awsSignerTrustStoreName(partition)}`],
      trustedIdentities: [...statement.trustedIdentities],
    };
  });
  return { version: TRUST_POLICY_VERSION, trustPolicies };
}

/**
 * Every signing profile ARN the document trusts, each once, in order of appearance. Build the
 * verifier's and the pipeline's revocation permissions from this list so IAM keeps pace with the
 * trust policy (under `strict`, a revocation call IAM denies is an admission denied).
 */
export function trustedSigningProfiles(document: TrustPolicyDocument): string[] {
  return [...new Set(document.trustPolicies.flatMap((statement) => statement.trustedIdentities ?? []))];
}

/** The trust policy document as the JSON file `notation verify` reads (2-space indent, final newline). */
export function renderTrustPolicyJson(document: TrustPolicyDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
