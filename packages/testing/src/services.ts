import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server a test started on 127.0.0.1; `stop()` ends it and removes its files. */
export interface LocalService {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the socket is closed before the server binds). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Waits until `ready()` answers true; fails with the process's output when it exits first or times out. */
export async function waitUntilReady(
  name: string,
  child: ChildProcess,
  ready: () => Promise<boolean>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`,
      );
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} was not ready after ${timeoutMs} ms:\n${output()}`);
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status < 500;
}

/** Spawns a long-running process and keeps the last 64 KiB of what it prints. */
export function startProcess(
  name: string,
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string },
): { child: ChildProcess; output: () => string } {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => {
    log += `\n${name}: ${error.message}`;
  });
  return { child, output: () => log };
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /**
   * Serve HTTPS with this certificate and key (PEM files) instead of plain HTTP. `ca` is the file
   * that issued the certificate and `serverName` a name it is valid for: readiness is probed with them.
   */
  readonly tls?: {
    readonly certificate: string;
    readonly key: string;
    readonly ca: string;
    readonly serverName: string;
  };
  /** Require basic authentication: one `user:bcrypt-hash` line per user (the registry takes bcrypt only). */
  readonly htpasswd?: string;
}

async function registryAnswers(port: number, tls: RegistryOptions['tls']): Promise<boolean> {
  if (tls === undefined) return httpOk(`http://127.0.0.1:${port}/v2/`);
  const ca = readFileSync(tls.ca);
  return new Promise<boolean>((resolve) => {
    const request = get(
      { host: '127.0.0.1', port, path: '/v2/', servername: tls.serverName, ca, timeout: 2_000 },
      (response) => {
        response.resume();
        // 200, or 401 when it asks for credentials: either way it is up.
        resolve((response.statusCode ?? 500) < 500);
      },
    );
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/**
 * Starts the CNCF distribution registry (Debian's `docker-registry`, 2.8) on 127.0.0.1 with its
 * storage in a scratch folder, over plain HTTP or, with `options.tls`, HTTPS, and optionally with
 * basic authentication. It has no OCI 1.1 Referrers API: notation and oras store and find
 * signatures and SBOMs there through the referrers tag schema (`sha256-<digest>` tags), where ECR
 * answers the Referrers API. What a test proves about signing and verification holds for both;
 * what it proves about where referrers are stored holds for the tag schema only.
 */
export async function startRegistry(binary: string, options: RegistryOptions = {}): Promise<LocalService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'signet-registry-'));
  const config = join(dir, 'config.yml');
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
  ];
  if (options.htpasswd !== undefined) {
    writeFileSync(
      join(dir, 'htpasswd'),
      options.htpasswd.endsWith('\n') ? options.htpasswd : `${options.htpasswd}\n`,
    );
    lines.push('auth:', '  htpasswd:', '    realm: signet-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  lines.push('http:', `  addr: 127.0.0.1:${port}`);
  if (options.tls !== undefined)
    lines.push('  tls:', `    certificate: ${options.tls.certificate}`, `    key: ${options.tls.key}`);
  writeFileSync(config, [...lines, ''].join('\n'));
  const { child, output } = startProcess('registry', binary, ['serve', config], {});
  await waitUntilReady('registry', child, () => registryAnswers(port, options.tls), output, 20_000);
  return {
    host: `127.0.0.1:${port}`,
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    output,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `moto_server` (moto's AWS API emulation) on 127.0.0.1. Point the AWS CLI and SDKs at it
 * with `AWS_ENDPOINT_URL=<url>` and any non-empty test credentials.
 */
export async function startMoto(binary: string): Promise<LocalService> {
  const port = await freePort();
  const { child, output } = startProcess('moto_server', binary, ['-H', '127.0.0.1', '-p', String(port)], {});
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady('moto_server', child, () => httpOk(`${url}/moto-api/`), output, 30_000);
  return { host: `127.0.0.1:${port}`, port, url, output, stop: () => stopProcess(child) };
}

/** Environment for an AWS CLI or SDK call against a moto server: fake credentials, its endpoint. */
export function motoEnvironment(moto: LocalService, region = 'eu-west-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}
