import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { DRILL_ENGINES } from '@signet/engines';
import { freePort, requireEngine, startProcess, stopProcess, waitUntilReady } from '@signet/testing';
import type { ControlPlane } from './control-plane.js';
import type { DrillPlan } from './plan.js';
import { installSignerPlugin, type DrillRegistry } from './registry.js';

/**
 * A TCP relay in front of the verifier, on 127.0.0.1: the ClusterPolicy's verifier URL points here.
 * TLS passes through untouched (Kyverno still pins the verifier's certificate); `delayMs` holds each
 * new connection that long before relaying it, to make the verifier slower than the webhook timeout.
 */
export class Relay {
  delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    readonly port: number,
    target: () => number,
  ) {
    this.server = createServer((socket) => this.relay(socket, target()));
  }

  static async start(target: () => number): Promise<Relay> {
    const relay = new Relay(await freePort(), target);
    await new Promise<void>((resolve) => relay.server.listen(relay.port, '127.0.0.1', resolve));
    return relay;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private relay(socket: Socket, port: number): void {
    this.track(socket);
    setTimeout(() => {
      if (socket.destroyed) return;
      const upstream = connect(port, '127.0.0.1');
      this.track(upstream);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.pipe(upstream);
      upstream.pipe(socket);
    }, this.delayMs);
  }

  /** Drops every open connection (Kyverno reconnects on its next call). */
  reset(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Signet's verifier, run out of cluster with the arguments and environment the eks stack renders. */
export interface Verifier {
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const verifierEngine = () => {
  const spec = DRILL_ENGINES.find((e) => e.name === 'signet-verifier');
  if (spec === undefined) throw new Error('the engines catalog has no signet-verifier');
  return requireEngine(spec.name, spec.version);
};

/**
 * Creates the verifier's TLS secret (the name the ClusterPolicy's Role grants Kyverno), installs the
 * AWS Signer plugin stand-in in its notation folder, and starts it with the Deployment's arguments
 * and environment plus where to listen and how to reach the API server out of cluster. It
 * authenticates as its service account's user name, so the stack's RBAC is what it may do.
 */
export async function startVerifier(
  cp: ControlPlane,
  plan: DrillPlan,
  registry: DrillRegistry,
  dir: string,
): Promise<Verifier> {
  const binary = verifierEngine();
  const ns = plan.verifierNamespace;
  const serviceHost = new URL(plan.verifierUrl).hostname;
  const serving = cp.pki.issue({
    name: 'verifier',
    commonName: serviceHost,
    dnsNames: [serviceHost],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  await cp.admin.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: plan.verifierTlsSecret, namespace: ns },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': readFileSync(serving.cert).toString('base64'),
      'tls.key': readFileSync(serving.key).toString('base64'),
    },
  });
  const serviceAccount = plan.manifests.find(
    (m) => m.kind === 'ServiceAccount' && m.metadata.namespace === ns,
  );
  if (serviceAccount === undefined) throw new Error(`the eks plan has no ServiceAccount in ${ns}`);
  const identity = cp.pki.issue({
    name: 'verifier-client',
    commonName: `system:serviceaccount:${ns}:${serviceAccount.metadata.name}`,
    usage: 'client',
  });
  const notationDir = join(dir, 'verifier-notation');
  installSignerPlugin(join(notationDir, 'plugins'));

  const port = await freePort();
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', ...registry.env };
  for (const entry of plan.verifierContainer.env)
    if (entry.value !== undefined) env[entry.name] = entry.value;
  env['NOTATION_DIR'] = notationDir;
  env['POD_NAMESPACE'] = ns;
  env['POD_NAME'] = 'verifier-drill';
  const args = [
    ...plan.verifierContainer.args,
    `--listen=127.0.0.1:${port}`,
    `--apiServer=${cp.server.toString()}`,
    `--apiCA=${cp.pki.ca.cert}`,
    `--apiClientCert=${identity.cert}`,
    `--apiClientKey=${identity.key}`,
  ];
  let current: ReturnType<typeof startProcess> | undefined;
  const start = async () => {
    const proc = startProcess('signet-verifier', binary, args, { env, cwd: dir });
    current = proc;
    await waitUntilReady(
      'signet-verifier',
      proc.child,
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        }),
      proc.output,
      60_000,
    );
  };
  await start();
  return {
    port,
    output: () => current?.output() ?? '',
    stop: async () => {
      if (current) await stopProcess(current.child);
    },
    start,
  };
}
