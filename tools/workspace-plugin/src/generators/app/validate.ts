import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import {
  APP_DECLARATION_FIELDS,
  ENVIRONMENTS,
  KYVERNO_NAMESPACE,
  planSigningIdentities,
  signingProfileName,
  SHARED_NAMESPACE,
  SignetInputError,
  VERIFIER_NAMESPACE,
  type AppDeclaration,
  type Environment,
  type InputProblem,
} from '@signet/platform';
import { CLUSTER_SYSTEM_NAMESPACES } from '@signet/policies';
import { parse } from 'yaml';
import type { AppGeneratorSchema, NormalizedAppOptions } from './schema.js';

/**
 * Thrown when the generator refuses its options; says the option, its value and what is allowed,
 * in the words of every Signet validation message.
 */
export class AppGeneratorError extends SignetInputError {
  constructor(problem: Omit<InputProblem, 'subject'>) {
    super({ ...problem, subject: 'option' });
    this.name = 'AppGeneratorError';
  }
}

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

/**
 * Checks an option against the declaration key it becomes, with the one schema of the app
 * declaration (@signet/core), so the generator accepts exactly what the stacks accept.
 * `raw` is what was typed, quoted in the message; `value` is it after parsing.
 */
function declared<K extends keyof AppDeclaration>(
  key: K,
  raw: unknown,
  value: unknown = raw,
): AppDeclaration[K] {
  const field = APP_DECLARATION_FIELDS[key];
  const result = field.schema.safeParse(value);
  if (!result.success) throw new AppGeneratorError({ path: key, value: raw, allowed: field.allowed });
  return result.data as AppDeclaration[K];
}

/** The command line gives the port as text; only a plain number is read as one. */
function port(value: unknown): number {
  const parsed = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return declared('port', value, parsed);
}

/** A list, or the command line's comma-separated text; default every environment. */
function environments(value: AppGeneratorSchema['environments']): readonly Environment[] {
  const list =
    value === undefined
      ? [...ENVIRONMENTS]
      : typeof value === 'string'
        ? value.split(',').map((e) => e.trim())
        : [...value];
  return declared('environments', value, list);
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
 * The signer stack's extra signing identities (e.g. `release`) per environment, read from
 * `stacks/signer/Pulumi.<env>.yaml`: every app gets a profile `signet_<env>_<app>_<identity>` for
 * each. A file that does not parse is the signer stack's to report; here it adds no identity.
 */
export const SIGNER_IDENTITIES_KEY = 'signet-signer:extraIdentities';

/** The signer stack's generation of profile names (`signingProfileName`, @signet/platform). */
export const SIGNER_GENERATION_KEY = 'signet-signer:generation';

interface SignerNaming {
  readonly identities: readonly string[];
  readonly generation: number;
}

function signerIdentities(tree: Tree): Map<Environment, SignerNaming> {
  const identities = new Map<Environment, SignerNaming>();
  for (const environment of ENVIRONMENTS) {
    const file = `stacks/signer/Pulumi.${environment}.yaml`;
    if (!tree.exists(file)) continue;
    let doc: unknown;
    try {
      doc = parse(tree.read(file, 'utf8') ?? '');
    } catch {
      continue;
    }
    const config = (doc as { config?: Record<string, unknown> } | null)?.config;
    const list = config?.[SIGNER_IDENTITIES_KEY];
    const generation = config?.[SIGNER_GENERATION_KEY];
    identities.set(environment, {
      identities: Array.isArray(list) ? list.filter((i): i is string => typeof i === 'string') : [],
      generation:
        typeof generation === 'number' && Number.isInteger(generation) && generation > 1 ? generation : 1,
    });
  }
  return identities;
}

/**
 * Why a new app named `name` would clash with the existing app `other`, or undefined. Every name the
 * platform derives from an app is `signet-<env>-<app>` or `signet-<env>-<app>-<role>` (pipeline,
 * CodeCommit and CodeBuild projects, IAM roles, rules), `signet_<env>_<app>` or
 * `signet_<env>_<app>_<identity>` (Signer profiles; "-" becomes "_"), `/signet/<env>/<app>/…` (log
 * groups) and `signet-<env>/<app>` (the repository). So when one app's name is the other's followed
 * by "-", a derived name of one can equal a derived name of the other: such a name is refused
 * whatever the roles are today, and the message names the clash a user can see first.
 */
function derivedClash(
  name: string,
  other: string,
  identities: ReadonlyMap<Environment, SignerNaming>,
): string | undefined {
  const [longer, shorter] = name.startsWith(`${other}-`) ? [name, other] : [other, name];
  if (!longer.startsWith(`${shorter}-`)) return undefined;
  const rest = longer.slice(shorter.length + 1);
  for (const [environment, { identities: list, generation }] of identities) {
    if (list.includes(rest)) {
      const profile = signingProfileName(environment, longer, undefined, generation);
      return `the signing profile ${profile} would be both app "${longer}"'s and app "${shorter}"'s "${rest}" identity in ${environment}`;
    }
  }
  return `app "${shorter}" derives names signet-<env>-${shorter}-<role> (pipeline, CodeBuild projects, IAM roles), so app "${longer}"'s signet-<env>-${longer}-<role> can equal one of them`;
}

/**
 * Checks the options without writing anything: formats first, then reserved names, then whether the
 * name or namespace is taken in `tree`. Returns the options with defaults applied.
 */
export function validateAppOptions(tree: Tree, options: AppGeneratorSchema): NormalizedAppOptions {
  const name = declared('name', options.name);
  const normalized: NormalizedAppOptions = {
    name,
    port: port(options.port ?? 8080),
    namespace: declared('namespace', options.namespace ?? name),
    environments: environments(options.environments),
    directory: `apps/${name}`,
  };
  for (const [key, value] of [
    ['name', normalized.name],
    ['namespace', normalized.namespace],
  ] as const) {
    if (RESERVED_NAMES.includes(value)) {
      throw new AppGeneratorError({
        path: key,
        value,
        allowed: `a value other than the reserved names ${RESERVED_NAMES.join(', ')}`,
      });
    }
  }
  const taken = (key: 'name' | 'namespace', value: string, why: string) =>
    new AppGeneratorError({ path: key, value, allowed: `a ${key} not yet taken (${why})` });
  for (const path of [normalized.directory, `buildspecs/${name}`]) {
    if (tree.exists(path)) throw taken('name', name, `${path} already exists`);
  }
  const identities = signerIdentities(tree);
  for (const [environment, { identities: list, generation }] of identities) {
    if (!normalized.environments.includes(environment)) continue;
    try {
      planSigningIdentities(environment, [name], list, generation);
    } catch (error) {
      throw new AppGeneratorError({
        path: 'name',
        value: name,
        allowed: `a name whose signing profiles are valid in ${environment} (${(error as Error).message})`,
      });
    }
  }
  for (const project of existingProjects(tree)) {
    if (project.app?.name === name) {
      throw taken(
        'name',
        name,
        `${project.directory}/package.json declares signet.name ${JSON.stringify(name)}`,
      );
    }
    if (project.app?.namespace === normalized.namespace) {
      throw taken(
        'namespace',
        normalized.namespace,
        `${project.directory}/package.json declares signet.namespace ${JSON.stringify(normalized.namespace)}`,
      );
    }
    if (typeof project.app?.name === 'string') {
      const clash = derivedClash(name, project.app.name, identities);
      if (clash !== undefined) {
        throw new AppGeneratorError({
          path: 'name',
          value: name,
          allowed: `a name whose derived names clash with no existing app's: ${clash} (${project.directory}); pick a name that neither extends nor is extended by an existing app's name with "-"`,
        });
      }
    }
    if (project.names.includes(name)) {
      throw taken('name', name, `project ${project.directory} is already named ${JSON.stringify(name)}`);
    }
  }
  return normalized;
}
