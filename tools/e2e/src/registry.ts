import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_TOOLS } from '@signet/buildspec';
import {
  SIGNER_PLUGIN_EXECUTABLE,
  SIGNER_PLUGIN_NAME,
  SIGNER_PLUGIN_SOURCE,
} from '@signet/buildspec/testing';
import {
  freePort,
  requireEngine,
  requireTestEngine,
  startRegistry,
  type LocalService,
} from '@signet/testing';
import { REGISTRY_HOST } from './plan.js';
import type { Pki } from './pki.js';

const run = promisify(execFile);

/** A key and certificate from `notation cert generate-test`. */
export interface SigningKey {
  readonly key: string;
  readonly cert: string;
  readonly pem: string;
}

/** The drill's registry: served under the ECR hostname of the plan through a CONNECT proxy. */
export interface DrillRegistry {
  readonly registry: LocalService;
  /** Environment of every process that reaches the registry (crane, notation, the verifier). */
  readonly env: Readonly<Record<string, string>>;
  /** The folder notation is configured in (`XDG_CONFIG_HOME`), with the signer plugin stand-in. */
  readonly notationHome: string;
  /**
   * The keys the TrustStore trusts, standing in for AWS Signer's: `trusted` signs as the build
   * (pipeline) identities, `release` as the release identities. `untrusted` is one it does not hold.
   */
  readonly trusted: SigningKey;
  readonly release: SigningKey;
  readonly untrusted: SigningKey;
  /** Pushes a one-layer image to `repository` and returns its digest reference. */
  push(repository: string, content: string): Promise<string>;
  /** Signs `reference` as AWS Signer's plugin does, under `profileArn`, with `key`. */
  sign(reference: string, profileArn: string, key: SigningKey): Promise<void>;
  stop(): Promise<void>;
}

/** A CONNECT proxy that tunnels the plan's ECR hostname to the registry and refuses everything else. */
async function startProxy(registryPort: number): Promise<{ url: string; close: () => Promise<void> }> {
  const tunnels = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    response.writeHead(403).end('the drill proxy tunnels HTTPS to the ECR hostname only\n');
  });
  server.on('connect', (request, socket, head) => {
    if (request.url !== `${REGISTRY_HOST}:443`) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    tunnels.add(socket as Socket);
    socket.on('close', () => tunnels.delete(socket as Socket));
    const upstream = connect(registryPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = async () => {
    for (const socket of tunnels) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}`, close };
}

/** Installs the AWS Signer plugin stand-in where notation (and notation-go) look for plugins. */
export function installSignerPlugin(pluginsDir: string): void {
  const dir = join(pluginsDir, SIGNER_PLUGIN_NAME);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, SIGNER_PLUGIN_EXECUTABLE);
  writeFileSync(file, SIGNER_PLUGIN_SOURCE);
  chmodSync(file, 0o755);
}

/** Starts the registry and proxy, and makes the three signing keys. */
export async function startDrillRegistry(pki: Pki, dir: string): Promise<DrillRegistry> {
  const serving = pki.issue({
    name: 'registry',
    commonName: REGISTRY_HOST,
    dnsNames: [REGISTRY_HOST],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const registry = await startRegistry(requireTestEngine('docker-registry'), {
    tls: { certificate: serving.cert, key: serving.key, ca: pki.ca.cert, serverName: REGISTRY_HOST },
  });
  const proxy = await startProxy(registry.port);
  const env = {
    HTTPS_PROXY: proxy.url,
    NO_PROXY: '127.0.0.1,localhost',
    SSL_CERT_FILE: pki.ca.cert,
  };
  const notationHome = join(dir, 'notation-home');
  mkdirSync(notationHome, { recursive: true });
  installSignerPlugin(join(notationHome, 'notation', 'plugins'));
  const notation = requireEngine('notation', DEFAULT_TOOLS.notation.version);
  const crane = requireTestEngine('crane');
  const clientEnv = {
    ...env,
    PATH: process.env['PATH'] ?? '',
    HOME: notationHome,
    XDG_CONFIG_HOME: notationHome,
  };
  const makeKey = async (name: string): Promise<SigningKey> => {
    await run(notation, ['cert', 'generate-test', name], { env: clientEnv });
    const base = join(notationHome, 'notation', 'localkeys', name);
    return { key: `${base}.key`, cert: `${base}.crt`, pem: readFileSync(`${base}.crt`, 'utf8') };
  };
  // One after the other: each writes the same signingkeys.json.
  const trusted = await makeKey('signet-drill-signer');
  const release = await makeKey('signet-drill-release');
  const untrusted = await makeKey('signet-drill-untrusted');
  let layers = 0;
  return {
    registry,
    env,
    notationHome,
    trusted,
    release,
    untrusted,
    async push(repository, content) {
      const layer = join(dir, `layer-${++layers}.tar`);
      const file = join(dir, `layer-${layers}`, 'payload.txt');
      mkdirSync(join(dir, `layer-${layers}`), { recursive: true });
      writeFileSync(file, content);
      await run('tar', ['-cf', layer, '-C', join(dir, `layer-${layers}`), 'payload.txt']);
      const { stdout } = await run(crane, ['append', '-f', layer, '-t', `${repository}:drill-${layers}`], {
        env: clientEnv,
      });
      const digest = /@(sha256:[a-f0-9]{64})/.exec(stdout)?.[1];
      if (digest === undefined) throw new Error(`crane append printed no digest: ${stdout}`);
      return `${repository}@${digest}`;
    },
    async sign(reference, profileArn, key) {
      await run(
        notation,
        ['sign', '--plugin', SIGNER_PLUGIN_NAME, '--id', profileArn, '--signature-format', 'jws', reference],
        { env: { ...clientEnv, SIGNET_SIGNER_KEY: key.key, SIGNET_SIGNER_CERT: key.cert } },
      );
    },
    async stop() {
      await proxy.close();
      await registry.stop();
    },
  };
}
