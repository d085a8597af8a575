import type { Command } from 'commander';

/** Where a command writes: stdout carries results, stderr progress and errors. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own streams. */
export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Exit codes of `signet`, as most command lines use them. */
export const ExitCode = {
  Ok: 0,
  /**
   * The operation failed (AWS refused, a stack did not plan, a workspace file does not validate) or
   * found what it looks for (an unsigned image).
   */
  Failure: 1,
  /** Nothing was tried: an unknown option or environment, a missing argument, a bad option value. */
  Usage: 2,
  /** `plan --base`: the plan differs from its base. Not a failure: scripts tell "changes" from "none". */
  Changes: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a failure: everything but {@link ExitCode.Ok} and {@link ExitCode.Changes}. */
export type FailureExitCode = Exclude<ExitCode, typeof ExitCode.Ok | typeof ExitCode.Changes>;

/**
 * A failure the user can act on. Commands only throw it; the program prints
 * `signet <command>: <message>` on stderr and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: FailureExitCode = ExitCode.Failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * Runs a command's body for commander: `command` is the subcommand (it names the failure), `body`
 * resolves with the exit code or throws a {@link CliError}.
 */
export type CommandRunner = (command: Command, body: () => Promise<number>) => Promise<void>;
