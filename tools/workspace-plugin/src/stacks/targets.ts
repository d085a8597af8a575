import type { TargetConfiguration } from '@nx/devkit';

/** The Pulumi commands every stack gets as an Nx target, one configuration per environment. */
export const STACK_TARGETS = ['preview', 'up', 'destroy', 'refresh'] as const;

/** One of {@link STACK_TARGETS}. */
export type StackTarget = (typeof STACK_TARGETS)[number];

/**
 * The named input (nx.json `namedInputs`) of what a stack's deployment reads of its own project and the
 * workspace, besides its dependencies' `production` files. nx.json defines it as the stack's `production`
 * files; a stack whose program reads more (the app list) overrides it in its package.json `nx.namedInputs`,
 * and `nx affected` then reaches the stack when those files change.
 */
export const DEPLOYMENT_INPUT = 'deployment';

/**
 * An environment as a `Pulumi.<env>.yaml` names it. The same rule as `pnpm plan` (no dots), restricted to
 * characters Pulumi accepts in a stack name, so the name is safe in a shell command line.
 */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Thrown for a stack configuration file whose environment cannot be a target configuration. */
export class StackTargetsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackTargetsError';
  }
}

/**
 * The environment a stack configuration file is for (`stacks/eks/Pulumi.dev.yaml` → `dev`), or a
 * {@link StackTargetsError} naming the file when its name is not a Pulumi stack name this workspace accepts.
 */
export function environmentOf(configFile: string): string {
  const base = configFile.split('/').pop() ?? configFile;
  const match = /^Pulumi\.(.+)\.yaml$/.exec(base);
  if (!match?.[1]) throw new StackTargetsError(`${configFile}: not a Pulumi stack configuration file`);
  const environment = match[1];
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new StackTargetsError(
      `${configFile}: environment "${environment}" is not allowed: use letters, digits, "-" and "_", starting with a letter or digit`,
    );
  }
  return environment;
}

/**
 * The command line a stack target runs for one environment, from the stack folder. The stack is selected
 * first (`up`, `preview` and `refresh` create it when it does not exist yet; `destroy` never does), with
 * `--non-interactive` so that a missing passphrase or login fails instead of waiting for input. The command
 * then names the stack again with `--stack`: another run may change the selected stack of the project
 * in between (`pulumi stack select` writes it to the user's workspace settings).
 */
export function stackCommandLine(target: StackTarget, environment: string, organization?: string): string {
  const select = `pulumi stack select --non-interactive`;
  // With an organization the stack is `<org>/<env>`: created in, and read from, that organization;
  // without one, in the CLI's default organization (a self-managed backend has only `organization`).
  const stack = organization === undefined ? environment : `${organization}/${environment}`;
  switch (target) {
    case 'preview':
      return `${select} --create ${stack} && pulumi preview --stack ${stack} --diff`;
    case 'up':
      return `${select} --create ${stack} && pulumi up --stack ${stack}`;
    case 'refresh':
      return `${select} --create ${stack} && pulumi refresh --stack ${stack}`;
    case 'destroy':
      return `${select} ${stack} && pulumi destroy --stack ${stack}`;
  }
}

/** A Pulumi organization name, safe on a command line (the rule Pulumi Cloud applies to names). */
const ORGANIZATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The stacks plugin's options (nx.json `plugins`), checked: the one place the organization is set. */
export interface StackPluginOptions {
  /**
   * The Pulumi organization every stack is created in and read from. Unset: the CLI's default
   * organization (Pulumi Cloud: `pulumi org get-default`; a self-managed backend: `organization`).
   */
  readonly organization?: string;
}

/** Reads the plugin's options as nx.json gives them, or a {@link StackTargetsError} naming the option. */
export function stackPluginOptions(options: unknown): StackPluginOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new StackTargetsError(
      `nx.json: options of plugin @signet/workspace-plugin/stacks has value ${JSON.stringify(options)}; allowed: an object with an optional "organization"`,
    );
  }
  const { organization, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new StackTargetsError(
      `nx.json: option "${unknown[0]}" of plugin @signet/workspace-plugin/stacks is not a known option; allowed: organization`,
    );
  }
  if (organization === undefined) return {};
  if (typeof organization !== 'string' || !ORGANIZATION_NAME.test(organization)) {
    throw new StackTargetsError(
      `nx.json: option "organization" of plugin @signet/workspace-plugin/stacks has value ${JSON.stringify(organization)}; allowed: a Pulumi organization name (letters, digits, "_", "-", "."; up to 100 characters)`,
    );
  }
  return { organization };
}

/** Where a stack lives and what it is deployed to. */
export interface StackProject {
  /** Nx project name, e.g. `stack-eks`: names the target in the message of a run without an environment. */
  readonly name: string;
  /** Project folder relative to the workspace root, e.g. `stacks/eks`. */
  readonly root: string;
  /** Environments it has a `Pulumi.<env>.yaml` for; each becomes a configuration of every target. */
  readonly environments: readonly string[];
  /** The Pulumi organization of every stack ({@link StackPluginOptions}). */
  readonly organization?: string;
}

/**
 * The `preview`, `up`, `destroy` and `refresh` targets of a stack. Each runs `pulumi` in the stack folder
 * after the stack's `build` (Pulumi runs the compiled program, `main: dist/index.js`), is never cached (it
 * reads and changes the cloud), and has one configuration per environment; without one it fails and says
 * which configurations exist rather than picking an environment.
 */
export function stackTargets(stack: StackProject): Record<StackTarget, TargetConfiguration> {
  if (stack.environments.length === 0) {
    throw new StackTargetsError(`${stack.root}: no Pulumi.<env>.yaml, so no environment to deploy to`);
  }
  const environments = [...new Set(stack.environments)].sort();
  const targets = {} as Record<StackTarget, TargetConfiguration>;
  for (const target of STACK_TARGETS) {
    targets[target] = {
      executor: 'nx:run-commands',
      cache: false,
      dependsOn: ['build'],
      inputs: [DEPLOYMENT_INPUT, '^production'],
      options: {
        cwd: stack.root,
        // Nx's run-commands reports a task when its process exits, not when its output closes, so the
        // line of a process that exits at once can be lost; the pause lets Nx read it first.
        command: `echo '${stack.name}:${target} needs an environment: --configuration=${environments.join('|')}' >&2; sleep 0.2; exit 1`,
      },
      configurations: Object.fromEntries(
        environments.map((environment) => [
          environment,
          { command: stackCommandLine(target, environment, stack.organization) },
        ]),
      ),
      metadata: {
        description: `pulumi ${target} of one environment's stack (--configuration=<env>)`,
        technologies: ['pulumi'],
      },
    };
  }
  return targets;
}
