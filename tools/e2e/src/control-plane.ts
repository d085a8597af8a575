import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DRILL_ENGINE_VERSIONS,
  freePort,
  requireEngine,
  startProcess,
  stopProcess,
  waitUntilReady,
} from '@signet/testing';
import { KubeClient } from './kube.js';
import { Pki, type KeyPair } from './pki.js';

/**
 * Admission plugins of the drill's API server: those EKS documents as on for its clusters of this
 * minor that decide about Pods and namespaces (https://docs.aws.amazon.com/eks/latest/userguide/
 * platform-versions.html lists them per version), with PodSecurity, ValidatingAdmissionPolicy and
 * both admission webhooks, which the property depends on. The API server adds its defaults.
 */
export const DRILL_ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'DefaultStorageClass',
  'ResourceQuota',
  'DefaultTolerationSeconds',
  'NodeRestriction',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'PodSecurity',
  'Priority',
  'RuntimeClass',
] as const;

/** The issuer of service account tokens, as EKS names the cluster's (any URL works offline). */
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc';

/** A running etcd and kube-apiserver, all on 127.0.0.1, all state under `dir`. */
export interface ControlPlane {
  readonly dir: string;
  readonly pki: Pki;
  /** `https://127.0.0.1:<port>`. */
  readonly server: URL;
  /** An administrator (`system:masters`). */
  readonly admin: KubeClient;
  /** The administrator's client certificate, for processes that take a kubeconfig. */
  readonly adminCert: KeyPair;
  /** A kubeconfig file of the administrator. */
  readonly kubeconfig: string;
  /** What etcd and the API server printed (last 64 KiB each). */
  output(): string;
  /** Seconds from start to `/readyz` answering ok. */
  readonly startSeconds: number;
  stop(): Promise<void>;
}

/** Writes a kubeconfig for `client` against `server`. */
export function writeKubeconfig(file: string, server: URL, ca: string, client: KeyPair): void {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'drill', cluster: { server: server.toString(), 'certificate-authority': ca } }],
      users: [{ name: 'drill', user: { 'client-certificate': client.cert, 'client-key': client.key } }],
      contexts: [{ name: 'drill', context: { cluster: 'drill', user: 'drill' } }],
      'current-context': 'drill',
    }),
  );
}

/** Starts etcd and the kube-apiserver of the cluster's minor and waits for `/readyz`. */
export async function startControlPlane(dir: string): Promise<ControlPlane> {
  const started = performance.now();
  const etcdBin = requireEngine('etcd', DRILL_ENGINE_VERSIONS.etcd);
  const apiserverBin = requireEngine('kube-apiserver', DRILL_ENGINE_VERSIONS['kube-apiserver']);
  mkdirSync(join(dir, 'pki'), { recursive: true });
  const pki = new Pki(join(dir, 'pki'));
  const serving = pki.issue({
    name: 'apiserver',
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const adminCert = pki.issue({
    name: 'admin',
    commonName: 'drill-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const sa = pki.serviceAccountKeys();

  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess(
    'etcd',
    etcdBin,
    [
      '--name=drill',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=drill=${peerUrl}`,
      // The store lives for one run in a scratch folder: durability buys nothing here.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    {},
  );
  const etcdHealthy = async () => {
    const response = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  };
  await waitUntilReady('etcd', etcd.child, etcdHealthy, etcd.output, 60_000);

  const apiserver = startProcess(
    'kube-apiserver',
    apiserverBin,
    [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${sa.pub}`,
      `--service-account-signing-key-file=${sa.key}`,
      '--service-cluster-ip-range=10.100.0.0/16',
      '--authorization-mode=RBAC',
      `--enable-admission-plugins=${DRILL_ADMISSION_PLUGINS.join(',')}`,
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ],
    {},
  );
  const server = new URL(`https://127.0.0.1:${apiPort}`);
  const admin = new KubeClient(server, pki.ca.cert, adminCert);
  const ready = async () =>
    (await admin.request('GET', '/readyz', undefined, undefined, 5_000)).status === 200;
  const output = () => `--- etcd\n${etcd.output()}\n--- kube-apiserver\n${apiserver.output()}`;
  try {
    await waitUntilReady('kube-apiserver', apiserver.child, ready, apiserver.output, 180_000);
  } catch (error) {
    await stopProcess(etcd.child);
    throw error;
  }
  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeKubeconfig(kubeconfig, server, pki.ca.cert, adminCert);
  return {
    dir,
    pki,
    server,
    admin,
    adminCert,
    kubeconfig,
    output,
    startSeconds: Math.round((performance.now() - started) / 100) / 10,
    stop: async () => {
      await stopProcess(apiserver.child);
      await stopProcess(etcd.child);
    },
  };
}
