/** A failure the user can act on; `exitCode` 2 for usage errors, 1 for a failed operation. */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'OpsError';
  }
}

/** One AWS call as the user should read it: `signer:RevokeSignature` on `job 1234`. */
export interface AwsAction {
  /** IAM action, e.g. `signer:RevokeSignature`. */
  readonly action: string;
  /** What it acts on, e.g. `job 1234…` or `repository signet-dev/hello-server`. */
  readonly resource: string;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const NO_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'UnrecognizedClientException',
]);
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);

/** Turns an SDK error into a message naming the action and the resource, and what to do about it. */
export function describeAwsFailure(error: unknown, { action, resource }: AwsAction): OpsError {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const where = `${action} on ${resource}`;
  if (ACCESS_DENIED.has(name)) {
    return new OpsError(
      `${where}: access denied (${name}). Ask for an IAM policy that allows ${action} on this resource, or use a role that has it.`,
    );
  }
  if (NO_CREDENTIALS.has(name)) {
    return new OpsError(
      `${where}: no usable AWS credentials (${name}: ${detail}). Configure the standard AWS chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or \`aws sso login\`.`,
    );
  }
  if (THROTTLED.has(name)) {
    return new OpsError(`${where}: still throttled after retries (${name}). Try again in a minute.`);
  }
  if (name === 'ResourceNotFoundException' || name === 'RepositoryNotFoundException') {
    return new OpsError(`${where}: not found (${name}: ${detail}).`);
  }
  if (name === 'ValidationException' || name === 'InvalidParameterException') {
    return new OpsError(`${where}: rejected by AWS (${name}: ${detail}).`);
  }
  if (name === 'Error' && /region is missing/i.test(detail)) {
    return new OpsError(`${where}: no AWS region. Pass --region or set AWS_REGION.`, 2);
  }
  return new OpsError(`${where}: failed (${name}: ${detail}).`);
}

/** Runs one AWS call (or a paginated listing) and reports a failure in the user's terms. */
export async function callAws<T>(what: AwsAction, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsFailure(error, what);
  }
}
