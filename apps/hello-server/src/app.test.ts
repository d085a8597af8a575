import type { Service } from '@signet/service-kit';
import { captureLogs, listenOnLoopback, request } from '@signet/service-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const running: Service[] = [];

async function start(env: Record<string, string> = {}): Promise<number> {
  const app = buildApp(loadConfig({ DRAIN_DELAY_MS: '0', ...env }), { logger: captureLogs().logger });
  running.push(app);
  return listenOnLoopback(app);
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.shutdown()));
});

describe('hello-server', () => {
  it('GET / greets with the build identity the environment provides', async () => {
    const port = await start({ APP_VERSION: '1.2.3', GIT_COMMIT: 'abc1234', IMAGE_DIGEST: DIGEST });
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({
      message: 'Hello from hello-server',
      app: 'hello-server',
      version: '1.2.3',
      commit: 'abc1234',
      imageDigest: DIGEST,
    });
  });

  it('GET / leaves out identity fields the environment does not provide', async () => {
    const res = await request(await start(), '/');
    expect(JSON.parse(res.text)).toEqual({ message: 'Hello from hello-server', app: 'hello-server' });
  });

  it("keeps the kit's probes next to its own route", async () => {
    const port = await start();
    expect(JSON.parse((await request(port, '/healthz')).text)).toEqual({ status: 'ok' });
    expect(JSON.parse((await request(port, '/readyz')).text)).toEqual({ status: 'ready' });
  });

  it('listens on its container port unless PORT says otherwise', () => {
    expect(loadConfig({}).port).toBe(8080);
    expect(loadConfig({ PORT: '9999' }).port).toBe(9999);
  });
});
