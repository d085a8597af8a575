import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { StackConfigError, type ConfigSource, type Environment, type StackContext } from '@signet/platform';
import { parse } from 'yaml';
import { CliError, ExitCode } from '../io.js';
import { discoverStacks } from '../plan/workspace.js';

/**
 * How a stack's configuration is read, as the stack itself declares it: its Pulumi project (the
 * namespace of its keys, the `name` of its `Pulumi.yaml`) and the loader its program runs at start.
 */
export interface StackConfigOwner<C extends StackContext> {
  readonly project: string;
  load(source: ConfigSource): C;
}

/** A stack's validated configuration for one environment, and the file it came from. */
export interface ReadStackConfig<C extends StackContext> {
  /** The `Pulumi.<env>.yaml`, relative to the workspace root. */
  readonly file: string;
  readonly config: C;
}

/**
 * The `Pulumi.<env>.yaml` of the workspace's stack of `project`, relative to the root; undefined when
 * there is no such stack or no file for the environment.
 */
export function stackConfigFile(root: string, environment: Environment, project: string): string | undefined {
  const stack = discoverStacks(root).find((s) => s.project === project);
  if (stack === undefined) return undefined;
  const file = join(stack.dir, `Pulumi.${environment}.yaml`);
  return existsSync(file) ? relative(root, file) : undefined;
}

/**
 * Reads another stack's `Pulumi.<env>.yaml` and validates it with that stack's own loader, so the
 * CLI accepts exactly what the stack accepts when it runs (unknown keys included). Undefined when
 * the workspace has no stack of that project or no file for the environment: the stack is not
 * deployed there. Throws a {@link CliError} naming the file, key, value and what is allowed.
 */
export function readStackConfig<C extends StackContext>(
  root: string,
  environment: Environment,
  owner: StackConfigOwner<C>,
): ReadStackConfig<C> | undefined {
  const file = stackConfigFile(root, environment, owner.project);
  if (file === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parse(readFileSync(join(root, file), 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CliError(`${file}: "config" must be a map of keys to values`);
  }
  try {
    return {
      file,
      config: owner.load({
        project: owner.project,
        stack: environment,
        config: config as Record<string, unknown>,
      }),
    };
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    // The stack's own message: one problem a line, each with file, key, value and what is allowed.
    throw new CliError(
      `${file} does not validate against the ${owner.project} stack's config:\n  ${error.message.split('\n').join('\n  ')}`,
      ExitCode.Failure,
      { cause: error },
    );
  }
}
