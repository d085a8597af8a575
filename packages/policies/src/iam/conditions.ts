/**
 * The `Condition` element of IAM policies, evaluated against a request context, for the offline
 * evaluator of {@link ./evaluate.ts}. Semantics from the IAM User Guide:
 * - operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - several operators, several keys: all must hold (AND); several values of one key: any may match (OR);
 *   a negated operator holds when the request value matches none of them
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html)
 * - a key absent from the request: the condition is false, except for negated operators (true),
 *   `…IfExists` (true) and `Null`, which tests for presence;
 * - `ForAnyValue:`/`ForAllValues:` over multivalued keys: an absent key makes `ForAllValues` true and
 *   `ForAnyValue` false (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 *
 * An operator this evaluator does not know (IpAddress, Binary…) is an error, never a silent false.
 */
import { PolicyInputError } from '../errors.js';

/** A value of the request context: one string, a boolean, a number, or several strings. */
export type IamContextValue = string | boolean | number | readonly string[];

/** The request context: condition key → value. Keys are compared case-insensitively, as IAM does. */
export type IamRequestContext = Readonly<Record<string, IamContextValue>>;

type Matcher = (policyValue: string, requestValue: string) => boolean;

/** Glob match with `*` (any run) and `?` (one character), as IAM's `…Like` operators and wildcards. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'si' : 's').test(value);
}

/**
 * ARN match: the six colon-separated parts (`arn:partition:service:region:account:resource`) are
 * compared one by one, each with wildcards; the resource part keeps its own colons. `*` alone
 * matches everything.
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (value: string): string[] | undefined => {
    const parts = value.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const patternParts = split(pattern);
  const arnParts = split(arn);
  if (patternParts === undefined || arnParts === undefined) return globMatch(pattern, arn);
  return patternParts.every((part, i) => globMatch(part, arnParts[i] ?? ''));
}

const numeric =
  (test: (policy: number, request: number) => boolean): Matcher =>
  (policyValue, requestValue) => {
    const p = Number(policyValue);
    const r = Number(requestValue);
    return Number.isFinite(p) && Number.isFinite(r) && test(p, r);
  };

const date =
  (test: (policy: number, request: number) => boolean): Matcher =>
  (policyValue, requestValue) => {
    const p = Date.parse(policyValue);
    const r = Date.parse(requestValue);
    return !Number.isNaN(p) && !Number.isNaN(r) && test(p, r);
  };

/** Each known operator: its positive matcher, and whether the operator is its negation. */
const OPERATORS: Readonly<Record<string, { readonly match: Matcher; readonly negated: boolean }>> = {
  StringEquals: { match: (p, r) => p === r, negated: false },
  StringNotEquals: { match: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { match: (p, r) => globMatch(p, r), negated: false },
  StringNotLike: { match: (p, r) => globMatch(p, r), negated: true },
  // ArnEquals and ArnLike behave alike: both take wildcards in each part.
  ArnEquals: { match: arnMatch, negated: false },
  ArnLike: { match: arnMatch, negated: false },
  ArnNotEquals: { match: arnMatch, negated: true },
  ArnNotLike: { match: arnMatch, negated: true },
  Bool: { match: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  NumericEquals: { match: numeric((p, r) => r === p), negated: false },
  NumericNotEquals: { match: numeric((p, r) => r === p), negated: true },
  NumericLessThan: { match: numeric((p, r) => r < p), negated: false },
  NumericLessThanEquals: { match: numeric((p, r) => r <= p), negated: false },
  NumericGreaterThan: { match: numeric((p, r) => r > p), negated: false },
  NumericGreaterThanEquals: { match: numeric((p, r) => r >= p), negated: false },
  DateEquals: { match: date((p, r) => r === p), negated: false },
  DateNotEquals: { match: date((p, r) => r === p), negated: true },
  DateLessThan: { match: date((p, r) => r < p), negated: false },
  DateLessThanEquals: { match: date((p, r) => r <= p), negated: false },
  DateGreaterThan: { match: date((p, r) => r > p), negated: false },
  DateGreaterThanEquals: { match: date((p, r) => r >= p), negated: false },
};

/** Operators whose values may hold policy variables (`${aws:username}`). */
const VARIABLE_OPERATORS = /^(String|Arn)/;

/** The request value of `key`, as strings; `undefined` when the key is absent. */
export function contextValues(context: IamRequestContext, key: string): readonly string[] | undefined {
  const lower = key.toLowerCase();
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === lower);
  if (found === undefined) return undefined;
  const value = found[1];
  return Array.isArray(value) ? value : [String(value)];
}

/**
 * Replaces the policy variables of `text` with their request values: `${key}` (or `${key, 'default'}`),
 * and `${*}`, `${?}`, `${$}` for the literal characters. Returns `undefined` when a variable has no
 * value and no default: the element then matches nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export function substituteVariables(text: string, context: IamRequestContext): string | undefined {
  let missing = false;
  const result = text.replace(/\$\{([^}]*)\}/g, (_, body: string) => {
    if (body === '*' || body === '?' || body === '$') return body;
    const [key = '', fallback] = body.split(',').map((part) => part.trim());
    const values = contextValues(context, key);
    if (values?.length === 1) return values[0] ?? '';
    if (fallback !== undefined && /^'.*'$/.test(fallback)) return fallback.slice(1, -1);
    missing = true;
    return '';
  });
  return missing ? undefined : result;
}

function asArray(value: unknown, path: string): readonly string[] {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  return values.map((v, i) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    throw new PolicyInputError({
      path: Array.isArray(value) ? `${path}[${i}]` : path,
      value: v,
      allowed: 'a string, a boolean or a number',
    });
  });
}

function evaluateOne(
  operatorName: string,
  key: string,
  rawValues: unknown,
  context: IamRequestContext,
  path: string,
): boolean {
  const policyValues = asArray(rawValues, path);
  const requestValues = contextValues(context, key);
  let name = operatorName;
  let set: 'any' | 'all' | undefined;
  if (name.startsWith('ForAnyValue:')) [set, name] = ['any', name.slice('ForAnyValue:'.length)];
  else if (name.startsWith('ForAllValues:')) [set, name] = ['all', name.slice('ForAllValues:'.length)];

  if (name === 'Null') {
    const absent = requestValues === undefined;
    return policyValues.every((v) => (v.toLowerCase() === 'true') === absent);
  }
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const operator = OPERATORS[name];
  if (operator === undefined) {
    throw new PolicyInputError({
      path,
      value: operatorName,
      allowed: `a condition operator this evaluator knows: ${[...Object.keys(OPERATORS), 'Null'].join(', ')} (with IfExists, ForAnyValue:, ForAllValues:)`,
    });
  }
  if (requestValues === undefined) {
    if (set === 'all') return true;
    if (set === 'any') return false;
    return ifExists || operator.negated;
  }
  const resolved = VARIABLE_OPERATORS.test(name)
    ? policyValues.flatMap((v) => substituteVariables(v, context) ?? [])
    : policyValues;
  // One request value against the policy's values: positive operators want a match with any of
  // them, negated ones a match with none.
  const holds = (requestValue: string): boolean => {
    const matched = resolved.some((policyValue) => operator.match(policyValue, requestValue));
    return operator.negated ? !matched : matched;
  };
  if (set === 'any') return requestValues.some(holds);
  if (set === 'all') return requestValues.every(holds);
  // A multivalued key without a set operator: positive operators hold when one value matches,
  // negated ones when no value matches.
  return operator.negated ? requestValues.every(holds) : requestValues.some(holds);
}

/** Whether a statement's `Condition` block holds for the request context (an absent block holds). */
export function conditionHolds(condition: unknown, context: IamRequestContext, path: string): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new PolicyInputError({ path, value: condition, allowed: 'an object of operator → key → values' });
  }
  return Object.entries(condition as Record<string, unknown>).every(([operator, keys]) => {
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
      throw new PolicyInputError({
        path: `${path}.${operator}`,
        value: keys,
        allowed: 'an object of condition key → values',
      });
    }
    return Object.entries(keys as Record<string, unknown>).every(([key, values]) =>
      evaluateOne(operator, key, values, context, `${path}.${operator}.${key}`),
    );
  });
}
