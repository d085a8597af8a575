// Runs the sample service as a real child process, the way a container runs an app's entry point.
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, startSampleService } from './test/child-process.js';
import { request } from './testing/index.js';

afterEach(killChildren);

// Each test starts a process through tsx, which takes seconds on a busy machine.
describe('runService', { timeout: 20_000 }, () => {
  it('refuses to start on invalid configuration, naming each variable, value and what is allowed', async () => {
    const child = startSampleService({ PORT: '99999', LOG_LEVEL: 'chatty' });
    expect(await child.exited).toBe(78);
    expect(child.stderr).toContain('sample-service: invalid configuration');
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
      const child = startSampleService({ PORT: String((blocker.address() as AddressInfo).port) });
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
    const child = startSampleService({ DRAIN_DELAY_MS: '50' });
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

  it('logs a second stop signal and carries on with the shutdown already started', async () => {
    const child = startSampleService({ DRAIN_DELAY_MS: '300' });
    await child.listening;
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);
    expect(child.logs.find((l) => l.msg === 'shutdown already in progress')).toMatchObject({
      level: 40,
      signal: 'SIGINT',
    });
    expect(child.logs.filter((l) => l.msg === 'stop signal received')).toHaveLength(1);
  });

  it('exits 1 when in-flight work outlasts the shutdown grace period', async () => {
    const child = startSampleService({ DRAIN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '300' });
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
});
