import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import { ENVIRONMENTS, KYVERNO_NAMESPACE, SHARED_NAMESPACE, VERIFIER_NAMESPACE } from '@signet/platform';
import { CLUSTER_SYSTEM_NAMESPACES } from '@signet/policies';
import type { AppGeneratorSchema, NormalizedAppOptions } from './schema.js';

/** Thrown when the generator refuses its options; the message names the value and what is allowed. */
export class AppGeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppGeneratorError';
  }
}

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const MAX_NAME = 40;
const MAX_NAMESPACE = 63;
const MIN_PORT = 1024;
const MAX_PORT = 65_535;
/** The folders pnpm-workspace.yaml declares projects in. */
const PROJECT_FOLDERS = ['apps', 'packages', 'stacks', 'tools'] as const;

/**
 * Names an app may not take, as a name or a namespace: the cluster's own namespaces, `default`,
 * Kyverno's and its Notation verifier's namespaces (excluded from admission, so an app there would
 * run unverified), the platform's shared namespace, and the apps folder.
 */
export const RESERVED_NAMES: readonly string[] = [
  ...CLUSTER_SYSTEM_NAMESPACES,
  'default',
  KYVERNO_NAMESPACE,
  VERIFIER_NAMESPACE,
  SHARED_NAMESPACE,
  'apps',
];

const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);

function dnsLabel(key: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max || !DNS_LABEL.test(value)) {
    throw new AppGeneratorError(
      `${key} ${quote(value)} is not allowed: use a DNS label of 1 to ${max} characters (lowercase letters, digits, "-") that starts with a letter and does not end with "-"`,
    );
  }
  return value;
}

function port(value: unknown): number {
  const parsed = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < MIN_PORT || parsed > MAX_PORT) {
    throw new AppGeneratorError(
      `port ${quote(value)} is not allowed: use an integer from ${MIN_PORT} to ${MAX_PORT}`,
    );
  }
  return parsed;
}

function environments(value: AppGeneratorSchema['environments']): string[] {
  const list =
    value === undefined
      ? [...ENVIRONMENTS]
      : typeof value === 'string'
        ? value.split(',').map((e) => e.trim())
        : [...value];
  const known: readonly string[] = ENVIRONMENTS;
  if (list.length === 0 || new Set(list).size !== list.length || !list.every((e) => known.includes(e))) {
    throw new AppGeneratorError(
      `environments ${quote(value)} is not allowed: use a non-empty list without duplicates of ${ENVIRONMENTS.join(', ')}`,
    );
  }
  return list;
}

/** A project already in the workspace, as far as the generator must know it. */
interface ExistingProject {
  readonly directory: string;
  readonly names: readonly string[];
  readonly app?: { readonly name: unknown; readonly namespace: unknown };
}

function existingProjects(tree: Tree): ExistingProject[] {
  const projects: ExistingProject[] = [];
  for (const folder of PROJECT_FOLDERS) {
    for (const child of tree.children(folder)) {
      const directory = `${folder}/${child}`;
      if (!tree.exists(`${directory}/package.json`)) continue;
      const pkg = readJson<{ name?: string; nx?: { name?: string }; signet?: Record<string, unknown> }>(
        tree,
        `${directory}/package.json`,
      );
      const names = [child, pkg.nx?.name, pkg.name?.replace(/^@[^/]+\//, '')].filter(
        (n): n is string => typeof n === 'string',
      );
      projects.push({
        directory,
        names,
        ...(pkg.signet !== undefined && {
          app: { name: pkg.signet['name'], namespace: pkg.signet['namespace'] },
        }),
      });
    }
  }
  return projects;
}

/**
 * Checks the options without writing anything: formats first, then reserved names, then whether the
 * name or namespace is taken in `tree`. Returns the options with defaults applied.
 */
export function validateAppOptions(tree: Tree, options: AppGeneratorSchema): NormalizedAppOptions {
  const name = dnsLabel('name', options.name, MAX_NAME);
  const normalized: NormalizedAppOptions = {
    name,
    port: port(options.port ?? 8080),
    namespace: dnsLabel('namespace', options.namespace ?? name, MAX_NAMESPACE),
    environments: environments(options.environments),
    directory: `apps/${name}`,
  };
  for (const [key, value] of [
    ['name', normalized.name],
    ['namespace', normalized.namespace],
  ] as const) {
    if (RESERVED_NAMES.includes(value)) {
      throw new AppGeneratorError(
        `${key} ${quote(value)} is reserved: choose a value other than ${RESERVED_NAMES.join(', ')}`,
      );
    }
  }
  for (const path of [normalized.directory, `buildspecs/${name}`]) {
    if (tree.exists(path)) {
      throw new AppGeneratorError(
        `name ${quote(name)} is taken: ${path} already exists; choose another name`,
      );
    }
  }
  for (const project of existingProjects(tree)) {
    if (project.app?.name === name) {
      throw new AppGeneratorError(
        `name ${quote(name)} is taken: ${project.directory}/package.json declares signet.name ${quote(name)}; choose another name`,
      );
    }
    if (project.app?.namespace === normalized.namespace) {
      throw new AppGeneratorError(
        `namespace ${quote(normalized.namespace)} is taken: ${project.directory}/package.json declares signet.namespace ${quote(normalized.namespace)}; choose another namespace`,
      );
    }
    if (project.names.includes(name)) {
      throw new AppGeneratorError(
        `name ${quote(name)} is taken: project ${project.directory} is already named ${quote(name)}; choose another name`,
      );
    }
  }
  return normalized;
}
