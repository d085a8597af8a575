/**
 * The guard's configuration: the file the stack writes next to the bundle, its shape and its
 * reader. Imports nothing, so the bundle and a Pulumi program can both use it.
 */

/** The configuration file the stack writes into the code archive, next to the bundle. */
export const SIGNING_GUARD_CONFIG_FILE = 'signing-guard.json';

/** What the guard knows about its environment: written by the stack, read at cold start. */
export interface SigningGuardConfig {
  /** The environment (`dev`, `staging`, `prod`): named in every notification. */
  readonly environment: string;
  /** The account of the pipeline roles and of the projects. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Every signing profile name of the environment starts with it (`signet_<env>_`). */
  readonly profilePrefix: string;
  /** Every CodeBuild project name of the environment starts with it (`signet-<env>-`). */
  readonly projectPrefix: string;
  /** Roles whose sessions sign in the pipeline: their signatures are left alone. */
  readonly signingRoleNames: readonly string[];
  /** Roles CodePipeline starts builds with: their builds are left alone. */
  readonly pipelineRoleNames: readonly string[];
  /** Where findings are published. */
  readonly topicArn: string;
  /**
   * When CloudTrail's record carries no job id: the minutes either side of the event's time in
   * which a job of the same requester and profile counts as the one the event names.
   */
  readonly jobSearchWindowMinutes: number;
}

const STRING_KEYS = [
  'environment',
  'accountId',
  'region',
  'partition',
  'profilePrefix',
  'projectPrefix',
  'topicArn',
] as const;
const LIST_KEYS = ['signingRoleNames', 'pipelineRoleNames'] as const;

/**
 * Reads the configuration, failing with the file, key, value and what is allowed: a guard with
 * a wrong configuration must not start (it would leave pipeline calls or stray ones unanswered).
 */
export function parseSigningGuardConfig(
  value: unknown,
  file = SIGNING_GUARD_CONFIG_FILE,
): SigningGuardConfig {
  const problem = (key: string, got: unknown, allowed: string): Error =>
    new Error(`${file}: key "${key}" has value ${JSON.stringify(got)}; allowed: ${allowed}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem('(root)', value, 'a JSON object');
  }
  const record = value as Record<string, unknown>;
  const known = new Set<string>([...STRING_KEYS, ...LIST_KEYS, 'jobSearchWindowMinutes']);
  for (const key of Object.keys(record)) {
    if (!known.has(key)) throw problem(key, record[key], `one of the keys ${[...known].join(', ')}`);
  }
  for (const key of STRING_KEYS) {
    if (typeof record[key] !== 'string' || record[key] === '')
      throw problem(key, record[key], 'a non-empty string');
  }
  if (!/^\d{12}$/.test(record['accountId'] as string)) {
    throw problem('accountId', record['accountId'], 'a 12-digit account id');
  }
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(record['topicArn'] as string)) {
    throw problem('topicArn', record['topicArn'], 'an SNS topic ARN');
  }
  for (const key of LIST_KEYS) {
    const list = record[key];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
      throw problem(key, list, 'a list of IAM role names');
    }
  }
  const window = record['jobSearchWindowMinutes'];
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 60) {
    throw problem('jobSearchWindowMinutes', window, 'an integer from 1 to 60');
  }
  return record as unknown as SigningGuardConfig;
}
