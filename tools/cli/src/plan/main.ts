/**
 * `pnpm plan`: the `signet` command line with `plan` alone. `signet plan` runs the same command; this
 * entry only spares the planning process the modules of the other commands (the AWS SDK clients,
 * the stacks' config schemas, the Nx generators), which cost it about as much CPU as a stack.
 */
import { registerPlanCommand } from '../commands/plan.js';
import { processIo, type CommandRunner } from '../io.js';
import { baseCommandLine, parseCommandLine, runCommand } from '../run-command.js';

const setExitCode = (code: number): void => {
  process.exitCode = code;
};
const program = baseCommandLine(processIo);
const run: CommandRunner = async (command, body) => {
  setExitCode(await runCommand(command.name(), processIo, body));
};
registerPlanCommand(program, processIo, run);
await parseCommandLine(program, process.argv, setExitCode);
