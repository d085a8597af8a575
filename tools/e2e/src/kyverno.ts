import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { KYVERNO_RELEASE } from '@signet/policies';
import {
  findOnPath,
  freePort,
  requireEngine,
  startProcess,
  stopProcess,
  waitUntilReady,
} from '@signet/testing';
import type { ControlPlane } from './control-plane.js';
import { eventually, type Manifest } from './kube.js';
import type { DrillPlan } from './plan.js';
import { parseAllDocuments } from 'yaml';

/** The admission controller's service account, as chart 3.9.0 names it. */
export const KYVERNO_ADMISSION_SERVICE_ACCOUNT = 'kyverno-admission-controller';

/** Kyverno's CRDs, from the Kyverno module of the pinned release in the Go module cache (config/crds). */
export function kyvernoCrds(): Manifest[] {
  const go = findOnPath('go');
  if (go === undefined)
    throw new Error(
      "go: not found on PATH (nor in /usr/local/go/bin); the drill reads Kyverno's CRDs from its module",
    );
  const modcache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const root = join(
    modcache,
    'github.com',
    'kyverno',
    `kyverno@${KYVERNO_RELEASE.appVersion}`,
    'config',
    'crds',
  );
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.yaml')) files.push(path);
    }
  };
  walk(root);
  if (files.length === 0)
    throw new Error(
      `no CRDs under ${root}; run \`pnpm engines --drill\`, which builds Kyverno from that module`,
    );
  return files
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Manifest))
    .filter((m) => m !== null && m.kind === 'CustomResourceDefinition');
}

/**
 * Kyverno's ConfigMap as chart 3.9.0 renders it from the stack's values (templates/config): the
 * webhooks' namespace selector with Kyverno's own namespace appended when `excludeKyvernoNamespace`,
 * and the resource filters for Kyverno's namespace and `resourceFiltersIncludeNamespaces`. The
 * chart's default filters (events, nodes, reviews, ...) are left out: without them Kyverno only sees
 * more requests, none of which is a Pod.
 */
export function kyvernoConfigMap(plan: DrillPlan): Manifest {
  const { config } = plan.kyvernoValues;
  const ns = plan.kyvernoNamespace;
  const webhooks = structuredClone(config.webhooks) as {
    namespaceSelector?: { matchExpressions?: unknown[] };
  };
  if (config.excludeKyvernoNamespace) {
    const selector = (webhooks.namespaceSelector ??= {});
    selector.matchExpressions = [
      ...(selector.matchExpressions ?? []),
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [ns] },
    ];
  }
  const filters = [
    ...(config.excludeKyvernoNamespace ? [ns] : []),
    ...config.resourceFiltersIncludeNamespaces,
  ].map((n) => `[*/*,${n},*]`);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kyverno', namespace: ns },
    data: { webhooks: JSON.stringify(webhooks), resourceFilters: filters.join('') },
  };
}

/** A running Kyverno admission controller. */
export interface Kyverno {
  output(): string;
  stop(): Promise<void>;
  /** Starts it again after {@link stop}, with the same configuration. */
  start(): Promise<void>;
}

/**
 * Runs Kyverno's admission controller out of cluster (Kyverno's DEVELOPMENT.md, "Debugging local
 * code": `--kubeconfig`, `--serverIP`, and its TLS secret names), with the stack's values where
 * they apply: no PolicyExceptions, failure policies never forced to Ignore, the webhooks' namespace
 * selector and resource filters, the `apiCall` token of the stack's audience and lifetime. It
 * listens on 127.0.0.1 only, and registers its webhooks at `https://127.0.0.1:<port>`.
 */
export async function startKyverno(cp: ControlPlane, plan: DrillPlan, dir: string): Promise<Kyverno> {
  const binary = requireEngine('kyverno-admission', KYVERNO_RELEASE.appVersion);
  const ns = plan.kyvernoNamespace;
  for (const crd of kyvernoCrds()) await cp.admin.apply(crd);
  for (const crd of kyvernoCrds())
    await eventually(
      `CRD ${crd.metadata.name} established`,
      async () => {
        const r = await cp.admin.ok(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        const conditions = (r.json?.['status'] as { conditions?: { type: string; status: string }[] })
          ?.conditions;
        return conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      60_000,
    );
  await cp.admin.apply(kyvernoConfigMap(plan));
  await cp.admin.apply({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: KYVERNO_ADMISSION_SERVICE_ACCOUNT, namespace: ns },
  });
  // The projected token the chart mounts for `apiCall` requests, of the stack's audience.
  const { audience, expirationSeconds } = plan.kyvernoValues.apiCallToken;
  const token = await cp.admin.ok(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/${KYVERNO_ADMISSION_SERVICE_ACCOUNT}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [audience], expirationSeconds },
    },
  );
  const tokenFile = join(dir, 'kyverno-apicall-token');
  writeFileSync(tokenFile, String((token.json?.['status'] as { token: string }).token));

  const [webhookPort, metricsPort, managerMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const features = plan.kyvernoValues.features;
  const args = [
    `--kubeconfig=${cp.kubeconfig}`,
    `--serverIP=127.0.0.1:${webhookPort}`,
    '--webhookServerHost=127.0.0.1',
    `--webhookServerPort=${webhookPort}`,
    '--metricsHost=127.0.0.1',
    `--metricsPort=${metricsPort}`,
    // Its controller-runtime manager's metrics server, else on :8080 of every interface.
    `--controllerRuntimeMetricsAddress=127.0.0.1:${managerMetricsPort}`,
    `--caSecretName=kyverno-svc.${ns}.svc.kyverno-tls-ca`,
    `--tlsSecretName=kyverno-svc.${ns}.svc.kyverno-tls-pair`,
    `--backgroundServiceAccountName=system:serviceaccount:${ns}:kyverno-background-controller`,
    `--reportsServiceAccountName=system:serviceaccount:${ns}:kyverno-reports-controller`,
    `--enablePolicyException=${features.policyExceptions.enabled}`,
    `--forceFailurePolicyIgnore=${features.forceFailurePolicyIgnore.enabled}`,
    // Reports need the reports controller, which the drill does not run.
    '--admissionReports=false',
    '--v=2',
  ];
  const env = {
    ...process.env,
    KYVERNO_NAMESPACE: ns,
    KYVERNO_SERVICEACCOUNT_NAME: KYVERNO_ADMISSION_SERVICE_ACCOUNT,
    KYVERNO_DEPLOYMENT: KYVERNO_ADMISSION_SERVICE_ACCOUNT,
    KYVERNO_POD_NAME: `${KYVERNO_ADMISSION_SERVICE_ACCOUNT}-drill`,
    KYVERNO_SVC: 'kyverno-svc',
    INIT_CONFIG: 'kyverno',
    METRICS_CONFIG: 'kyverno-metrics',
    KYVERNO_SCOPED_TOKEN_PATH: tokenFile,
  };
  let current: ReturnType<typeof startProcess> | undefined;
  const start = async () => {
    const proc = startProcess('kyverno', binary, args, { env, cwd: dir });
    current = proc;
    await waitUntilReady(
      'kyverno',
      proc.child,
      () => webhookRegistered(cp, 'kyverno-policy-validating-webhook-cfg', webhookPort),
      proc.output,
      300_000,
    );
    // The webhooks are registered before Kyverno serves its TLS pair: wait until it answers.
    await waitUntilReady('kyverno', proc.child, () => serves(webhookPort), proc.output, 120_000);
  };
  await start();
  return {
    output: () => current?.output() ?? '',
    stop: async () => {
      if (current) await stopProcess(current.child);
    },
    start,
  };
}

/** Kyverno's webhook server answers its readiness path over TLS (its own CA, not checked here). */
function serves(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(
      { host: '127.0.0.1', port, path: '/health/readiness', rejectUnauthorized: false, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Kyverno has registered the named validating webhook configuration at its loopback address. */
export async function webhookRegistered(cp: ControlPlane, name: string, port?: number): Promise<boolean> {
  const r = await cp.admin.request(
    'GET',
    `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`,
  );
  if (r.status !== 200) return false;
  const hooks = (r.json?.['webhooks'] ?? []) as { clientConfig?: { url?: string } }[];
  return hooks.some((h) => h.clientConfig?.url?.startsWith(`https://127.0.0.1:${port ?? ''}`) === true);
}
