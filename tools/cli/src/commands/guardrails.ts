import {
  appsForEnvironment,
  compactJson,
  discoverApps,
  ENVIRONMENTS,
  environmentGuardrails,
  PolicyInputError,
  readEnvironmentAccounts,
  type GuardrailKind,
  type Guardrails,
} from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { parseEnvironment } from '../ops/environment.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** What `--kind` selects. */
const KINDS = ['scp', 'boundary', 'all'] as const;
type Kind = (typeof KINDS)[number];

/** Options of `signet guardrails`. */
export interface GuardrailsCommandOptions {
  readonly env: string;
  /** `scp`, `boundary` or `all` (default). */
  readonly kind?: string;
  /** The environment's account id; default `*` (any account of the OU). */
  readonly account?: string;
  /** AWS partition; default `aws`. */
  readonly partition?: string;
  /** Workspace root; default: the workspace containing the cwd. */
  readonly root?: string;
}

function parseKind(value: string): Kind {
  if (!(KINDS as readonly string[]).includes(value)) {
    throw new CliError(
      `--kind "${value}" is not a guardrail kind; allowed: ${KINDS.join(', ')}`,
      ExitCode.Usage,
    );
  }
  return value as Kind;
}

/**
 * `signet guardrails --env <env>`: prints the environment's SCP and permissions boundary as JSON,
 * built for the apps the workspace deploys there. One document (`--kind scp|boundary`) is printed
 * compact, as it is submitted and as AWS counts its size; both (`--kind all`) as one indented object.
 */
export function runGuardrailsCommand(
  options: GuardrailsCommandOptions,
  io: CommandIo,
  cwd = process.cwd(),
): number {
  const environment = parseEnvironment(options.env);
  const kind = parseKind(options.kind ?? 'all');
  if (options.account !== undefined && !/^\d{12}$/.test(options.account)) {
    throw new CliError(
      `--account "${options.account}" is not an account id; allowed: 12 digits`,
      ExitCode.Usage,
    );
  }
  const root = options.root ?? findWorkspaceRoot(cwd);
  if (root === undefined)
    throw new CliError(`no pnpm-workspace.yaml at or above ${cwd}; pass --root`, ExitCode.Usage);
  let apps: string[];
  try {
    apps = appsForEnvironment(discoverApps(root), environment).map((app) => app.name);
  } catch (error) {
    throw new CliError(
      `the workspace at ${root} does not describe environment ${environment}: ${(error as Error).message}`,
    );
  }
  // The environment's account where the workspace names it (accounts.json): the default, and a
  // different --account is refused rather than silently preferred.
  let named: string | undefined;
  try {
    named = readEnvironmentAccounts(root)?.[environment];
  } catch (error) {
    throw new CliError((error as Error).message, ExitCode.Failure, { cause: error });
  }
  if (options.account !== undefined && named !== undefined && options.account !== named) {
    throw new CliError(
      `--account "${options.account}" is not the account ${environment} names in accounts.json ("${named}"); allowed: "${named}", or leave --account out`,
      ExitCode.Usage,
    );
  }
  const account = options.account ?? named;
  let guardrails: Guardrails;
  try {
    guardrails = environmentGuardrails(environment, apps, {
      ...(account !== undefined && { accountId: account }),
      ...(options.partition !== undefined && { partition: options.partition }),
    });
  } catch (error) {
    if (error instanceof PolicyInputError)
      throw new CliError(error.message, ExitCode.Failure, { cause: error });
    throw error;
  }
  if (kind === 'all') io.stdout(`${JSON.stringify(guardrails, null, 2)}\n`);
  else io.stdout(`${compactJson(guardrails[kind satisfies GuardrailKind])}\n`);
  return ExitCode.Ok;
}

/** Adds `guardrails` to the program; `run` prints its failure and sets the exit code. */
export function registerGuardrailsCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('guardrails')
    .description(
      "print the environment's SCP and permissions boundary (JSON): only the pipeline roles start stage builds and sign, only the deployer changes projects, profiles and pipelines, only the approver approves",
    )
    .requiredOption('--env <env>', `environment: ${ENVIRONMENTS.join(', ')}`)
    .option('--kind <kind>', `which document: ${KINDS.join(', ')} (default: all)`)
    .option(
      '--account <id>',
      "the environment's account id (default: the one accounts.json names, else any account the SCP is attached to)",
    )
    .option('--partition <partition>', 'AWS partition (default: aws)')
    .option('--root <dir>', 'workspace root (default: the workspace containing the current directory)')
    .action((options: GuardrailsCommandOptions, command: Command) =>
      run(command, () => Promise.resolve(runGuardrailsCommand(options, io))),
    );
}
