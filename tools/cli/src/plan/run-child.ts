import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PlanBundle } from './bundle.js';
import type { PlanRequest, PlanResponse } from './protocol.js';

/** The child entry's source: bundled with each stack program (see bundle.ts). */
export const CHILD_ENTRY = fileURLToPath(
  new URL(`./child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
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

/** A started plan process: it loads its bundle's modules at once and plans when asked. */
export interface PlanChild {
  /** Sends the request and waits for the answer or the death of the process. */
  plan(request: PlanRequest): Promise<ChildOutcome>;
  /** Ends a process that was never asked to plan (the plan stopped before its turn). */
  kill(): void;
}

/**
 * Starts one stack's plan process from its bundle. The process starts loading the program's
 * modules right away, before its upstream stacks are planned, so that work overlaps theirs.
 */
export function startChild(bundle: PlanBundle, cwd: string): PlanChild {
  const child = fork(bundle.child, bundle.preload, {
    cwd,
    // The bundle resolved third-party imports with this condition; their own imports use it too.
    // The hooks defer SDK modules a plan never uses (lazy-modules.ts).
    execArgv: ['--conditions=development', `--import=${pathToFileURL(bundle.hooks).href}`],
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
  const outcome = new Promise<ChildOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve({ response, stderr, exitCode, signal }));
  });
  // Nobody awaits a killed child's outcome; its spawn error must not go unhandled.
  outcome.catch(() => undefined);
  return {
    plan(request) {
      if (child.connected) child.send(request);
      return outcome;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
