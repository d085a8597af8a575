// A minimal evaluation of Deny statements, for the guardrail tests only (not part of the build):
// does an explicit Deny of the document match a request? It follows the IAM policy evaluation
// rules for what it supports (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
// an action or resource matches a pattern case-insensitively for actions and case-sensitively for
// ARNs, `*` matches any run of characters and `?` one character; every condition operator of a
// statement must hold; a negated operator (ArnNotLike, StringNotLike) holds when the key is absent;
// `Null: false` holds when the key is present; `ForAnyValue:` holds when any value of a
// multivalued key matches, and not when the key is absent. It knows only the operators the
// guardrails use, and throws on any other, so a new operator cannot pass untested.
import type { IamPolicyDocument } from '../iam/document.js';

/** One API request as IAM sees it. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Request context keys: single values as strings, multivalued keys as arrays. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

function holds(operator: string, key: string, expected: readonly string[], request: Request): boolean {
  const present = key in request.context;
  const actual = list(request.context[key]);
  switch (operator) {
    case 'ArnLike':
    case 'StringLike':
      return present && actual.some((a) => expected.some((e) => glob(e, a, false)));
    case 'ArnNotLike':
    case 'StringNotLike':
      return !present || actual.every((a) => !expected.some((e) => glob(e, a, false)));
    case 'StringEquals':
      return present && actual.some((a) => expected.includes(a));
    case 'Null':
      return expected.includes('true') ? !present : present;
    case 'ForAnyValue:StringLike':
      return actual.some((a) => expected.some((e) => glob(e, a, false)));
    default:
      throw new Error(`the test evaluator does not know the condition operator ${operator}`);
  }
}

/** The Sids of the document's Deny statements that match the request (empty: not denied by it). */
export function denyingStatements(document: IamPolicyDocument, request: Request): string[] {
  return document.Statement.filter(
    (s) =>
      s.Effect === 'Deny' &&
      s.Action.some((a) => glob(a, request.action, true)) &&
      s.Resource.some((r) => glob(r, request.resource, false)) &&
      Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, values]) => holds(operator, key, list(values), request)),
      ),
  ).map((s) => s.Sid);
}
