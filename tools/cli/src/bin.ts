import { processIo } from './io.js';
import { runProgram } from './program.js';

// An error other than a CliError is a bug: it is left uncaught so Node prints its stack and exits 1.
await runProgram(process.argv, processIo, (code) => {
  process.exitCode = code;
});
