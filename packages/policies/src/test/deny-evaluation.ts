// The guardrail tests ask one question of a document: which of its Deny statements match a request?
// They answer it with the package's IAM evaluator (iam/evaluate.ts, tested on the IAM User Guide's
// examples), the document given as the only policy, so the guardrails are judged by the same rules
// as every other document.
import type { IamPolicyDocument } from '../iam/document.js';
import { evaluateIamRequest } from '../iam/evaluate.js';

/** One API request as IAM sees it. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Request context keys: single values as strings, multivalued keys as arrays. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/** A caller for requests that name none: an ARN no guardrail exempts. */
const NOBODY = 'arn:aws:iam::000000000000:role/no-principal-named';

/** The Sids of the document's Deny statements that match the request (empty: not denied by it). */
export function denyingStatements(document: IamPolicyDocument, request: Request): string[] {
  const principal = request.context['aws:PrincipalArn'];
  const { reasons } = evaluateIamRequest(
    { identity: [document] },
    {
      principalArn: typeof principal === 'string' ? principal : NOBODY,
      action: request.action,
      resource: request.resource,
      context: request.context,
    },
  );
  return reasons.flatMap((reason) => /^explicit deny: .*statement "([^"]+)"/.exec(reason)?.[1] ?? []);
}
