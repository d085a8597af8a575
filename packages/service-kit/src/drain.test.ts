import { Agent } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadServiceConfig } from './config.js';
import { IDLE_CLOSE_DELAY_MS, SETTLE_MS } from './drain.js';
import { staticReply } from './routes.js';
import { createService, type Service, type ServiceOptions } from './service.js';
import { captureLogs, listenOnLoopback, request } from './testing/index.js';

const running: Service[] = [];
const sockets: Socket[] = [];
const agents: Agent[] = [];

async function start(env: Record<string, string> = {}, options: ServiceOptions = {}) {
  const config = loadServiceConfig(
    { HOST: '127.0.0.1', PORT: '0', DRAIN_DELAY_MS: '0', ...env },
    { app: 'sample-app', port: 8080 },
  );
  const { logger, entries } = captureLogs('info');
  const app = createService(config, {
    logger,
    ...options,
    routes: { '/': () => staticReply(200, { hello: true }), ...options.routes },
  });
  running.push(app);
  return { app, port: await listenOnLoopback(app), logs: entries };
}

/** A keep-alive agent with one socket, so consecutive requests share a connection. */
function keepAlive(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

/** A raw TCP connection, resolved once the server has accepted it. */
async function accepted(app: Service, port: number): Promise<Socket> {
  const onServer = new Promise<void>((resolve) => app.server.once('connection', () => resolve()));
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await onServer;
  return socket;
}

/** Everything the server sends on `socket` until it closes the connection. */
function received(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  socket.on('error', (err) => (text += `[${(err as NodeJS.ErrnoException).code}]`));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

const listenerClosed = (app: Service) => vi.waitFor(() => expect(app.server.listening).toBe(false));

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(running.splice(0).map((app) => app.shutdown()));
});

describe('graceful shutdown', () => {
  it('turns readiness false at once, keeps serving with Connection: close, then refuses connections', async () => {
    const { app, port } = await start({ DRAIN_DELAY_MS: '300' });
    const stopped = app.shutdown();
    expect(app.ready).toBe(false);

    const ready = await request(port, '/readyz');
    expect([ready.status, JSON.parse(ready.text)]).toEqual([503, { status: 'draining' }]);
    expect(ready.headers.connection).toBe('close');
    const live = await request(port, '/healthz');
    expect(live.status).toBe(200);
    const greeting = await request(port, '/');
    expect([greeting.status, greeting.headers.connection]).toEqual([200, 'close']);

    await stopped;
    await expect(request(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('asks keep-alive clients to reconnect while draining, then stops asking before the listener closes', async () => {
    // A drain delay long enough that each phase outlasts a request by far.
    const { app, port, logs } = await start({ DRAIN_DELAY_MS: String(4 * SETTLE_MS) });
    const agent = keepAlive();
    expect((await request(port, '/', { agent })).headers.connection).toBe('keep-alive');
    const started = Date.now();
    const stopped = app.shutdown();

    // Draining: every response asks the client to reconnect (a keep-alive request, so the ask is the server's).
    const draining = await request(port, '/', { agent });
    expect(draining.headers.connection).toBe('close');
    expect(Date.now() - started).toBeLessThan(3 * SETTLE_MS);

    // Settling, the last SETTLE_MS of the delay: readiness is still false, but clients are not sent away.
    await sleep(3 * SETTLE_MS + SETTLE_MS / 5 - (Date.now() - started));
    const settling = await request(port, '/readyz', { agent });
    expect([settling.status, settling.headers.connection]).toEqual([503, 'keep-alive']);
    expect(app.server.listening).toBe(true);

    await stopped;
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'shutdown started: readiness is false, draining',
        'listener closed, waiting for in-flight requests',
        'all connections closed',
      ]),
    );
  });

  it('returns the same promise when called twice', async () => {
    const { app } = await start();
    expect(app.shutdown()).toBe(app.shutdown());
  });

  it('finishes a request in flight when the listener closes, and only then resolves', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { app, port } = await start(
      {},
      {
        routes: {
          '/slow': async () => {
            entered();
            await gate;
            return { status: 200, body: { done: true } };
          },
        },
      },
    );
    const slow = request(port, '/slow');
    await inHandler;

    let resolved = false;
    const stopped = app.shutdown().then(() => (resolved = true));
    // The listener is closed (no drain delay) while the handler still waits.
    await sleep(50);
    await expect(request(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(resolved).toBe(false);

    release();
    const res = await slow;
    expect([res.status, JSON.parse(res.text), res.headers.connection]).toEqual([
      200,
      { done: true },
      'close',
    ]);
    await stopped;
    expect(resolved).toBe(true);
  });

  it('answers the first request of a connection accepted just before the listener closed', async () => {
    const { app, port } = await start();
    // Accepted, but its request is still on the wire when the listener closes.
    const socket = await accepted(app, port);
    const response = received(socket);
    const stopped = app.shutdown();
    await listenerClosed(app);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: late-first\r\n\r\n');

    const text = await response;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(text).toContain('x-request-id: late-first');
    expect(text.endsWith('{"hello":true}')).toBe(true);
    await stopped;
  });

  it('answers the next request on a keep-alive connection that was idle when the listener closed', async () => {
    const { app, port } = await start();
    const agent = keepAlive();
    const first = await request(port, '/', { agent });
    expect(first.headers.connection).toBe('keep-alive');
    const stopped = app.shutdown();
    await listenerClosed(app);

    const next = await request(port, '/', { agent });
    expect([next.status, next.reusedSocket, next.headers.connection]).toEqual([200, true, 'close']);
    await stopped;
  });

  it('closes idle keep-alive sockets once they had time for a request', async () => {
    const { app, port } = await start({ DRAIN_DELAY_MS: '100' });
    const agent = keepAlive();
    const first = await request(port, '/', { agent });
    expect(first.headers.connection).toBe('keep-alive');
    const [socket] = Object.values(agent.freeSockets).flat();
    expect(socket).toBeDefined();
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
    await app.shutdown();
    await closed;
  });

  it('closes a connection that sends nothing after the idle delay, and then resolves', async () => {
    const { app, port } = await start();
    const socket = await accepted(app, port);
    const response = received(socket);
    let resolved = false;
    const stopped = app.shutdown().then(() => (resolved = true));
    await listenerClosed(app);
    await sleep(IDLE_CLOSE_DELAY_MS / 2);
    expect(resolved).toBe(false);
    // Closed without a byte sent: there was no request to answer.
    expect(await response).toBe('');
    await stopped;
  });

  it('closes the listener but waits for a connection still sending its request head', async () => {
    const { app, port } = await start({ DRAIN_DELAY_MS: '0' });
    const socket = await accepted(app, port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let resolved = false;
    const stopped = app.shutdown().then(() => (resolved = true));
    // Past the idle delay: a half-sent request is not idle. runService bounds it with the grace period.
    await sleep(IDLE_CLOSE_DELAY_MS + 200);
    expect(resolved).toBe(false);
    await expect(request(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    socket.destroy();
    await stopped;
  });
});
