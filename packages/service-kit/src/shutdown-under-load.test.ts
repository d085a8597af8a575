// SIGTERM under keep-alive load: the drain must answer every request a client sends, then exit 0.
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, startSampleService } from './test/child-process.js';
import { request } from './testing/index.js';

afterEach(killChildren);

const CLIENTS = 16;
const SHUTDOWN_GRACE_MS = 10_000;

describe('runService under load', () => {
  it('cuts no request when SIGTERM arrives under keep-alive load from 16 clients, then exits 0', async ({
    annotate,
  }) => {
    const child = startSampleService({
      DRAIN_DELAY_MS: '1000',
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    });
    const port = await child.listening;
    const expected = (await request(port, '/', { headers: { 'x-request-id': 'first' } })).text;

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
      const signalledAt = Date.now();
      child.process.kill('SIGTERM');
      await Promise.all(clients);
      const code = await child.exited;
      const stoppedAfterMs = Date.now() - signalledAt;

      const served = new Set(
        child.logs.filter((l) => l.msg === 'request completed').map((l) => l.reqId as string),
      );
      const refused = failed.filter((f) => f.code === 'ECONNREFUSED');
      const cut = failed.filter((f) => f.code !== 'ECONNREFUSED');
      await annotate(
        `served after SIGTERM: ${stats.afterSignal}; resets/errors: ${cut.length} ${JSON.stringify(cut)}; refused: ${refused.length}; exit ${code} after ${stoppedAfterMs} ms`,
      );

      expect(code).toBe(0);
      expect(stoppedAfterMs).toBeLessThan(SHUTDOWN_GRACE_MS);
      expect(child.logs.some((l) => l.msg === 'shutdown grace period exceeded, exiting')).toBe(false);
      // No request was cut: no reset, no hang-up, no broken answer; every request the server started was
      // answered completely.
      expect(cut).toEqual([]);
      expect(broken).toEqual([]);
      expect([...served].filter((id) => !completed.has(id))).toEqual([]);
      // Each client stopped because the listener had closed: its connection was refused, so the request was
      // never sent (it is safe to retry elsewhere).
      expect(refused).toHaveLength(CLIENTS);
      for (const failure of refused) {
        expect(failure).toMatchObject({ afterSignal: true, reusedSocket: false });
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
