import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS, type Environment } from './environments.js';
import { SignetInputError, type InputProblem } from './errors.js';
import { findWorkspaceRoot } from './workspace-root.js';

/**
 * The one place an environment names its AWS account: `accounts.json` at the workspace root, an
 * object from each environment to its 12-digit account id. Every stack reads it through the config
 * loader (its provider then refuses any other account) and so does `signet plan` (the mock runtime
 * answers with that account). Without the file, every environment runs in whatever account the
 * credentials are for, which is the single-account layout: nothing is pinned and nothing is checked.
 */
export const ACCOUNTS_FILE = 'accounts.json';

/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

const ALLOWED_ACCOUNT = 'an AWS account id: 12 digits, as a string';

/** The account of each environment, where the workspace names them. */
export type EnvironmentAccounts = Readonly<Record<Environment, string>>;

/**
 * Checks the content of {@link ACCOUNTS_FILE}: an object naming every environment, each with a
 * 12-digit account id, and nothing else. Every problem is reported at once, naming the file, the
 * key, the value and what is allowed.
 */
export function parseEnvironmentAccounts(
  content: unknown,
  source: string = ACCOUNTS_FILE,
): EnvironmentAccounts {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new SignetInputError({
      source,
      path: '',
      value: content,
      allowed: `an object from each environment (${ENVIRONMENTS.join(', ')}) to its AWS account id`,
    });
  }
  const record = content as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const environment of ENVIRONMENTS) {
    const value = record[environment];
    if (value === undefined) {
      problems.push({
        source,
        path: environment,
        issue: 'missing',
        allowed: `${ALLOWED_ACCOUNT} (every environment names its account once the file exists)`,
      });
    } else if (typeof value !== 'string' || !ACCOUNT_ID.test(value)) {
      problems.push({ source, path: environment, value, allowed: ALLOWED_ACCOUNT });
    }
  }
  for (const key of Object.keys(record).sort()) {
    if (!(ENVIRONMENTS as readonly string[]).includes(key)) {
      problems.push({
        source,
        path: key,
        issue: 'unknown',
        allowed: `an environment: one of ${ENVIRONMENTS.join(', ')}`,
      });
    }
  }
  if (problems.length > 0) throw new SignetInputError(problems);
  return Object.fromEntries(ENVIRONMENTS.map((e) => [e, record[e] as string])) as EnvironmentAccounts;
}

/**
 * The accounts the workspace at `root` names ({@link ACCOUNTS_FILE}), or undefined where it names
 * none (the single-account layout).
 */
export function readEnvironmentAccounts(root: string = findWorkspaceRoot()): EnvironmentAccounts | undefined {
  const file = join(root, ACCOUNTS_FILE);
  if (!existsSync(file)) return undefined;
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SignetInputError(
      { source: ACCOUNTS_FILE, path: '', allowed: 'a file that parses as JSON' },
      `${ACCOUNTS_FILE}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseEnvironmentAccounts(content);
}
