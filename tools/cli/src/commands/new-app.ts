import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ENVIRONMENTS } from '@signet/platform';
import { AppGeneratorError, generateAppOnDisk } from '@signet/workspace-plugin';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet new-app <name>`. */
export interface NewAppCommandOptions {
  readonly name: string;
  /** Container port, as typed on the command line. */
  readonly port?: string;
  readonly namespace?: string;
  /** Comma-separated environments. */
  readonly environments?: string;
  /** Workspace root; default: the workspace containing `cwd`. */
  readonly root?: string;
  /** `false` skips `pnpm install` (commander's `--no-install`). */
  readonly install?: boolean;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Runs a command in `cwd` and resolves with its exit code; output goes to `io.stderr`. */
export type RunCommand = (
  command: string,
  args: readonly string[],
  cwd: string,
  io: CommandIo,
) => Promise<number>;

/** Spawns the command (no shell) and forwards its output. */
export const spawnCommand: RunCommand = (command, args, cwd, io) =>
  new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => io.stderr(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => io.stderr(chunk.toString('utf8')));
    child.on('error', (error) => {
      io.stderr(`${command}: ${error.message}\n`);
      done(127);
    });
    child.on('close', (code) => done(code ?? 1));
  });

/**
 * The lockfile needs an importer for the new package before `pnpm test` can run it: install from the
 * local store first (works without network), then let pnpm fetch what the store lacks.
 */
const INSTALLS: readonly (readonly string[])[] = [
  // The lockfile must change, so a frozen lockfile (pnpm's default when CI is set) is turned off.
  ['install', '--offline', '--no-frozen-lockfile'],
  ['install', '--no-frozen-lockfile'],
];

/**
 * `signet new-app <name>`: runs the workspace plugin's `app` generator on the workspace (validation
 * first; nothing is written on refusal), then links the new package with `pnpm install`.
 * Resolves with 0 (created); throws a {@link CliError}: 1 created but not installed, 2 refused.
 */
export async function runNewAppCommand(
  options: NewAppCommandOptions,
  io: CommandIo,
  run: RunCommand = spawnCommand,
): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const root = options.root !== undefined ? resolve(cwd, options.root) : findWorkspaceRoot(cwd);
  if (root === undefined)
    throw new CliError(`no pnpm-workspace.yaml at or above ${cwd}; pass --root`, ExitCode.Usage);
  let created;
  try {
    created = await generateAppOnDisk(root, {
      name: options.name,
      ...(options.port !== undefined && { port: options.port }),
      ...(options.namespace !== undefined && { namespace: options.namespace }),
      ...(options.environments !== undefined && { environments: options.environments }),
    });
  } catch (error) {
    // The generator refused before writing anything: a usage error.
    if (error instanceof AppGeneratorError)
      throw new CliError(error.message, ExitCode.Usage, { cause: error });
    throw error;
  }
  const { name, namespace, port, environments, directory } = created.options;
  io.stdout(
    `created ${directory} (${created.files.length} files, buildspecs included): namespace ${namespace}, port ${port}, environments ${environments.join(', ')}\n`,
  );
  for (const file of created.files) io.stdout(`  ${file}\n`);
  if (options.install === false) {
    io.stdout('skipped pnpm install (--no-install); run it before pnpm test\n');
    return ExitCode.Ok;
  }
  for (const args of INSTALLS) {
    io.stdout(`running pnpm ${args.join(' ')} to add ${directory} to the lockfile …\n`);
    if ((await run('pnpm', args, root, io)) === 0) {
      io.stdout(
        `done: pnpm test now runs ${name}'s tests; pnpm plan --env ${environments[0]} shows its repository, namespace and pipeline\n`,
      );
      return ExitCode.Ok;
    }
  }
  throw new CliError(`${directory} was created, but pnpm install failed; run pnpm install, then pnpm test`);
}

/** Adds `new-app` to the program; `run` prints its failure and sets the exit code. */
export function registerNewAppCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('new-app')
    .description(
      'create apps/<name> from the hello-server template: service, tests, Dockerfile, manifests, Signet declaration and buildspecs',
    )
    .argument('<name>', 'app name: a DNS label of 1 to 40 characters starting with a letter')
    .option('--port <port>', 'container port, 1024 to 65535 (default: 8080)')
    .option('--namespace <namespace>', 'Kubernetes namespace (default: the app name)')
    .option('--environments <list>', `comma-separated environments (default: ${ENVIRONMENTS.join(',')})`)
    .option('--no-install', 'do not run pnpm install afterwards')
    .option('--root <dir>', 'workspace root (default: the workspace containing the current directory)')
    .action((name: string, options: Omit<NewAppCommandOptions, 'name'>, command: Command) =>
      run(command, () => runNewAppCommand({ ...options, name }, io)),
    );
}
