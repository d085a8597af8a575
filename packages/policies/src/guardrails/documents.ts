import { PolicyInputError } from '../errors.js';
import { policyDocument, type IamPolicyDocument } from '../iam/document.js';
import { guardrailStatements, type GuardrailInput } from './statements.js';

/**
 * Size quotas, counted on the compact JSON (no whitespace), the form to submit:
 * an SCP may hold 5,120 characters
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html), a
 * customer managed policy, which a permissions boundary is, 6,144
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const GUARDRAIL_SIZE_LIMITS = { scp: 5120, boundary: 6144 } as const;

/** A guardrail document kind. */
export type GuardrailKind = keyof typeof GUARDRAIL_SIZE_LIMITS;

/** Both guardrail documents of an environment. */
export interface Guardrails {
  /** Service control policy for AWS Organizations: attach to the environment's account or OU. */
  readonly scp: IamPolicyDocument;
  /** Permissions boundary: set on every human and CI role of the account. */
  readonly boundary: IamPolicyDocument;
}

/** The compact JSON of a document, as it is submitted and as its size is counted. */
export function compactJson(document: IamPolicyDocument): string {
  return JSON.stringify(document);
}

/** Throws when a document is over its quota, naming the document, its size and the limit. */
export function assertGuardrailSize(
  kind: GuardrailKind,
  document: IamPolicyDocument,
  environment: string,
): void {
  const size = compactJson(document).length;
  const limit = GUARDRAIL_SIZE_LIMITS[kind];
  if (size > limit) {
    throw new PolicyInputError({
      source: `guardrails of ${environment}`,
      path: kind,
      value: `${size} characters`,
      allowed: `at most ${limit} characters (${kind === 'scp' ? 'the AWS Organizations SCP quota' : 'the IAM managed policy quota'}); it names too many roles: split the apps of the environment over two accounts or attach the Deny statements as two documents`,
    });
  }
}

/**
 * The service control policy of an environment: Deny statements only (an SCP never grants;
 * FullAWSAccess or the OU's own SCPs still allow the rest). Each Deny applies to every principal
 * of the accounts it is attached to, except the roles its condition names.
 */
export function buildSignetScp(input: GuardrailInput): IamPolicyDocument {
  const document = policyDocument(guardrailStatements(input));
  assertGuardrailSize('scp', document, input.environment);
  return document;
}

/**
 * The permissions boundary of an environment's human and CI roles: it allows whatever the role's
 * own policies allow (a boundary only caps them) and takes away the same actions as the SCP.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
export function buildSignetPermissionsBoundary(input: GuardrailInput): IamPolicyDocument {
  const document = policyDocument([
    {
      Sid: 'AllowWhatIdentityPoliciesAllow',
      Effect: 'Allow',
      Action: ['*'],
      Resource: ['*'],
    },
    ...guardrailStatements(input),
  ]);
  assertGuardrailSize('boundary', document, input.environment);
  return document;
}

/** Both guardrail documents of an environment. */
export function buildGuardrails(input: GuardrailInput): Guardrails {
  return { scp: buildSignetScp(input), boundary: buildSignetPermissionsBoundary(input) };
}
