import { CliError, ExitCode, type FailureExitCode } from '../io.js';

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

/**
 * Turns an SDK error into a message naming the action and the resource, and what to do about it.
 * The SDK error stays the `cause`, so a caller can tell one AWS error from another by its name.
 */
export function describeAwsFailure(error: unknown, { action, resource }: AwsAction): CliError {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const where = `${action} on ${resource}`;
  const failed = (message: string, exitCode: FailureExitCode = ExitCode.Failure) =>
    new CliError(message, exitCode, { cause: error });
  if (ACCESS_DENIED.has(name)) {
    return failed(
      `${where}: access denied (${name}). Ask for an IAM policy that allows ${action} on this resource, or use a role that has it.`,
    );
  }
  if (NO_CREDENTIALS.has(name)) {
    return failed(
      `${where}: no usable AWS credentials (${name}: ${detail}). Configure the standard AWS chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or \`aws sso login\`.`,
    );
  }
  if (THROTTLED.has(name)) {
    return failed(`${where}: still throttled after retries (${name}). Try again in a minute.`);
  }
  if (name === 'ResourceNotFoundException' || name === 'RepositoryNotFoundException') {
    return failed(`${where}: not found (${name}: ${detail}).`);
  }
  if (name === 'ValidationException' || name === 'InvalidParameterException') {
    return failed(`${where}: rejected by AWS (${name}: ${detail}).`);
  }
  if (name === 'Error' && /region is missing/i.test(detail)) {
    return failed(`${where}: no AWS region. Pass --region or set AWS_REGION.`, ExitCode.Usage);
  }
  return failed(`${where}: failed (${name}: ${detail}).`);
}

/** The name of the AWS error behind a failure from {@link callAws}, e.g. `RepositoryNotFoundException`. */
export function awsErrorName(error: unknown): string | undefined {
  const cause = error instanceof CliError ? error.cause : undefined;
  return cause instanceof Error ? cause.name : undefined;
}

/** Runs one AWS call (or a paginated listing) and reports a failure in the user's terms. */
export async function callAws<T>(what: AwsAction, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsFailure(error, what);
  }
}
