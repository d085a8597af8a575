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
import { writeKubeconfig, type ControlPlane } from './control-plane.js';
import { eventually, type Manifest } from './kube.js';
import type { KeyPair } from './pki.js';
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

/** The chart's ConfigMaps the admission controller reads (`INIT_CONFIG`, `METRICS_CONFIG`). */
const CONFIG_MAPS = ['kyverno', 'kyverno-metrics'];

/** The kinds of the chart's objects that make up Kyverno's identity and permissions. */
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

interface AggregationRule {
  readonly clusterRoleSelectors?: readonly {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly unknown[];
  }[];
}

/**
 * The chart's RBAC objects (service accounts, roles, bindings), each aggregated ClusterRole given
 * the rules of every ClusterRole its `aggregationRule` selects, as the controller manager's
 * clusterrole-aggregation controller fills them in a cluster (the drill runs no controller
 * manager). Selectors by `matchLabels`, as chart 3.9.0 writes them; any other is an error.
 */
export function kyvernoRbac(chart: readonly Manifest[]): Manifest[] {
  const rbac = chart.filter((m) => RBAC_KINDS.includes(m.kind));
  const clusterRoles = rbac.filter((m) => m.kind === 'ClusterRole');
  const labelsOf = (m: Manifest) => (m.metadata['labels'] ?? {}) as Record<string, string>;
  return rbac.map((m) => {
    const rule = m['aggregationRule'] as AggregationRule | undefined;
    if (m.kind !== 'ClusterRole' || rule === undefined) return m;
    const selectors = rule.clusterRoleSelectors ?? [];
    for (const s of selectors)
      if (s.matchExpressions !== undefined && s.matchExpressions.length > 0)
        throw new Error(
          `ClusterRole ${m.metadata.name}: aggregationRule selector with matchExpressions; the drill aggregates by matchLabels only`,
        );
    const selected = clusterRoles.filter(
      (r) =>
        r !== m &&
        r['aggregationRule'] === undefined &&
        selectors.some((s) => Object.entries(s.matchLabels ?? {}).every(([k, v]) => labelsOf(r)[k] === v)),
    );
    const seen = new Set<string>();
    const rules = selected
      .flatMap((r) => (r['rules'] ?? []) as unknown[])
      .filter((r) => {
        const key = JSON.stringify(r);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return { ...m, rules };
  });
}

/** The argument `--<flag>=…` the chart gives the admission controller's container, as rendered. */
export function chartArg(chart: readonly Manifest[], flag: string): string {
  const deployment = chart.find(
    (m) => m.kind === 'Deployment' && m.metadata.name === KYVERNO_ADMISSION_SERVICE_ACCOUNT,
  );
  const containers = (
    deployment?.['spec'] as { template?: { spec?: { containers?: { name: string; args?: string[] }[] } } }
  )?.template?.spec?.containers;
  const args = containers?.find((c) => c.name === 'kyverno')?.args ?? [];
  const found = args.filter((a) => a.startsWith(`--${flag}=`));
  if (found.length !== 1)
    throw new Error(
      `the chart's Deployment ${KYVERNO_ADMISSION_SERVICE_ACCOUNT} (container kyverno) has ${found.length} arguments --${flag}=…; the drill needs exactly one`,
    );
  return found[0] as string;
}

/** A running Kyverno admission controller. */
export interface Kyverno {
  /** The client certificate it authenticates with: its service account's user name and groups. */
  readonly identity: KeyPair;
  /** Its service account's user name, `system:serviceaccount:<namespace>:<name>`. */
  readonly user: string;
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
  // Its configuration as the chart renders it from the stack's values (the webhooks' namespace
  // selector, the resource filters, the excluded groups) and the metrics configuration.
  for (const m of plan.kyvernoChart.filter(
    (o) => o.kind === 'ConfigMap' && CONFIG_MAPS.includes(o.metadata.name),
  ))
    await cp.admin.apply(m);
  // Its identity and permissions are the chart's: its service accounts, roles and bindings as chart
  // 3.9.0 renders them with the stack's values; with the stack's Role for the verifier's TLS secret
  // (applied with the plan), that is all it may do.
  for (const m of kyvernoRbac(plan.kyvernoChart)) await cp.admin.apply(m);
  const identity = cp.pki.issue({
    name: 'kyverno-admission',
    commonName: `system:serviceaccount:${ns}:${KYVERNO_ADMISSION_SERVICE_ACCOUNT}`,
    organizations: ['system:serviceaccounts', `system:serviceaccounts:${ns}`],
    usage: 'client',
  });
  const kubeconfig = join(dir, 'kyverno.kubeconfig');
  writeKubeconfig(kubeconfig, cp.server, cp.pki.ca.cert, identity);
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
  const args = [
    // As its service account: a client certificate of its user name and groups, as the verifier's.
    `--kubeconfig=${kubeconfig}`,
    `--serverIP=127.0.0.1:${webhookPort}`,
    '--webhookServerHost=127.0.0.1',
    `--webhookServerPort=${webhookPort}`,
    '--metricsHost=127.0.0.1',
    `--metricsPort=${metricsPort}`,
    // Its controller-runtime manager's metrics server, else on :8080 of every interface.
    `--controllerRuntimeMetricsAddress=127.0.0.1:${managerMetricsPort}`,
    `--caSecretName=kyverno-svc.${ns}.svc.kyverno-tls-ca`,
    `--tlsSecretName=kyverno-svc.${ns}.svc.kyverno-tls-pair`,
    // As the chart passes them to the admission controller with the stack's values.
    ...[
      'backgroundServiceAccountName',
      'reportsServiceAccountName',
      'enablePolicyException',
      'forceFailurePolicyIgnore',
    ].map((flag) => chartArg(plan.kyvernoChart, flag)),
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
    identity,
    user: `system:serviceaccount:${ns}:${KYVERNO_ADMISSION_SERVICE_ACCOUNT}`,
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
