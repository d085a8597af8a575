import * as pulumi from '@pulumi/pulumi';
import {
  ACCOUNTS_FILE,
  locateWorkspaceRoot,
  readEnvironmentAccounts,
  SignetInputError,
  type EnvironmentAccounts,
  type InputProblem,
} from '@signet/core';
import { z } from 'zod';
import { ENVIRONMENTS, isEnvironment, type Environment } from './environment.js';

/**
 * One configuration key: its zod schema (type, default via `.default()`, description via
 * `.describe()`) and a plain-language statement of the allowed values, used in error messages and
 * in docs/stacks.md.
 */
export interface ConfigKeySpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly allowed: string;
}

/** Declares one configuration key. `allowed` completes the sentence "allowed: …". */
export function configKey<S extends z.ZodType>(schema: S, allowed: string): ConfigKeySpec<S> {
  if (schema.description === undefined) {
    throw new Error(`config key schema needs a .describe() description (allowed: ${allowed})`);
  }
  return { schema, allowed };
}

/** The keys of a stack's own namespace, without the `<project>:` prefix. */
export type ConfigKeySpecs = Readonly<Record<string, ConfigKeySpec>>;

/** A stack's configuration, declared once. */
export interface StackConfigDefinition<K extends ConfigKeySpecs> {
  /** Pulumi project name, `signet-<stack>`; also the namespace of the keys. */
  readonly project: string;
  readonly keys: K;
}

const PROJECT_NAME = /^signet-[a-z][a-z0-9-]*$/;

/** Declares a stack's configuration (its own namespace). Shared keys are added by the loader. */
export function defineStackConfig<K extends ConfigKeySpecs>(
  project: string,
  keys: K,
): StackConfigDefinition<K> {
  if (!PROJECT_NAME.test(project)) {
    throw new Error(`project name "${project}" is invalid; allowed: "signet-" followed by a lowercase name`);
  }
  return { project, keys };
}

/** Namespace of the keys every Signet stack shares. */
export const SHARED_NAMESPACE = 'signet';

/** The region key; read by {@link loadStackConfig} and nowhere else. */
export const REGION_KEY = 'aws:region';

/**
 * Keys every stack reads, in the `signet:` namespace. None today: the Pulumi organization, which every
 * stack reference names, is the running stack's own ({@link ConfigSource.organization}), so it is set
 * once for all stacks, where the stacks are created (nx.json, the stacks plugin's `organization`
 * option; docs/stacks.md), never per `Pulumi.<env>.yaml`.
 */
export const SHARED_CONFIG_KEYS: ConfigKeySpecs = {};

/** The organization of a self-managed (DIY) backend, the only one it has. */
export const DIY_ORGANIZATION = 'organization';

/**
 * The AWS provider's account keys. Refused in a stack file: the account has one place,
 * `accounts.json`, from which {@link createAwsProvider} sets `allowedAccountIds` for every stack.
 */
const ACCOUNT_KEYS = new Set(['aws:allowedAccountIds', 'aws:forbiddenAccountIds']);

const REGION_SPEC = configKey(
  z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)
    .describe('AWS region every resource of the stack is created in (required).'),
  'an AWS region code such as "eu-west-1"',
);

/** Values of a key set, after defaults. */
export type ConfigValues<K extends ConfigKeySpecs> = { readonly [P in keyof K]: z.output<K[P]['schema']> };

/** What every stack knows about where it runs, derived from the Pulumi project, stack and config. */
export interface StackContext {
  /** Pulumi project, e.g. `signet-networking`. */
  readonly project: string;
  /** Pulumi stack name, which is the environment. */
  readonly environment: Environment;
  /** The file the values came from, `Pulumi.<env>.yaml`; named in every error. */
  readonly file: string;
  /**
   * Pulumi organization of the running stack (`pulumi.getOrganization()`): every stack of an
   * environment lives in it, so stack references read `<org>/signet-<stack>/<env>`.
   */
  readonly org: string;
  /** AWS region (`aws:region`). */
  readonly region: string;
  /**
   * The AWS account the environment names in `accounts.json` (@signet/core), which the stack's
   * provider alone accepts; undefined where the workspace names no accounts (every environment in
   * the account of the credentials).
   */
  readonly account?: string;
  /**
   * Every environment's account where the workspace names them: the account of another
   * environment's roles (the promoting environment's Promote role, which this one's repositories
   * let pull). Undefined in the single-account layout.
   */
  readonly accounts?: EnvironmentAccounts;
}

/** A validated stack configuration. */
export interface LoadedStackConfig<K extends ConfigKeySpecs> extends StackContext {
  readonly values: ConfigValues<K>;
}

/** Where configuration comes from: the running Pulumi program, or a literal in tests. */
export interface ConfigSource {
  readonly project: string;
  readonly stack: string;
  /** Every key the engine passed, fully qualified (`namespace:key`); values as Pulumi passes them. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The stack's Pulumi organization; default {@link DIY_ORGANIZATION}. */
  readonly organization?: string;
  /**
   * The environments' accounts (`accounts.json`); `null` for none. Default: read from the workspace
   * the program runs in (none where there is no workspace or no file).
   */
  readonly accounts?: EnvironmentAccounts | null;
}

/** The accounts of the workspace at or above the current directory (`accounts.json`), if any. */
export function workspaceAccounts(start: string = process.cwd()): EnvironmentAccounts | undefined {
  const root = locateWorkspaceRoot(start);
  return root === undefined ? undefined : readEnvironmentAccounts(root);
}

/** The configuration of the running Pulumi program (all namespaces, so unknown keys are visible). */
export function pulumiConfigSource(): ConfigSource {
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    config: pulumi.runtime.allConfig(),
    organization: pulumi.getOrganization(),
    accounts: workspaceAccounts() ?? null,
  };
}

/**
 * Thrown when a stack's configuration is invalid; carries every problem (file, key, value, what is
 * allowed) and says each on its own line.
 */
export class StackConfigError extends SignetInputError {
  constructor(problems: InputProblem | readonly InputProblem[]) {
    super(problems);
    this.name = 'StackConfigError';
  }
}

/** Pulumi passes every value as a string (objects as JSON); YAML literals may also arrive typed. */
function candidates(raw: unknown): unknown[] {
  if (typeof raw !== 'string') return [raw];
  try {
    return [raw, JSON.parse(raw) as unknown];
  } catch {
    return [raw];
  }
}

/** The value as the file wrote it: Pulumi's JSON string of an object or number shows as that value. */
function shown(raw: unknown): unknown {
  const [, parsed] = candidates(raw);
  return parsed !== undefined && typeof parsed !== 'string' ? parsed : raw;
}

function parseValue(spec: ConfigKeySpec, raw: unknown): { ok: true; value: unknown } | { ok: false } {
  for (const candidate of candidates(raw)) {
    const result = spec.schema.safeParse(candidate);
    if (result.success) return { ok: true, value: result.data };
  }
  return { ok: false };
}

/**
 * Validates the running stack's configuration against its definition plus the shared keys, and
 * derives the environment from the stack name. Every problem is reported at once, each naming the
 * project, the `Pulumi.<env>.yaml` file, the key, the bad value and what is allowed, in the words of `formatInputProblem` (@signet/core).
 */
export function loadStackConfig<K extends ConfigKeySpecs>(
  definition: StackConfigDefinition<K>,
  source: ConfigSource = pulumiConfigSource(),
): LoadedStackConfig<K> {
  const { project } = definition;
  const file = `Pulumi.${source.stack}.yaml`;
  const where = `${project} (${file})`;
  if (source.project !== project) {
    throw new StackConfigError({
      source: `${project} (Pulumi.yaml)`,
      path: 'name',
      value: source.project,
      allowed: `${JSON.stringify(project)}, the project this program is written for`,
    });
  }
  const problems: InputProblem[] = [];
  if (!isEnvironment(source.stack)) {
    problems.push({
      source: where,
      path: 'stack name',
      subject: 'stack name',
      value: source.stack,
      allowed: `an environment: ${ENVIRONMENTS.join(', ')}`,
    });
  }

  const specs = new Map<string, ConfigKeySpec>([[REGION_KEY, REGION_SPEC]]);
  for (const [key, spec] of Object.entries(SHARED_CONFIG_KEYS)) specs.set(`${SHARED_NAMESPACE}:${key}`, spec);
  for (const [key, spec] of Object.entries(definition.keys)) specs.set(`${project}:${key}`, spec);
  const strictNamespaces = new Set([project, SHARED_NAMESPACE, 'aws']);

  for (const key of Object.keys(source.config).sort()) {
    if (specs.has(key)) continue;
    const namespace = key.slice(0, Math.max(key.indexOf(':'), 0));
    if (strictNamespaces.has(namespace)) {
      const known = [...specs.keys()].filter((k) => k.startsWith(`${namespace}:`));
      problems.push({
        source: where,
        path: key,
        issue: 'unknown',
        allowed: ACCOUNT_KEYS.has(key)
          ? `one of ${known.join(', ')} (an environment names its account once, for every stack, in ${ACCOUNTS_FILE} at the workspace root; the stack's provider then accepts that account only, see docs/stacks.md)`
          : known.length > 0
            ? `one of ${known.join(', ')}`
            : `no key of namespace "${namespace}" (the Pulumi organization is the stack's own: set it once in nx.json, see docs/stacks.md)`,
      });
    } else if (namespace.startsWith('signet-')) {
      problems.push({
        source: where,
        path: key,
        issue: 'unknown',
        allowed: `keys of project "${project}" (this key belongs to project "${namespace}")`,
      });
    }
  }

  const values = new Map<string, unknown>();
  for (const [key, spec] of specs) {
    const raw = source.config[key];
    if (raw === undefined) {
      const fallback = spec.schema.safeParse(undefined);
      if (fallback.success) values.set(key, fallback.data);
      else problems.push({ source: where, path: key, issue: 'missing', allowed: spec.allowed });
      continue;
    }
    const parsed = parseValue(spec, raw);
    if (parsed.ok) values.set(key, parsed.value);
    else problems.push({ source: where, path: key, value: shown(raw), allowed: spec.allowed });
  }
  if (problems.length > 0) throw new StackConfigError(problems);

  const own = Object.fromEntries(Object.keys(definition.keys).map((k) => [k, values.get(`${project}:${k}`)]));
  const environment = source.stack as Environment;
  const accounts = source.accounts === undefined ? workspaceAccounts() : (source.accounts ?? undefined);
  return {
    project,
    environment,
    file,
    org: source.organization ?? DIY_ORGANIZATION,
    region: values.get(REGION_KEY) as string,
    ...(accounts === undefined ? {} : { account: accounts[environment], accounts }),
    values: own as ConfigValues<K>,
  };
}

/** One row of a stack's configuration reference (docs/stacks.md). */
export interface ConfigKeyReference {
  readonly key: string;
  readonly default: string;
  readonly description: string;
  readonly allowed: string;
}

/** The configuration reference of a stack: shared keys first, then the stack's own keys. */
export function describeStackConfig(definition: StackConfigDefinition<ConfigKeySpecs>): ConfigKeyReference[] {
  const rows: [string, ConfigKeySpec][] = [
    [REGION_KEY, REGION_SPEC],
    ...Object.entries(SHARED_CONFIG_KEYS).map(([k, s]): [string, ConfigKeySpec] => [
      `${SHARED_NAMESPACE}:${k}`,
      s,
    ]),
    ...Object.entries(definition.keys).map(([k, s]): [string, ConfigKeySpec] => [
      `${definition.project}:${k}`,
      s,
    ]),
  ];
  return rows.map(([key, spec]) => {
    const fallback = spec.schema.safeParse(undefined);
    return {
      key,
      default: fallback.success ? JSON.stringify(fallback.data) : '(required)',
      description: spec.schema.description ?? '',
      allowed: spec.allowed,
    };
  });
}
