import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ENVIRONMENTS, type Environment } from './environment.js';

/** An app as declared by the `signet` field of its package.json. */
export interface AppDeclaration {
  /** DNS label, 1..40 characters, starting with a letter: names the repository, profile and pipeline. */
  readonly name: string;
  /** Kubernetes namespace the app runs in (DNS label). */
  readonly namespace: string;
  /** Container port. */
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

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

const FIELDS = {
  name: {
    schema: z.string().max(40).regex(DNS_LABEL),
    allowed: 'a DNS label of 1 to 40 characters (lowercase letters, digits, "-") starting with a letter',
  },
  namespace: {
    schema: z.string().max(63).regex(DNS_LABEL),
    allowed: 'a DNS label of 1 to 63 characters (lowercase letters, digits, "-") starting with a letter',
  },
  port: { schema: z.number().int().min(1).max(65535), allowed: 'an integer from 1 to 65535' },
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
} as const;

/** Thrown when an app declaration is invalid; names the file and the key. */
export class AppDeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppDeclarationError';
  }
}

/** The workspace root: the nearest folder at or above `start` that holds pnpm-workspace.yaml. */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml found at or above ${resolve(start)}`);
    dir = parent;
  }
}

/**
 * Validates the `signet` field of one package.json. `file` is the package.json path relative to
 * the workspace root (used in messages); `appDir` is the app folder on disk.
 */
export function parseAppDeclaration(declaration: unknown, file: string, appDir: string): AppDeclaration {
  if (typeof declaration !== 'object' || declaration === null || Array.isArray(declaration)) {
    throw new AppDeclarationError(
      `${file}: key "signet" has value ${JSON.stringify(declaration)}; allowed: an object`,
    );
  }
  const record = declaration as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(key in FIELDS)) {
      throw new AppDeclarationError(
        `${file}: key "signet.${key}" is not a known key; known keys: ${Object.keys(FIELDS).join(', ')}`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    const raw = record[key];
    if (raw === undefined)
      throw new AppDeclarationError(`${file}: key "signet.${key}" is missing; allowed: ${field.allowed}`);
    const result = field.schema.safeParse(raw);
    if (!result.success) {
      throw new AppDeclarationError(
        `${file}: key "signet.${key}" has value ${JSON.stringify(raw)}; allowed: ${field.allowed}`,
      );
    }
    values[key] = result.data;
  }
  const app = values as unknown as AppDeclaration;
  const manifestsDir = join(appDir, app.manifests);
  if (!existsSync(manifestsDir) || !statSync(manifestsDir).isDirectory()) {
    throw new AppDeclarationError(
      `${file}: key "signet.manifests" has value ${JSON.stringify(app.manifests)}; allowed: an existing folder inside the app folder (${manifestsDir} does not exist)`,
    );
  }
  return app;
}

/**
 * Every app of the workspace: each `apps/<folder>/package.json` with a `signet` field, validated,
 * sorted by name. Folders without a `signet` field are not apps Signet deploys and are skipped.
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
      throw new AppDeclarationError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof pkg !== 'object' || pkg === null || !('signet' in pkg)) continue;
    apps.push({ ...parseAppDeclaration(pkg.signet, file, appDir), directory: relative(root, appDir) });
  }
  for (const key of ['name', 'namespace'] as const) {
    const owners = new Map<string, string>();
    for (const app of apps) {
      const other = owners.get(app[key]);
      if (other !== undefined) {
        throw new AppDeclarationError(
          `${app.directory}/package.json: key "signet.${key}" has value ${JSON.stringify(app[key])}; allowed: a value no other app uses (${other}/package.json uses it)`,
        );
      }
      owners.set(app[key], app.directory);
    }
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

/** The apps deployed to `environment`, sorted by name. */
export function appsForEnvironment<A extends AppDeclaration>(
  apps: readonly A[],
  environment: Environment,
): A[] {
  return apps.filter((app) => app.environments.includes(environment));
}
