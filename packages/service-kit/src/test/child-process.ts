// Test helper: runs the sample service (sample-service.ts) as a real child process through tsx, the way a
// container runs an app's dist/main.js, and follows its JSON log lines.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KIT_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  readonly logs: Record<string, unknown>[];
  stderr: string;
  /** Resolves with the port once the service logs `listening`. */
  readonly listening: Promise<number>;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

export function startSampleService(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/test/sample-service.ts'], {
    cwd: KIT_DIR,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  const result: Child = {
    process: child,
    logs,
    stderr: '',
    listening: new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') resolve(entry.port as number);
        }
      });
      child.once('exit', () => reject(new Error(`exited before listening: ${result.stderr}`)));
    }),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (result.stderr += chunk));
  // Tests that expect an early exit never await `listening`; its rejection is not an error for them.
  result.listening.catch(() => undefined);
  return result;
}

/** Kills every child still running (for afterEach). */
export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}
