import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerDecommissionCommand } from './commands/decommission.js';
import { registerDrillCommand } from './commands/drill.js';
import { registerGuardrailsCommand } from './commands/guardrails.js';
import { registerNewAppCommand } from './commands/new-app.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRevokeCommand } from './commands/revoke.js';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from './io.js';

/**
 * Runs one command and turns its outcome into the exit code: the only place a failure is printed.
 * A {@link CliError} becomes `signet <name>: <message>` on stderr and its exit code; any other error
 * is a bug and propagates, so it reaches the terminal with its stack.
 */
export async function runCommand(name: string, io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.stderr(`signet ${name}: ${error.message}\n`);
    return error.exitCode;
  }
}

/** The `signet` command line; each subcommand registers itself and runs through {@link runCommand}. */
export function createProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('signet')
    .description('Signet: signed container delivery on AWS')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const run: CommandRunner = async (command, body) => {
    setExitCode(await runCommand(command.name(), io, body));
  };
  registerPlanCommand(program, io, run);
  registerRevokeCommand(program, io, run);
  registerAuditCommand(program, io, run);
  registerDecommissionCommand(program, io, run);
  registerDrillCommand(program, io, run);
  registerGuardrailsCommand(program, io, run);
  registerNewAppCommand(program, io, run);
  return program;
}

/**
 * Parses the arguments and runs the command. Commander prints its own usage errors (unknown option,
 * missing argument); they exit with {@link ExitCode.Usage}, `--help` and `--version` with 0.
 */
export async function runProgram(
  argv: readonly string[],
  io: CommandIo,
  setExitCode: (code: number) => void,
): Promise<void> {
  try {
    await createProgram(io, setExitCode).parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    setExitCode(error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
  }
}
