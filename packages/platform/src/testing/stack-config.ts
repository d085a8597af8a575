import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SECRET_PLACEHOLDER } from './render.js';

/** A stack's project file and one environment's config, flattened as the Pulumi CLI passes them. */
export interface StackConfig {
  /** Pulumi project name from `Pulumi.yaml`. */
  readonly project: string;
  /** Path of the environment's `Pulumi.<env>.yaml`. */
  readonly file: string;
  /** Fully qualified keys (`aws:region`, `<project>:<key>`) to string values; objects as JSON. */
  readonly values: Record<string, string>;
  /** Keys whose values are encrypted (`secure:`), which the plan cannot decrypt. */
  readonly secretKeys: string[];
}

/** Thrown when a stack's Pulumi files are missing or malformed. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackFileError';
  }
}

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StackFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pulumi passes config values as strings; structured values as JSON. */
function toConfigString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function qualify(project: string, key: string): string {
  return key.includes(':') ? key : `${project}:${key}`;
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<env>.yaml` of a stack directory into the flat config map the
 * Pulumi CLI would hand the program: project-level defaults first, the environment's values over them.
 */
export function readStackConfig(stackDir: string, env: string): StackConfig {
  const projectFile = join(stackDir, 'Pulumi.yaml');
  if (!existsSync(projectFile)) throw new StackFileError(`${projectFile} does not exist`);
  const projectDoc = readYaml(projectFile);
  if (!isRecord(projectDoc) || typeof projectDoc['name'] !== 'string') {
    throw new StackFileError(
      `${projectFile}: key "name" is ${JSON.stringify(isRecord(projectDoc) ? (projectDoc['name'] ?? null) : null)}; allowed: the project name as a string, e.g. signet-<stack>`,
    );
  }
  const project = projectDoc['name'];

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const projectConfig = projectDoc['config'];
  if (isRecord(projectConfig)) {
    for (const [key, decl] of Object.entries(projectConfig)) {
      const value = isRecord(decl) ? (decl['value'] ?? decl['default']) : decl;
      if (value !== undefined && value !== null) values[qualify(project, key)] = toConfigString(value);
    }
  }

  const file = join(stackDir, `Pulumi.${env}.yaml`);
  if (!existsSync(file)) throw new StackFileError(`${file} does not exist`);
  const doc = readYaml(file) ?? {};
  if (!isRecord(doc)) throw new StackFileError(`${file}: expected a mapping with a "config" key`);
  const config = doc['config'] ?? {};
  if (!isRecord(config)) throw new StackFileError(`${file}: "config" must be a mapping`);
  for (const [key, value] of Object.entries(config)) {
    const qualified = qualify(project, key);
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value['secure'] === 'string') {
      // Encrypted with the stack's secrets provider, which only the Pulumi CLI can open.
      values[qualified] = SECRET_PLACEHOLDER;
      secretKeys.push(qualified);
    } else if (value !== null && value !== undefined) {
      values[qualified] = toConfigString(value);
    }
  }
  return { project, file, values, secretKeys };
}

/**
 * The account placeholders use: the first of `aws:allowedAccountIds`, else `<project>:accountId`,
 * else undefined (the mock runtime's placeholder).
 */
export function accountIdFromConfig(config: StackConfig): string | undefined {
  const allowed = config.values['aws:allowedAccountIds'];
  if (allowed !== undefined) {
    try {
      const ids: unknown = JSON.parse(allowed);
      if (Array.isArray(ids) && typeof ids[0] === 'string') return ids[0];
    } catch {
      // Not JSON: fall through to the other sources.
    }
  }
  return config.values[`${config.project}:accountId`];
}
