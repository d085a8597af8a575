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
  /** One action may be written as a string (IAM reads `"sts:AssumeRole"` and `["sts:AssumeRole"]` alike). */
  readonly Action: string | readonly string[];
  readonly Condition?: IamCondition;
}

/** A role trust policy (assume-role policy) document. */
export interface IamTrustPolicyDocument {
  readonly Version: typeof IAM_POLICY_VERSION;
  readonly Statement: readonly IamTrustStatement[];
}

/** A principal of a resource-based policy. */
export type IamPrincipal = Readonly<Partial<Record<'AWS' | 'Service', string | readonly string[]>>>;

/**
 * A statement of a resource-based policy (bucket policy, topic policy, key policy): the resource
 * is the one the policy is attached to, and `Principal` says who the statement is about.
 */
export interface IamResourcePolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: IamPrincipal;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: IamCondition;
}

/** A resource-based policy document. */
export interface IamResourcePolicyDocument {
  readonly Version: typeof IAM_POLICY_VERSION;
  readonly Statement: readonly IamResourcePolicyStatement[];
}

/**
 * A statement of an ECR repository policy: a resource-based statement without `Resource`, since a
 * repository policy governs the one repository it is attached to.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
 */
export type IamRepositoryPolicyStatement = Omit<IamResourcePolicyStatement, 'Resource'>;

/** An ECR repository policy document. */
export interface IamRepositoryPolicyDocument {
  readonly Version: typeof IAM_POLICY_VERSION;
  readonly Statement: readonly IamRepositoryPolicyStatement[];
}

/**
 * One service's use of a KMS key, for a key policy: a statement with the service as principal,
 * `Resource: "*"` (in a key policy, the key itself) and the condition that scopes the use.
 */
export interface KmsKeyServiceGrant {
  readonly sid: string;
  /** Service principal, e.g. `logs.eu-west-1.amazonaws.com`. */
  readonly service: string;
  readonly actions: readonly string[];
  /** Required: a service grant without a condition would let the service use the key for any caller. */
  readonly condition: IamCondition;
}

const EC2_ACTIONS_DOC =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions';
/**
 * The entry of every EC2 Describe action a VPC build makes: the Service Authorization Reference
 * lists no resource type for any of them (only the `ec2:Region` condition key).
 */
const EC2_DESCRIBE = {
  reason:
    'A Describe call reads what the account has in the region; the Service Authorization Reference lists no resource type for it, so only "*" can grant it.',
  doc: EC2_ACTIONS_DOC,
} as const;

/**
 * Actions granted on `Resource: "*"`: only those for which the Service Authorization Reference lists
 * no resource type, so that no policy can scope them to a resource. An action with a resource type
 * is scoped to it instead, even where an AWS example grants it on `*`. This is the only place a `*`
 * resource is allowed; each entry links the catalogue page that says so.
 */
export const RESOURCE_WILDCARD_ACTIONS: Readonly<
  Record<string, { readonly reason: string; readonly doc: string }>
> = {
  'ecr:GetAuthorizationToken': {
    reason:
      'The registry login token is account-wide; the Service Authorization Reference lists no resource type for it, so only "*" can grant it.',
    doc: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html#amazonelasticcontainerregistry-actions-as-permissions',
  },
  'signer:ListSigningJobs': {
    reason:
      'Lists the signing jobs of the account and region (the signing guard finds a job by requester and time); the Service Authorization Reference lists no resource type for it, so only "*" can grant it.',
    doc: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssigner.html#awssigner-actions-as-permissions',
  },
  'ec2:DescribeDhcpOptions': EC2_DESCRIBE,
  'ec2:DescribeNetworkInterfaces': EC2_DESCRIBE,
  'ec2:DescribeSecurityGroups': EC2_DESCRIBE,
  'ec2:DescribeSubnets': EC2_DESCRIBE,
  'ec2:DescribeVpcs': EC2_DESCRIBE,
};

/** Builds a policy document from statements. */
export function policyDocument(statements: readonly IamStatement[]): IamPolicyDocument {
  return { Version: IAM_POLICY_VERSION, Statement: statements };
}

/** Builds a resource-based policy document from statements. */
export function resourcePolicyDocument(
  statements: readonly IamResourcePolicyStatement[],
): IamResourcePolicyDocument {
  return { Version: IAM_POLICY_VERSION, Statement: statements };
}
