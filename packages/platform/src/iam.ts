import type { IamCondition, IamPrincipal, IamStatement } from '@signet/policies';

/** Condition block of a policy statement: operator → key → value(s). */
export type PolicyCondition = IamCondition;

/** A principal of a resource-based or trust policy. `*` is never accepted (see {@link assertScopedPrincipals}). */
export type PolicyPrincipal = IamPrincipal;

/** A statement of a resource-based policy (key policy, repository policy, trust policy). */
export interface ResourcePolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: PolicyPrincipal;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: PolicyCondition;
}

/** A statement of an identity-based policy: the `@signet/policies` statement. */
export type IdentityPolicyStatement = IamStatement;

/** A policy document. */
export interface PolicyDocument<S> {
  readonly Version: '2012-10-17';
  readonly Statement: readonly S[];
}

/** Throws when any statement names `*` (or an account wildcard) as principal. */
export function assertScopedPrincipals(
  document: PolicyDocument<ResourcePolicyStatement>,
  what: string,
): void {
  for (const statement of document.Statement) {
    for (const [kind, value] of Object.entries(statement.Principal)) {
      const principals: readonly string[] = typeof value === 'string' ? [value] : (value ?? []);
      for (const principal of principals) {
        if (principal.includes('*')) {
          throw new Error(
            `${what}: statement "${statement.Sid}" has principal ${kind} "${principal}"; allowed: no wildcard principals`,
          );
        }
      }
    }
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const PARTITION = /^aws(-[a-z]+)*$/;

/** The account and partition a policy is written for. */
export interface AccountScope {
  readonly accountId: string;
  readonly partition: string;
}

/** Validates an account scope; policy builders call it first. */
export function assertAccountScope(scope: AccountScope): void {
  if (!ACCOUNT_ID.test(scope.accountId)) {
    throw new Error(`account id "${scope.accountId}" is invalid; allowed: 12 digits`);
  }
  if (!PARTITION.test(scope.partition)) {
    throw new Error(`partition "${scope.partition}" is invalid; allowed: aws, aws-cn, aws-us-gov, …`);
  }
}

/** The ARN that stands for "principals of this account that IAM allows". */
export function accountRootArn(scope: AccountScope): string {
  return `arn:${scope.partition}:iam::${scope.accountId}:root`;
}
