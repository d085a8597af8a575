// Kyverno's chart 3.9.0, rendered by the real Helm (`helm template`) from the Kyverno module of the
// release the stack deploys, with exactly the values the planned eks stack gives its Helm release
// (the stack program under the mock runtime, per environment; nothing copied). Each assertion is a
// promise of docs/eks.md ("Kyverno settings", the exclusions) checked on the objects the chart's
// templates produce, not on the values: a value the templates ignore or hard-code fails here.
import { excludedNamespaces, KYVERNO_ADMISSION_SERVICE_ACCOUNT, KYVERNO_NAMESPACE } from '@signet/platform';
import {
  plannedKyvernoValues,
  readStackConfig,
  renderKyvernoChart,
  runStackProgram,
  upstreamStackOutputs,
  useAppWorkspace,
  type AppWorkspace,
  type RenderedKyvernoChart,
  type RenderedObject,
} from '@signet/platform/testing';
import { requireTestEngine } from '@signet/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const stackDir = join(import.meta.dirname, '..');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const APPS = ['hello-server', 'billing'] as const;
const FIXTURE = { apps: APPS, account: '123456789012', region: 'eu-west-1' } as const;

interface Rendered {
  readonly values: Record<string, unknown>;
  readonly chart: RenderedKyvernoChart;
  /** The stack's configuration of the environment (Pulumi.<env>.yaml). */
  readonly config: Record<string, unknown>;
}

const rendered = new Map<Env, Rendered>();
let workspace: AppWorkspace;

function stackConfig(env: Env): Record<string, unknown> {
  return readStackConfig(stackDir, env).values;
}

async function render(env: Env, helm: string): Promise<Rendered> {
  vi.resetModules();
  const { resources } = await runStackProgram({
    stackDir,
    env,
    stackReferences: upstreamStackOutputs(env, FIXTURE),
  });
  const values = plannedKyvernoValues(resources);
  const config = stackConfig(env);
  const chart = renderKyvernoChart(helm, values, {
    kubeVersion: `${String(config['signet-eks:kubernetesVersion'])}.0`,
  });
  return { values, chart, config };
}

beforeAll(async () => {
  const helm = requireTestEngine('helm');
  workspace = useAppWorkspace(
    APPS.map((name) => ({
      name,
      namespace: name,
      port: 8080,
      environments: [...ENVIRONMENTS],
      manifests: 'deploy',
    })),
  );
  for (const env of ENVIRONMENTS) rendered.set(env, await render(env, helm));
}, 300_000);

afterAll(() => {
  workspace.restore();
});

function of(env: Env): Rendered {
  const r = rendered.get(env);
  if (r === undefined) throw new Error(`no render for ${env}`);
  return r;
}

function objects(env: Env, kind: string): RenderedObject[] {
  return of(env).chart.objects.filter((o) => o.kind === kind);
}

function one(env: Env, kind: string, name: string): RenderedObject {
  const found = objects(env, kind).filter((o) => o.metadata.name === name);
  if (found.length !== 1)
    throw new Error(`${env}: chart rendered ${found.length} ${kind} named ${name}, not one`);
  return found[0] as RenderedObject;
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  topologySpreadConstraints?: {
    topologyKey: string;
    labelSelector: { matchLabels: Record<string, string> };
  }[];
  volumes?: { name: string; projected?: { sources: { serviceAccountToken?: Record<string, unknown> }[] } }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

const ADMISSION = 'kyverno-admission-controller';

function admissionDeployment(env: Env): { replicas: number; template: PodTemplate } {
  return one(env, 'Deployment', ADMISSION)['spec'] as { replicas: number; template: PodTemplate };
}

function admissionContainer(env: Env): Container {
  const c = admissionDeployment(env).template.spec.containers.find((x) => x.name === 'kyverno');
  if (c === undefined) throw new Error(`${env}: the admission Deployment has no container kyverno`);
  return c;
}

/** Every Pod spec the chart renders: Deployments, Jobs (the hooks), CronJobs and Pods (tests). */
function podSpecs(env: Env): { owner: string; spec: PodSpec }[] {
  return of(env).chart.objects.flatMap((o) => {
    const spec = o['spec'] as Record<string, unknown> | undefined;
    const owner = `${o.kind}/${o.metadata.name}`;
    switch (o.kind) {
      case 'Pod':
        return [{ owner, spec: spec as unknown as PodSpec }];
      case 'Deployment':
      case 'Job':
        return [{ owner, spec: (spec?.['template'] as PodTemplate).spec }];
      case 'CronJob':
        return [
          {
            owner,
            spec: (
              (spec?.['jobTemplate'] as { spec: { template: PodTemplate } }).spec.template as PodTemplate
            ).spec,
          },
        ];
      default:
        return [];
    }
  });
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(ENVIRONMENTS)("Kyverno's chart as the %s stack installs it", (env) => {
  it('renders from the Kyverno module; the only subcharts left out are those the module does not hold', () => {
    expect(of(env).chart.chartDir).toMatch(/github\.com\/kyverno\/kyverno@v1\.19\.0\/charts\/kyverno$/);
    // kyverno-api (CRDs, condition crds.install), openreports (off) and reports-server (off) come
    // from other chart repositories when Kyverno packages the chart.
    expect(of(env).chart.omittedDependencies).toEqual(['kyverno-api', 'openreports', 'reports-server']);
  });

  it('runs the admission controller with the replicas of the stack config, and a PodDisruptionBudget only with several', () => {
    const replicas = Number(of(env).config['signet-eks:kyvernoAdmissionReplicas']);
    const deployment = admissionDeployment(env);
    expect(deployment.replicas).toBe(replicas);
    const pdbs = objects(env, 'PodDisruptionBudget').filter((p) =>
      selects(
        (p['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
        deployment.template.metadata.labels,
      ),
    );
    if (replicas > 1) {
      expect(pdbs.map((p) => (p['spec'] as { minAvailable?: number }).minAvailable)).toEqual([replicas - 1]);
    } else {
      expect(pdbs).toEqual([]);
    }
  });

  it('spreads the admission Pods over zones outside dev, with a selector that matches them', () => {
    const template = admissionDeployment(env).template;
    const spread = template.spec.topologySpreadConstraints ?? [];
    if (env === 'dev') {
      expect(spread).toEqual([]);
      return;
    }
    expect(spread.map((s) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone']);
    for (const s of spread) expect(selects(s.labelSelector.matchLabels, template.metadata.labels)).toBe(true);
  });

  it('never forces failure policies to Ignore and accepts no PolicyException', () => {
    const args = admissionContainer(env).args ?? [];
    expect(args).toContain('--forceFailurePolicyIgnore=false');
    expect(args).toContain('--enablePolicyException=false');
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'])
      for (const o of objects(env, kind))
        for (const hook of (o['webhooks'] ?? []) as { name: string; failurePolicy?: string }[])
          expect({ hook: hook.name, failurePolicy: hook.failurePolicy }).not.toEqual({
            hook: hook.name,
            failurePolicy: 'Ignore',
          });
  });

  it("excludes the cluster's, Kyverno's and the verifier's namespaces from the webhooks and the engine", () => {
    const data = one(env, 'ConfigMap', 'kyverno')['data'] as Record<string, string>;
    const webhooks = JSON.parse(data['webhooks'] ?? '{}') as {
      namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    };
    const excludedBySelector = webhooks.namespaceSelector.matchExpressions
      .filter((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn')
      .flatMap((e) => e.values);
    const expected = excludedNamespaces({
      kyvernoNamespace: KYVERNO_NAMESPACE,
      verifier: { namespace: 'kyverno-notation-aws' },
    });
    expect(new Set(excludedBySelector)).toEqual(new Set(expected));
    // No other expression may narrow what the webhooks see (an In or Exists would open a gap).
    expect(webhooks.namespaceSelector.matchExpressions.every((e) => e.operator === 'NotIn')).toBe(true);
    const filters = (data['resourceFilters'] ?? '').match(/\[[^\]]*\]/g) ?? [];
    for (const ns of expected) expect(filters).toContain(`[*/*,${ns},*]`);
  });

  it('mounts the apiCall token of the stack audience and lifetime', () => {
    const stack = of(env).values['apiCallToken'] as { audience: string; expirationSeconds: number };
    const volume = admissionDeployment(env).template.spec.volumes?.find((v) => v.name === 'apicall-token');
    const token = volume?.projected?.sources.find((s) => s.serviceAccountToken)?.serviceAccountToken;
    expect(token).toEqual({
      path: 'token',
      audience: stack.audience,
      expirationSeconds: stack.expirationSeconds,
    });
  });

  it('runs the admission controller as the service account the verifier allows', () => {
    expect(admissionDeployment(env).template.spec.serviceAccountName).toBe(KYVERNO_ADMISSION_SERVICE_ACCOUNT);
    one(env, 'ServiceAccount', KYVERNO_ADMISSION_SERVICE_ACCOUNT);
  });

  it('pulls every image it renders (controllers, init containers, hooks, tests) by digest', () => {
    const specs = podSpecs(env);
    expect(specs.length).toBeGreaterThan(4);
    const images = specs.flatMap(({ owner, spec }) =>
      [...(spec.initContainers ?? []), ...spec.containers].map((c) => `${owner} ${c.name}: ${c.image}`),
    );
    expect(images.filter((i) => !/@sha256:[0-9a-f]{64}$/.test(i))).toEqual([]);
  });

  it('gives every container of the controllers a memory limit and requests', () => {
    const missing = podSpecs(env)
      .filter((p) => p.owner.startsWith('Deployment/'))
      .flatMap(({ owner, spec }) =>
        [...(spec.initContainers ?? []), ...spec.containers].map((c) => ({ owner, c })),
      )
      .filter(
        ({ c }) =>
          !c.resources?.limits?.['memory'] ||
          !c.resources.requests?.['memory'] ||
          !c.resources.requests['cpu'],
      )
      .map(({ owner, c }) => `${owner} ${c.name}`);
    expect(missing).toEqual([]);
  });

  it('renders the pre-delete hook that removes the webhooks on uninstall', () => {
    const hook = one(env, 'Job', 'kyverno-rm-webhooks');
    expect((hook.metadata['annotations'] as Record<string, string>)['helm.sh/hook']).toBe('pre-delete');
    const spec = (hook['spec'] as { template: PodTemplate }).template.spec;
    expect(spec.containers.map((c) => c.args)).toEqual([['delete-webhooks']]);
  });

  it('sets no value the chart does not declare (an undeclared key is ignored by the templates)', () => {
    expect(undeclared(of(env).values, of(env).chart.defaults)).toEqual([]);
  });
});

/**
 * Paths of `values` whose key the chart's default values do not have. Below a default that is not a
 * mapping with keys (a list, a scalar, `{}` or null: free-form by the chart's design) nothing is checked.
 */
function undeclared(values: unknown, defaults: unknown, path = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) return [];
  const declared = defaults as Record<string, unknown>;
  if (Object.keys(declared).length === 0) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([key, value]) =>
    key in declared ? undeclared(value, declared[key], `${path}${key}.`) : [`${path}${key}`],
  );
}
