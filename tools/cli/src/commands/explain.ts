import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { toPlanDocument } from '../plan/document.js';
import { planEnvironment } from '../plan/planner.js';
import { progressFor } from '../plan/progress.js';
import { buildTrustMap } from '../plan/trust-map.js';
import { formatMarkdown, regenerateCommand, renderTrustMap } from '../plan/trust-map-render.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet explain`. */
export interface ExplainCommandOptions {
  readonly env: string;
  /** File to write the Markdown to, relative to `cwd`; default stdout. */
  readonly out?: string;
  readonly root?: string;
  readonly cwd?: string;
}

/**
 * `signet explain`: plans every stack of the environment and writes its trust map (Markdown with a
 * Mermaid diagram). Resolves with 0; throws a {@link CliError}: 1 the plan failed, 2 usage error.
 */
export async function runExplainCommand(options: ExplainCommandOptions, io: CommandIo): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const root = options.root !== undefined ? resolve(cwd, options.root) : findWorkspaceRoot(cwd);
  if (root === undefined)
    throw new CliError(`no pnpm-workspace.yaml at or above ${cwd}; pass --root`, ExitCode.Usage);
  const plan = await planEnvironment({ root, env: options.env }, progressFor(io));
  const file = options.out !== undefined ? resolve(cwd, options.out) : undefined;
  // The file names the command that regenerates it, from the workspace root.
  const command = file !== undefined ? regenerateCommand(options.env, relative(root, file)) : undefined;
  const markdown = await formatMarkdown(
    renderTrustMap(buildTrustMap(toPlanDocument(plan)), command),
    file ?? join(root, 'trust-map.md'),
  );
  if (file === undefined) {
    io.stdout(markdown);
  } else {
    writeFileSync(file, markdown);
    io.stderr(`wrote ${file}\n`);
  }
  return ExitCode.Ok;
}

/** Adds `explain` to the program. */
export function registerExplainCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('explain')
    .description(
      "write an environment's trust map from its plan: who signs what, what each namespace admits, what each role may do, where a revocation takes effect",
    )
    .requiredOption('--env <env>', "environment: selects each stack's Pulumi.<env>.yaml")
    .option('--out <file>', 'write the Markdown to this file (default: stdout)')
    .option('--root <dir>', 'workspace root (default: the workspace containing the current directory)')
    .action((options: ExplainCommandOptions, command: Command) =>
      run(command, () => runExplainCommand(options, io)),
    );
}
