import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { ENVIRONMENTS, type Environment } from './environments.js';
import { SignetInputError, type InputProblem } from './errors.js';
import { findWorkspaceRoot } from './workspace-root.js';

/** An app as declared by the `signet` field of its package.json. */
export interface AppDeclaration {
  /** DNS label, 1..40 characters, starting with a letter: names the repository, profile and pipeline. */
  readonly name: string;
  /** Kubernetes namespace the app runs in (DNS label). */
  readonly namespace: string;
  /** Container port, {@link APP_PORT_RANGE}. */
  readonly port: number;
  /** Environments the app is deployed to. */
  readonly environments: readonly Environment[];
  /** Folder of the app's Kubernetes manifests, relative to the app folder. */
  readonly manifests: string;
}

/** A discovered app: its declaration plus where it lives. */
export interface DiscoveredApp extends AppDeclaration {
  /** App folder, relative to the workspace root (e.g. `apps/hello-server`). */
  readonly directory: string;
}

/** The field of package.json that declares an app. */
export const APP_DECLARATION_FIELD = 'signet';

/**
 * Container ports an app may declare. Apps run as a non-root user, which cannot bind a port below
 * 1024 without CAP_NET_BIND_SERVICE (https://man7.org/linux/man-pages/man7/capabilities.7.html), and
 * the manifests drop every capability (`capabilities.drop: [ALL]`).
 */
export const APP_PORT_RANGE = { min: 1024, max: 65_535 } as const;

/** Longest app name: the name is part of the signer profile name, which AWS caps at 64 characters. */
export const APP_NAME_MAX_LENGTH = 40;
/** Longest namespace: a Kubernetes namespace is a DNS label (RFC 1123), at most 63 characters. */
export const APP_NAMESPACE_MAX_LENGTH = 63;

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const dnsLabel = (max: number) =>
  `a DNS label of 1 to ${max} characters (lowercase letters, digits, "-") that starts with a letter and does not end with "-"`;

/** One key of the declaration: its schema and what it allows, in the words of every message. */
export interface AppDeclarationField<T> {
  readonly schema: z.ZodType<T>;
  readonly allowed: string;
}

/**
 * The app declaration's schema, one key at a time, in the order a declaration lists them. Stacks,
 * the buildspec renderer and the app generator all validate with these.
 */
export const APP_DECLARATION_FIELDS: {
  readonly [K in keyof AppDeclaration]-?: AppDeclarationField<AppDeclaration[K]>;
} = {
  name: {
    schema: z.string().max(APP_NAME_MAX_LENGTH).regex(DNS_LABEL),
    allowed: dnsLabel(APP_NAME_MAX_LENGTH),
  },
  namespace: {
    schema: z.string().max(APP_NAMESPACE_MAX_LENGTH).regex(DNS_LABEL),
    allowed: dnsLabel(APP_NAMESPACE_MAX_LENGTH),
  },
  port: {
    schema: z.number().int().min(APP_PORT_RANGE.min).max(APP_PORT_RANGE.max),
    allowed: `an integer from ${APP_PORT_RANGE.min} to ${APP_PORT_RANGE.max}`,
  },
  environments: {
    schema: z
      .array(z.enum(ENVIRONMENTS))
      .min(1)
      .refine((list) => new Set(list).size === list.length),
    allowed: `a non-empty list without duplicates of ${ENVIRONMENTS.join(', ')}`,
  },
  manifests: {
    schema: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..')),
    allowed: 'a folder path inside the app folder',
  },
};

/** The declaration's keys, in order. */
export const APP_DECLARATION_KEYS = Object.keys(APP_DECLARATION_FIELDS) as (keyof AppDeclaration)[];

/** Thrown when an app declaration is invalid; names the file and the key. */
export class AppDeclarationError extends SignetInputError {
  constructor(problems: InputProblem | readonly InputProblem[], message?: string) {
    super(problems, message);
    this.name = 'AppDeclarationError';
  }
}

/** Checks one key of a declaration; returns the parsed value or the problem (without a source). */
export function checkAppDeclarationField<K extends keyof AppDeclaration>(
  key: K,
  value: unknown,
): { ok: true; value: AppDeclaration[K] } | { ok: false; problem: InputProblem } {
  // TypeScript does not correlate a mapped type's value with its key; the map's type guarantees it.
  const field = APP_DECLARATION_FIELDS[key] as AppDeclarationField<AppDeclaration[K]>;
  const path = `${APP_DECLARATION_FIELD}.${key}`;
  if (value === undefined) return { ok: false, problem: { path, issue: 'missing', allowed: field.allowed } };
  const result = field.schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problem: { path, value, allowed: field.allowed } };
}

/**
 * Validates the `signet` field of one package.json against the schema alone (no file system), and
 * reports every problem at once. `file` is the package.json path relative to the workspace root.
 */
export function validateAppDeclaration(declaration: unknown, file: string): AppDeclaration {
  if (typeof declaration !== 'object' || declaration === null || Array.isArray(declaration)) {
    throw new AppDeclarationError({
      source: file,
      path: APP_DECLARATION_FIELD,
      value: declaration,
      allowed: 'an object',
    });
  }
  const record = declaration as Record<string, unknown>;
  const problems: InputProblem[] = Object.keys(record)
    .filter((key) => !(key in APP_DECLARATION_FIELDS))
    .map((key) => ({
      source: file,
      path: `${APP_DECLARATION_FIELD}.${key}`,
      issue: 'unknown',
      allowed: `one of ${APP_DECLARATION_KEYS.join(', ')}`,
    }));
  const values: Record<string, unknown> = {};
  for (const key of APP_DECLARATION_KEYS) {
    const checked = checkAppDeclarationField(key, record[key]);
    if (checked.ok) values[key] = checked.value;
    else problems.push({ ...checked.problem, source: file });
  }
  if (problems.length > 0) throw new AppDeclarationError(problems);
  return values as unknown as AppDeclaration;
}

/**
 * Validates the `signet` field of one package.json, and that its manifests folder exists. `file` is
 * the package.json path relative to the workspace root (used in messages); `appDir` is the app
 * folder on disk.
 */
export function parseAppDeclaration(declaration: unknown, file: string, appDir: string): AppDeclaration {
  const app = validateAppDeclaration(declaration, file);
  const manifestsDir = join(appDir, app.manifests);
  if (!existsSync(manifestsDir) || !statSync(manifestsDir).isDirectory()) {
    throw new AppDeclarationError({
      source: file,
      path: `${APP_DECLARATION_FIELD}.manifests`,
      value: app.manifests,
      allowed: `an existing folder inside the app folder (${manifestsDir} does not exist)`,
    });
  }
  return app;
}

/**
 * Every app of the workspace: each `apps/<folder>/package.json` with a `signet` field, validated,
 * sorted by name. Folders without a `signet` field are not apps Signet deploys and are skipped.
 * Names and namespaces are unique across apps.
 */
export function discoverApps(root: string = findWorkspaceRoot()): DiscoveredApp[] {
  const appsDir = join(root, 'apps');
  if (!existsSync(appsDir)) return [];
  const apps: DiscoveredApp[] = [];
  for (const folder of readdirSync(appsDir).sort()) {
    const appDir = join(appsDir, folder);
    const manifest = join(appDir, 'package.json');
    if (!statSync(appDir).isDirectory() || !existsSync(manifest)) continue;
    const file = relative(root, manifest);
    let pkg: unknown;
    try {
      pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    } catch (error) {
      // The file as a whole is the problem, not one of its keys.
      throw new AppDeclarationError(
        { source: file, path: '', allowed: 'a package.json that parses as JSON' },
        `${file}: not valid JSON (${(error as Error).message})`,
      );
    }
    if (typeof pkg !== 'object' || pkg === null || !(APP_DECLARATION_FIELD in pkg)) continue;
    const declaration = (pkg as Record<string, unknown>)[APP_DECLARATION_FIELD];
    apps.push({ ...parseAppDeclaration(declaration, file, appDir), directory: relative(root, appDir) });
  }
  for (const key of ['name', 'namespace'] as const) {
    const owners = new Map<string, string>();
    for (const app of apps) {
      const other = owners.get(app[key]);
      if (other !== undefined) {
        throw new AppDeclarationError({
          source: `${app.directory}/package.json`,
          path: `${APP_DECLARATION_FIELD}.${key}`,
          value: app[key],
          allowed: `a value no other app uses (${other}/package.json uses it)`,
        });
      }
      owners.set(app[key], app.directory);
    }
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

/** The apps deployed to `environment`, in the order given. */
export function appsForEnvironment<A extends AppDeclaration>(
  apps: readonly A[],
  environment: Environment,
): A[] {
  return apps.filter((app) => app.environments.includes(environment));
}
