/** IAM policy language version. */
export const IAM_POLICY_VERSION = '2012-10-17';

/** Condition block: operator → key → value(s). */
export type IamCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** A statement of an identity-based policy. */
export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: IamCondition;
}

/** An identity-based IAM policy document. */
export interface IamPolicyDocument {
  readonly Version: typeof IAM_POLICY_VERSION;
  readonly Statement: readonly IamStatement[];
}

/** A statement of a role trust policy. */
export interface IamTrustStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: Readonly<Partial<Record<'Federated' | 'Service' | 'AWS', string>>>;
  readonly Action: readonly string[];
  readonly Condition?: IamCondition;
}

/** A role trust policy (assume-role policy) document. */
export interface IamTrustPolicyDocument {
  readonly Version: typeof IAM_POLICY_VERSION;
  readonly Statement: readonly IamTrustStatement[];
}

/**
 * Actions that AWS does not let a policy scope to a resource: they take `Resource: "*"`.
 * This is the only place a `*` resource is allowed; each entry links the AWS page that says so.
 */
export const RESOURCE_WILDCARD_ACTIONS: Readonly<
  Record<string, { readonly reason: string; readonly doc: string }>
> = {
  'ecr:GetAuthorizationToken': {
    reason: 'The registry login token is account-wide; the action has no resource type.',
    doc: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html',
  },
};

/** Builds a policy document from statements. */
export function policyDocument(statements: readonly IamStatement[]): IamPolicyDocument {
  return { Version: IAM_POLICY_VERSION, Statement: statements };
}
