import type { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerDecommissionCommand } from './commands/decommission.js';
import { registerDrillCommand } from './commands/drill.js';
import { registerGuardrailsCommand } from './commands/guardrails.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerNewAppCommand } from './commands/new-app.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerMirrorPluginCommand } from './commands/mirror-plugin.js';
import { registerPromoteCommand } from './commands/promote.js';
import { registerRevokeCommand } from './commands/revoke.js';
import type { CommandIo, CommandRunner } from './io.js';
import { baseCommandLine, parseCommandLine, runCommand } from './run-command.js';

export { runCommand };

/** The `signet` command line; each subcommand registers itself and runs through {@link runCommand}. */
export function createProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = baseCommandLine(io);
  const run: CommandRunner = async (command, body) => {
    setExitCode(await runCommand(command.name(), io, body));
  };
  registerPlanCommand(program, io, run);
  registerRevokeCommand(program, io, run);
  registerMirrorPluginCommand(program, io, run);
  registerPromoteCommand(program, io, run);
  registerAuditCommand(program, io, run);
  registerDecommissionCommand(program, io, run);
  registerDrillCommand(program, io, run);
  registerGuardrailsCommand(program, io, run);
  registerNewAppCommand(program, io, run);
  registerExplainCommand(program, io, run);
  return program;
}

/** Parses the arguments and runs the command (see {@link parseCommandLine} for the exit codes). */
export async function runProgram(
  argv: readonly string[],
  io: CommandIo,
  setExitCode: (code: number) => void,
): Promise<void> {
  await parseCommandLine(createProgram(io, setExitCode), argv, setExitCode);
}
