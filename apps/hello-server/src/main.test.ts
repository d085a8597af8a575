// Runs main.ts as a real child process (through tsx), the way the container runs dist/main.js.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from './test/http.js';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  readonly logs: Record<string, unknown>[];
  stderr: string;
  /** Resolves with the port once the service logs `listening`. */
  readonly listening: Promise<number>;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

function startMain(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: APP_DIR,
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

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

// Each test starts a process through tsx, which takes seconds on a busy machine.
describe('main', { timeout: 20_000 }, () => {
  it('refuses to start on invalid configuration, naming each variable, value and what is allowed', async () => {
    const child = startMain({ PORT: '99999', LOG_LEVEL: 'chatty' });
    expect(await child.exited).toBe(78);
    expect(child.stderr).toContain('hello-server: invalid configuration');
    expect(child.stderr).toContain('PORT="99999": an integer from 0 to 65535');
    expect(child.stderr).toContain(
      'LOG_LEVEL="chatty": one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(child.logs).toEqual([]);
  });

  it('exits 1 when it cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const child = startMain({ PORT: String((blocker.address() as AddressInfo).port) });
      expect(await child.exited).toBe(1);
      expect(child.logs.find((l) => l.msg === 'cannot listen')).toMatchObject({
        level: 60,
        err: { code: 'EADDRINUSE' },
      });
    } finally {
      blocker.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops on %s and exits 0 when idle', async (signal) => {
    const child = startMain({ DRAIN_DELAY_MS: '50' });
    const port = await child.listening;
    expect((await request(port, '/')).status).toBe(200);
    child.process.kill(signal);
    expect(await child.exited).toBe(0);
    expect(child.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'stop signal received',
        'listener closed, waiting for in-flight requests',
        'stopped',
      ]),
    );
  });

  it('exits 1 when in-flight work outlasts the shutdown grace period', async () => {
    const child = startMain({ DRAIN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '300' });
    const port = await child.listening;
    // A client that never finishes its request head keeps the shutdown from completing.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(1);
      expect(child.logs.find((l) => l.msg === 'shutdown grace period exceeded, exiting')).toMatchObject({
        level: 50,
      });
    } finally {
      socket.destroy();
    }
  });

  it('cuts no request when SIGTERM arrives under concurrent keep-alive load, then exits 0', async () => {
    const child = startMain({ DRAIN_DELAY_MS: '400', SHUTDOWN_GRACE_MS: '10000' });
    const port = await child.listening;
    const expected = (await request(port, '/', { headers: { 'x-request-id': 'first' } })).text;

    const CLIENTS = 16;
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const completed = new Set<string>(['first']);
    const stats = { reused: 0, afterSignal: 0, closeHeader: 0 };
    const broken: string[] = [];
    const failed: { id: string; code: string; reusedSocket: boolean; afterSignal: boolean }[] = [];
    let signalled = false;
    let sequence = 0;

    // Each client sends back to back, each request with its own id, until its first failure: once the
    // listener is closed, a new connection is refused.
    const client = async (n: number): Promise<void> => {
      for (;;) {
        const id = `c${n}-${(sequence += 1)}`;
        try {
          const res = await request(port, '/', { agent, headers: { 'x-request-id': id } });
          completed.add(id);
          if (res.reusedSocket) stats.reused += 1;
          if (signalled) stats.afterSignal += 1;
          if (res.headers.connection === 'close') stats.closeHeader += 1;
          if (res.status !== 200 || res.text !== expected || res.headers['x-request-id'] !== id) {
            broken.push(`${id}: ${res.status} ${res.text}`);
          }
        } catch (err) {
          const { code, reusedSocket } = err as { code: string; reusedSocket: boolean };
          failed.push({ id, code, reusedSocket, afterSignal: signalled });
          return;
        }
      }
    };

    try {
      const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
      while (completed.size < 2_000 && failed.length === 0)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const beforeSignal = completed.size;
      signalled = true;
      child.process.kill('SIGTERM');
      await Promise.all(clients);
      expect(await child.exited).toBe(0);

      const served = new Set(
        child.logs.filter((l) => l.msg === 'request completed').map((l) => l.reqId as string),
      );
      // Every request the server started was answered completely and arrived intact.
      expect(broken).toEqual([]);
      expect([...served].filter((id) => !completed.has(id))).toEqual([]);
      // Every client stopped on a failure after the signal, on a fresh connection, for a request the server
      // never received: ECONNREFUSED once the listener is closed, or ECONNRESET from the kernel for a
      // connection still queued in the listen backlog, never accepted by the process, when it closed.
      expect(failed).toHaveLength(CLIENTS);
      for (const failure of failed) {
        expect(failure).toMatchObject({ afterSignal: true, reusedSocket: false });
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(failure.code);
        expect(served.has(failure.id)).toBe(false);
      }
      // Keep-alive was really in use before the signal, and the server kept answering during the drain,
      // asking clients to reconnect.
      expect(stats.reused).toBeGreaterThan(beforeSignal / 2);
      expect(stats.afterSignal).toBeGreaterThan(0);
      expect(stats.closeHeader).toBeGreaterThan(0);
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
