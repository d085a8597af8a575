import { CommanderError } from 'commander';
import { processIo } from './io.js';
import { createProgram } from './program.js';

/** Usage errors (unknown option, missing argument) exit with 2, like most command lines. */
const USAGE_ERROR = 2;

const program = createProgram(processIo, (code) => {
  process.exitCode = code;
});
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? 0 : USAGE_ERROR;
}
