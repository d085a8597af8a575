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
  /**
   * Every IAM role name of the environment starts with it (`signet-<env>-`): on a profile or
   * project of the environment that no app owns (a removed app's), a session of such a role is
   * left alone, as the catch-all rules leave it.
   */
  readonly rolePrefix: string;
  /** Per app (by name): what is its own, and which of its roles are its pipeline. */
  readonly apps: { readonly [app: string]: SigningGuardApp };
  /** Where findings are published. */
  readonly topicArn: string;
  /**
   * When CloudTrail's record carries no job id: the minutes either side of the event's time in
   * which a job of the same requester and profile counts as the one the event names.
   */
  readonly jobSearchWindowMinutes: number;
}

/** One app of {@link SigningGuardConfig.apps}. */
export interface SigningGuardApp {
  /** Every signing profile name of the app (pipeline, release and extra identities). */
  readonly profileNames: readonly string[];
  /** The app's stage projects. */
  readonly projectNames: readonly string[];
  /** The app's roles whose sessions sign in its pipeline: only their signatures on its profiles are left alone. */
  readonly signingRoleNames: readonly string[];
  /** The role the app's pipeline starts its builds with: only its builds of the app's projects are left alone. */
  readonly pipelineRoleName: string;
}

const APP_LIST_KEYS = {
  profileNames: 'a list of signing profile names',
  projectNames: 'a list of CodeBuild project names',
  signingRoleNames: 'a list of IAM role names',
} as const;

const STRING_KEYS = [
  'environment',
  'accountId',
  'region',
  'partition',
  'profilePrefix',
  'projectPrefix',
  'rolePrefix',
  'topicArn',
] as const;

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
  const known = new Set<string>([...STRING_KEYS, 'apps', 'jobSearchWindowMinutes']);
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
  const apps = record['apps'];
  if (typeof apps !== 'object' || apps === null || Array.isArray(apps)) {
    throw problem('apps', apps, 'a JSON object of app names to their profiles, projects and roles');
  }
  const owners = new Map<string, string>();
  for (const [app, entry] of Object.entries(apps as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw problem(`apps.${app}`, entry, 'a JSON object');
    }
    const fields = entry as Record<string, unknown>;
    const appKeys = [...Object.keys(APP_LIST_KEYS), 'pipelineRoleName'];
    for (const key of Object.keys(fields)) {
      if (!appKeys.includes(key)) {
        throw problem(`apps.${app}.${key}`, fields[key], `one of the keys ${appKeys.join(', ')}`);
      }
    }
    for (const [key, allowed] of Object.entries(APP_LIST_KEYS)) {
      const list = fields[key];
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        list.some((item) => typeof item !== 'string' || item === '')
      ) {
        throw problem(`apps.${app}.${key}`, list, `${allowed}, at least one`);
      }
    }
    if (typeof fields['pipelineRoleName'] !== 'string' || fields['pipelineRoleName'] === '') {
      throw problem(`apps.${app}.pipelineRoleName`, fields['pipelineRoleName'], 'an IAM role name');
    }
    // A profile or project of two apps would leave one app's pipeline to the other's decision.
    for (const key of ['profileNames', 'projectNames'] as const) {
      for (const name of fields[key] as string[]) {
        const owner = owners.get(`${key}:${name}`);
        if (owner !== undefined && owner !== app) {
          throw problem(`apps.${app}.${key}`, name, `a name no other app lists (app "${owner}" lists it)`);
        }
        owners.set(`${key}:${name}`, app);
      }
    }
  }
  const window = record['jobSearchWindowMinutes'];
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 60) {
    throw problem('jobSearchWindowMinutes', window, 'an integer from 1 to 60');
  }
  return record as unknown as SigningGuardConfig;
}
