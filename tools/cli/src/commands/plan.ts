import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { loadBasePlan } from '../plan/base.js';
import { diffPlans, isEmptyDiff } from '../plan/diff.js';
import { DIFF_FORMATS, renderDiffMarkdown, renderDiffText, type DiffFormat } from '../plan/diff-render.js';
import { toPlanDocument, writePlanDocument } from '../plan/document.js';
import { defaultConcurrency, planEnvironment } from '../plan/planner.js';
import { progressFor } from '../plan/progress.js';
import { renderSummary } from '../plan/summary.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet plan`. */
export interface PlanCommandOptions {
  readonly env: string;
  readonly stack?: string;
  /** File to write the JSON plan to, relative to `cwd`. */
  readonly json?: string;
  /** Workspace root; default: the workspace containing `cwd`. */
  readonly root?: string;
  /** Stack processes at once, as typed on the command line. */
  readonly concurrency?: string | number;
  /** A plan file or a git ref to compare with: prints the diff instead of the summary. */
  readonly base?: string;
  /** Format of the diff: `text` (default) or `markdown` (a pull-request comment). */
  readonly format?: string;
  /** File to also write the rendered diff to, relative to `cwd`. */
  readonly diffOut?: string;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * `signet plan`: plans the environment, prints the summary (or, with `--base`, the diff against the
 * base), and writes the JSON plan only when every stack planned. Resolves with 0, or with 3 when a
 * `--base` diff is not empty; throws a {@link CliError}: 1 plan failed, 2 usage error.
 */
export async function runPlanCommand(options: PlanCommandOptions, io: CommandIo): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const root = options.root !== undefined ? resolve(cwd, options.root) : findWorkspaceRoot(cwd);
  if (root === undefined)
    throw new CliError(`no pnpm-workspace.yaml at or above ${cwd}; pass --root`, ExitCode.Usage);
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new CliError(
      `--concurrency must be a positive integer, got "${String(options.concurrency)}"`,
      ExitCode.Usage,
    );
  }
  const format = (options.format ?? 'text') as DiffFormat;
  if (!DIFF_FORMATS.includes(format)) {
    throw new CliError(
      `--format "${options.format}" is not allowed; allowed: ${DIFF_FORMATS.join(', ')}`,
      ExitCode.Usage,
    );
  }
  if (options.base === undefined && (options.format !== undefined || options.diffOut !== undefined)) {
    throw new CliError(
      '--format and --diff-out describe the diff of --base; pass --base <git-ref|plan.json>',
      ExitCode.Usage,
    );
  }
  // The base is read (or planned) first: a wrong --base fails before the head is planned.
  const base =
    options.base === undefined
      ? undefined
      : await loadBasePlan(options.base, {
          cwd,
          root,
          env: options.env,
          ...(options.stack !== undefined && { stack: options.stack }),
          log: (line) => io.stderr(`${line}\n`),
        });
  const plan = await planEnvironment(
    {
      root,
      env: options.env,
      ...(options.stack !== undefined && { stack: options.stack }),
      ...(concurrency !== undefined && { concurrency }),
    },
    progressFor(io),
  );
  const document = toPlanDocument(plan);
  if (options.json !== undefined) {
    const file = resolve(cwd, options.json);
    writePlanDocument(file, document);
    io.stderr(`wrote ${file}\n`);
  }
  if (base === undefined) {
    io.stdout(renderSummary(plan));
    return ExitCode.Ok;
  }
  const diff = diffPlans(base.document, document);
  const rendered = (format === 'markdown' ? renderDiffMarkdown : renderDiffText)(diff, base.label);
  io.stdout(rendered);
  if (options.diffOut !== undefined) {
    const file = resolve(cwd, options.diffOut);
    writeFileSync(file, rendered);
    io.stderr(`wrote ${file}\n`);
  }
  return isEmptyDiff(diff) ? ExitCode.Ok : ExitCode.Changes;
}

/** Adds `plan` to the program; `run` prints its failure and sets the exit code. */
export function registerPlanCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('plan')
    .description(
      "evaluate an environment's stacks under Pulumi's mock runtime, in dependency order, and print what they would create",
    )
    .requiredOption('--env <env>', "environment: selects each stack's Pulumi.<env>.yaml")
    .option(
      '--stack <name>',
      'plan only this stack (its upstream stacks are planned first for their outputs)',
    )
    .option('--json <file>', 'also write the plan as JSON (see docs/plan.md) when the whole plan succeeds')
    .option(
      '--concurrency <n>',
      `stack processes alive at once, started in planning order; a process plans once its upstreams are planned (default: ${defaultConcurrency()} here)`,
    )
    .option(
      '--base <ref|file>',
      'compare with a base: a git ref (planned in a temporary worktree) or a plan written by --json; prints the diff, exit 3 when it is not empty',
    )
    .option('--format <format>', `format of the --base diff: ${DIFF_FORMATS.join(' or ')} (default text)`)
    .option('--diff-out <file>', 'also write the rendered --base diff to this file')
    .option('--root <dir>', 'workspace root (default: the workspace containing the current directory)')
    .action((options: PlanCommandOptions, command: Command) =>
      run(command, () => runPlanCommand(options, io)),
    );
}
