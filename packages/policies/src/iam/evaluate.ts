/**
 * An offline evaluator of IAM policies for one request within one account: what the tests of
 * Signet's stage roles and guardrails ask ("may this role make this call on this resource?").
 * It follows the IAM User Guide's evaluation logic for a request within a single account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html):
 *
 * 1. an explicit `Deny` in any policy (SCP, resource policy, boundary, identity) denies;
 * 2. with SCPs given, one of them must allow;
 * 3. with a permissions boundary given, it must allow;
 * 4. an identity policy, or a resource policy naming the principal itself, must allow.
 *
 * Outside its scope, by design: cross-account requests, session policies, RCPs, and the root
 * user; SCPs are taken as one level of the organization (AWS requires an allow at every level).
 * A resource policy that names the principal's account (not the principal) grants nothing by
 * itself, as in AWS: it hands the decision to IAM.
 */
import { PolicyInputError } from '../errors.js';
import {
  arnMatch,
  conditionHolds,
  globMatch,
  substituteVariables,
  type IamRequestContext,
} from './conditions.js';

export { arnMatch, globMatch, type IamContextValue, type IamRequestContext } from './conditions.js';

/** A policy document as IAM reads it: single values or lists, `Not…` forms, optional `Sid`. */
export interface EvaluablePolicy {
  readonly Version?: string;
  readonly Statement: EvaluableStatement | readonly EvaluableStatement[];
}

/** A statement as IAM reads it. */
export interface EvaluableStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: unknown;
}

/** One API call to evaluate. */
export interface IamRequest {
  /** The caller: an IAM role or user ARN (`arn:aws:iam::<account>:role/<name>`). */
  readonly principalArn: string;
  /** `service:Action`, e.g. `signer:SignPayload` (compared case-insensitively, as IAM does). */
  readonly action: string;
  /** The resource ARN, or `*` for an action without a resource type. */
  readonly resource: string;
  /**
   * Condition keys of the request. `aws:PrincipalArn` and `aws:PrincipalAccount` default to the
   * principal's, so a guardrail keyed on them needs nothing here.
   */
  readonly context?: IamRequestContext;
}

/** The policies that apply to a request. */
export interface IamPolicySet {
  /** The principal's identity policies (inline and attached). */
  readonly identity: readonly EvaluablePolicy[];
  /** The principal's permissions boundary, if it has one. */
  readonly permissionsBoundary?: EvaluablePolicy;
  /** Service control policies of the account (one organization level; FullAWSAccess included if attached). */
  readonly serviceControlPolicies?: readonly EvaluablePolicy[];
  /** Policies attached to the requested resource (a statement without `Resource` means that resource). */
  readonly resource?: readonly EvaluablePolicy[];
}

/** The outcome of a request. */
export const IamDecision = {
  Allow: 'allow',
  ExplicitDeny: 'explicit-deny',
  ImplicitDeny: 'implicit-deny',
} as const;
export type IamDecision = (typeof IamDecision)[keyof typeof IamDecision];

/** A decision and the statements (or missing allow) that made it. */
export interface IamEvaluation {
  readonly decision: IamDecision;
  /** One line per reason: `explicit deny: scp[0] statement "DenyStartBuild"`, `no identity policy allows`. */
  readonly reasons: readonly string[];
}

type Kind = 'identity' | 'boundary' | 'scp' | 'resource';

/** What one policy says about a request: the statements that deny and that allow it. */
interface PolicyAnswer {
  readonly denies: readonly string[];
  readonly allows: readonly string[];
  /** Allow statements of a resource policy that name the principal itself. */
  readonly allowsPrincipal: readonly string[];
}

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}

function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => globMatch(pattern, action, true));
}

function resourceMatches(patterns: readonly string[], resource: string, context: IamRequestContext): boolean {
  return patterns.some((pattern) => {
    const resolved = substituteVariables(pattern, context);
    return resolved !== undefined && arnMatch(resolved, resource);
  });
}

function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(arn)?.[2];
}

/**
 * Whether a `Principal` value names the caller: `*`, `{AWS: "*"}`, its ARN, or its account (as
 * an id or root ARN). Returns `principal` for the caller itself, `account` for its account.
 */
function principalMatch(
  value: unknown,
  principalArn: string,
  path: string,
): 'principal' | 'account' | undefined {
  if (value === '*') return 'principal';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyInputError({ path, value, allowed: '"*" or an object such as {"AWS": [ARNs]}' });
  }
  const account = accountOf(principalArn);
  let found: 'principal' | 'account' | undefined;
  for (const [type, names] of Object.entries(value as Record<string, unknown>)) {
    const entries = list(names as string | readonly string[]) ?? [];
    for (const name of entries) {
      if (type === 'AWS' && (name === '*' || name === principalArn)) return 'principal';
      if (
        type === 'AWS' &&
        account !== undefined &&
        (name === account || new RegExp(`^arn:[^:]+:iam::${account}:root$`).test(name))
      )
        found = 'account';
      if (type !== 'AWS' && name === principalArn) return 'principal';
    }
  }
  return found;
}

function answer(policy: EvaluablePolicy, kind: Kind, request: IamRequest, path: string): PolicyAnswer {
  const context: IamRequestContext = {
    'aws:PrincipalArn': request.principalArn,
    ...(accountOf(request.principalArn) === undefined
      ? {}
      : { 'aws:PrincipalAccount': accountOf(request.principalArn) ?? '' }),
    ...request.context,
  };
  const statements = Array.isArray(policy.Statement)
    ? (policy.Statement as readonly EvaluableStatement[])
    : [policy.Statement as EvaluableStatement];
  const denies: string[] = [];
  const allows: string[] = [];
  const allowsPrincipal: string[] = [];
  statements.forEach((statement, i) => {
    const at = `${path}.Statement[${i}]`;
    const name = `${path} statement ${JSON.stringify(statement.Sid ?? String(i))}`;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new PolicyInputError({
        path: `${at}.Effect`,
        value: statement.Effect,
        allowed: '"Allow" or "Deny"',
      });
    }
    const actions = list(statement.Action);
    const notActions = list(statement.NotAction);
    if ((actions === undefined) === (notActions === undefined)) {
      throw new PolicyInputError({
        path: `${at}.Action`,
        value: statement.Action,
        allowed: 'exactly one of Action and NotAction',
      });
    }
    const resources = list(statement.Resource);
    const notResources = list(statement.NotResource);
    if (resources !== undefined && notResources !== undefined) {
      throw new PolicyInputError({
        path: `${at}.Resource`,
        value: statement.Resource,
        allowed: 'at most one of Resource and NotResource',
      });
    }
    if (kind !== 'resource' && resources === undefined && notResources === undefined) {
      throw new PolicyInputError({
        path: `${at}.Resource`,
        value: undefined,
        allowed: 'Resource or NotResource (required outside resource policies)',
      });
    }
    let principal: 'principal' | 'account' | undefined = 'principal';
    if (kind === 'resource') {
      if (statement.Principal !== undefined)
        principal = principalMatch(statement.Principal, request.principalArn, `${at}.Principal`);
      else if (statement.NotPrincipal !== undefined)
        principal =
          principalMatch(statement.NotPrincipal, request.principalArn, `${at}.NotPrincipal`) === undefined
            ? 'principal'
            : undefined;
      else
        throw new PolicyInputError({
          path: `${at}.Principal`,
          value: undefined,
          allowed: 'Principal or NotPrincipal (required in a resource policy)',
        });
    }
    const applies =
      principal !== undefined &&
      (actions !== undefined
        ? actionMatches(actions, request.action)
        : !actionMatches(notActions ?? [], request.action)) &&
      (resources !== undefined
        ? resourceMatches(resources, request.resource, context)
        : notResources !== undefined
          ? !resourceMatches(notResources, request.resource, context)
          : true) &&
      conditionHolds(statement.Condition, context, `${at}.Condition`);
    if (!applies) return;
    if (statement.Effect === 'Deny') denies.push(name);
    else {
      allows.push(name);
      if (principal === 'principal') allowsPrincipal.push(name);
    }
  });
  return { denies, allows, allowsPrincipal };
}

function answers(
  policies: readonly EvaluablePolicy[],
  kind: Kind,
  request: IamRequest,
  label: string,
): PolicyAnswer[] {
  return policies.map((policy, i) => answer(policy, kind, request, `${label}[${i}]`));
}

/**
 * Evaluates one request against the policies that apply to it. Throws {@link PolicyInputError}
 * on a statement IAM would reject or an operator this evaluator does not know, naming its path
 * (`identity[0].Statement[2].Condition.IpAddress.aws:SourceIp`).
 */
export function evaluateIamRequest(policies: IamPolicySet, request: IamRequest): IamEvaluation {
  const identity = answers(policies.identity, 'identity', request, 'identity');
  const boundary =
    policies.permissionsBoundary === undefined
      ? undefined
      : answer(policies.permissionsBoundary, 'boundary', request, 'permissionsBoundary');
  const scps =
    policies.serviceControlPolicies === undefined
      ? undefined
      : answers(policies.serviceControlPolicies, 'scp', request, 'serviceControlPolicies');
  const resource = answers(policies.resource ?? [], 'resource', request, 'resource');
  const all = [...identity, ...(boundary === undefined ? [] : [boundary]), ...(scps ?? []), ...resource];

  const denies = all.flatMap((a) => a.denies);
  if (denies.length > 0) {
    return { decision: IamDecision.ExplicitDeny, reasons: denies.map((d) => `explicit deny: ${d}`) };
  }
  const missing: string[] = [];
  if (scps !== undefined && !scps.some((a) => a.allows.length > 0))
    missing.push('no service control policy allows');
  if (boundary !== undefined && boundary.allows.length === 0)
    missing.push('the permissions boundary does not allow');
  const grants = [...identity.flatMap((a) => a.allows), ...resource.flatMap((a) => a.allowsPrincipal)];
  if (grants.length === 0)
    missing.push('no identity policy, nor a resource policy naming the principal, allows');
  if (missing.length > 0) return { decision: IamDecision.ImplicitDeny, reasons: missing };
  return { decision: IamDecision.Allow, reasons: grants.map((g) => `allowed by ${g}`) };
}

/** Whether the request is allowed: {@link evaluateIamRequest}'s decision is `allow`. */
export function isIamRequestAllowed(policies: IamPolicySet, request: IamRequest): boolean {
  return evaluateIamRequest(policies, request).decision === IamDecision.Allow;
}
