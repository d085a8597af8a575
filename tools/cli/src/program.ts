import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerDecommissionCommand } from './commands/decommission.js';
import { registerNewAppCommand } from './commands/new-app.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRevokeCommand } from './commands/revoke.js';
import type { CommandIo } from './io.js';

/** The `signet` command line; each subcommand registers itself. */
export function createProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('signet')
    .description('Signet: signed container delivery on AWS')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  registerPlanCommand(program, io, setExitCode);
  registerRevokeCommand(program, io, setExitCode);
  registerAuditCommand(program, io, setExitCode);
  registerDecommissionCommand(program, io, setExitCode);
  registerNewAppCommand(program, io, setExitCode);
  return program;
}
