import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlanRequest, PlanResponse } from './protocol.js';

// The child runs from source like the parent (TypeScript through tsx, workspace packages through
// their `development` export), so a fresh clone plans without a build.
const CHILD_ENTRY = fileURLToPath(
  new URL(`./child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
const TSX_LOADER = import.meta.resolve('tsx');
// Node's on-disk compile cache (keyed by source content) saves about a quarter of each child's
// CPU: every child loads the same Pulumi SDK. https://nodejs.org/api/module.html#module-compile-cache
const COMPILE_CACHE = fileURLToPath(new URL('../../node_modules/.cache/signet-plan', import.meta.url));

/** The child's answer plus what it printed on stderr (Pulumi warnings, stack traces). */
export interface ChildOutcome {
  readonly response: PlanResponse | undefined;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Plans one stack in its own Node process and waits for its answer or its death. */
export function runChild(request: PlanRequest, cwd: string): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [], {
      cwd,
      execArgv: ['--conditions=development', '--import', TSX_LOADER],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        NODE_COMPILE_CACHE: process.env['NODE_COMPILE_CACHE'] ?? COMPILE_CACHE,
        // Config comes from the stack's files only, never from the caller's environment.
        PULUMI_CONFIG: undefined,
        PULUMI_CONFIG_SECRET_KEYS: undefined,
      },
    });
    let response: PlanResponse | undefined;
    let stderr = '';
    // A program's console output would corrupt the parent's stdout (the summary); keep it with stderr.
    child.stdout?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (message: PlanResponse) => {
      response = message;
    });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve({ response, stderr, exitCode, signal }));
    child.send(request);
  });
}
