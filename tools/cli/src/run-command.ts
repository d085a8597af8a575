import { Command, CommanderError } from 'commander';
import { CliError, ExitCode, type CommandIo } from './io.js';

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

/** The `signet` command line without subcommands: usage errors and help go to `io`. */
export function baseCommandLine(io: CommandIo): Command {
  return new Command('signet')
    .description('Signet: signed container delivery on AWS')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
}

/**
 * Parses the arguments and runs the command. Commander prints its own usage errors (unknown option,
 * missing argument); they exit with {@link ExitCode.Usage}, `--help` and `--version` with 0.
 */
export async function parseCommandLine(
  program: Command,
  argv: readonly string[],
  setExitCode: (code: number) => void,
): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    setExitCode(error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
  }
}
