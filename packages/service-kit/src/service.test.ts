import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';
import { createService, type Service, type ServiceOptions } from './service.js';
import { staticReply } from './routes.js';
import { captureLogs, listenOnLoopback, request } from './testing/index.js';

/** A generated request id: 128 random bits as 32 lowercase hex characters. */
const GENERATED_ID = /^[0-9a-f]{32}$/;

/** The app's own route of these tests: what an app adds on top of the kit's probes. */
const GREETING = { message: 'Hello from sample-app' };
const appRoutes = { '/': () => staticReply(200, GREETING) };

interface Started {
  readonly app: Service;
  readonly port: number;
  /** Parsed log lines written so far. */
  readonly logs: Record<string, unknown>[];
}

const running: Service[] = [];

const config = (env: Record<string, string> = {}) =>
  loadServiceConfig(
    { HOST: '127.0.0.1', PORT: '0', DRAIN_DELAY_MS: '0', ...env },
    { app: 'sample-app', port: 8080 },
  );

async function start(env: Record<string, string> = {}, options: ServiceOptions = {}): Promise<Started> {
  const { logger, entries } = captureLogs('info');
  const app = createService(config(env), { logger, ...options, routes: { ...appRoutes, ...options.routes } });
  running.push(app);
  return { app, port: await listenOnLoopback(app), logs: entries };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.shutdown()));
});

describe('routes', () => {
  it("serves the app's routes as JSON with the security headers", async () => {
    const { port } = await start();
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(res.text)).toEqual(GREETING);
  });

  it('passes the request to a handler and serialises an object body', async () => {
    const { port } = await start(
      {},
      { routes: { '/echo': (req: IncomingMessage) => ({ status: 200, body: { method: req.method } }) } },
    );
    const res = await request(port, '/echo?x=1');
    expect([res.status, JSON.parse(res.text)]).toEqual([200, { method: 'GET' }]);
  });

  it('HEAD answers like GET without a body', async () => {
    const { port } = await start();
    const res = await request(port, '/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(res.text).toBe('');
  });

  it('GET /healthz and /readyz answer 200 while serving, ignoring a query string', async () => {
    const { port, app } = await start();
    expect(app.ready).toBe(true);
    const live = await request(port, '/healthz?probe=1');
    expect([live.status, JSON.parse(live.text)]).toEqual([200, { status: 'ok' }]);
    const ready = await request(port, '/readyz');
    expect([ready.status, JSON.parse(ready.text)]).toEqual([200, { status: 'ready' }]);
  });

  it('answers an unknown path with a JSON 404 carrying the request id', async () => {
    const { port } = await start();
    const res = await request(port, '/nope', { headers: { 'x-request-id': 'trace-404' } });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({ statusCode: 404, error: 'Not Found', requestId: 'trace-404' });
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    'answers %s on a known path with a JSON 405 and Allow',
    async (method) => {
      const { port } = await start();
      const res = await request(port, '/healthz', { method });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    },
  );

  it('keeps built-in routes when extra routes use the same paths', async () => {
    const { port } = await start(
      {},
      { routes: { '/readyz': () => ({ status: 200, body: { hijacked: true } }) } },
    );
    expect(JSON.parse((await request(port, '/readyz')).text)).toEqual({ status: 'ready' });
  });

  it('rejects a request head larger than the header limit with 431', async () => {
    const { port } = await start();
    const res = await request(port, '/', { headers: { 'x-padding': 'a'.repeat(17 * 1024) } });
    expect(res.status).toBe(431);
  });

  it('applies timeouts that outlast an ALB idle timeout of 60 s', async () => {
    const { app } = await start();
    const { server } = app;
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(server.requestTimeout).toBeGreaterThanOrEqual(server.headersTimeout);
  });
});

describe('errors', () => {
  const secret = 'db password is hunter2';

  it.each([
    [
      'a handler that throws',
      () => {
        throw new Error(secret);
      },
    ],
    ['a handler that rejects', () => Promise.reject(new Error(secret))],
  ])('turns %s into a bare JSON 500 and logs the error with its stack', async (_name, handler) => {
    const { port, logs } = await start({}, { routes: { '/boom': handler } });
    const res = await request(port, '/boom', { headers: { 'x-request-id': 'trace-500' } });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      requestId: 'trace-500',
    });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain('at ');
    const logged = logs.find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ level: 50, reqId: 'trace-500', err: { message: secret } });
    expect((logged?.err as { stack: string }).stack).toContain('service.test.ts');
  });

  it.each([
    ['a status Node rejects', { status: 1000, body: {} }],
    ['a body JSON cannot serialise', { status: 200, body: { count: 1n } }],
  ])('answers a bare 500 when a handler returns %s', async (_name, value) => {
    const { port, logs } = await start(
      {},
      { routes: { '/bad': () => value, '/bad-later': async () => value } },
    );
    for (const path of ['/bad', '/bad-later']) {
      const res = await request(port, path);
      expect([res.status, JSON.parse(res.text)]).toEqual([
        500,
        { statusCode: 500, error: 'Internal Server Error', requestId: res.headers['x-request-id'] },
      ]);
    }
    expect(logs.filter((line) => line.msg === 'request failed')).toHaveLength(2);
    // The server is still up.
    expect((await request(port, '/healthz')).status).toBe(200);
  });

  it('serves extra async routes', async () => {
    const { port } = await start(
      {},
      { routes: { '/later': async () => ({ status: 202, body: { later: true } }) } },
    );
    const res = await request(port, '/later');
    expect([res.status, JSON.parse(res.text)]).toEqual([202, { later: true }]);
  });
});

describe('request id and logs', () => {
  it('echoes a sane incoming x-request-id', async () => {
    const { port } = await start();
    const res = await request(port, '/', {
      headers: { 'x-request-id': 'Root=1-67891233-abcdef012345678912345678' },
    });
    expect(res.headers['x-request-id']).toBe('Root=1-67891233-abcdef012345678912345678');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with quotes', 'a"b'],
    ['with braces', '{"level":60}'],
  ])('replaces an incoming id %s by a fresh random id', async (_name, incoming) => {
    const { port, logs } = await start();
    const res = await request(port, '/', { headers: { 'x-request-id': incoming } });
    const id = res.headers['x-request-id'];
    expect(id).toMatch(GENERATED_ID);
    expect(logs.some((line) => line.reqId === incoming)).toBe(false);
  });

  it('generates a distinct id per request when none is sent', async () => {
    const { port } = await start();
    const a = await request(port, '/');
    const b = await request(port, '/');
    expect(a.headers['x-request-id']).toMatch(GENERATED_ID);
    expect(b.headers['x-request-id']).toMatch(GENERATED_ID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('writes one JSON line per request with its id, method, path and status, never the query string', async () => {
    const { logger, lines } = captureLogs('info');
    const app = createService(config(), { logger, routes: appRoutes });
    running.push(app);
    const port = await listenOnLoopback(app);
    await request(port, '/healthz?token=secret', { headers: { 'x-request-id': 'trace-log' } });
    await request(port, '/missing');

    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      reqId: 'trace-log',
      method: 'GET',
      path: '/healthz',
      status: 200,
    });
    expect(typeof parsed[0]?.ms).toBe('number');
    expect(parsed[1]).toMatchObject({ path: '/missing', status: 404 });
    expect(parsed[1]?.reqId).toMatch(GENERATED_ID);
    expect(lines.join('')).not.toContain('secret');
  });

  it('logs nothing per request below the configured level', async () => {
    const { logger, lines } = captureLogs('warn');
    const app = createService(config(), { logger, routes: appRoutes });
    running.push(app);
    await request(await listenOnLoopback(app), '/');
    expect(lines).toEqual([]);
  });
});
