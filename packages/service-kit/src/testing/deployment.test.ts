import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../config.js';
import { deploymentChecks, IMAGE_PLACEHOLDER } from './deployment.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are untyped manifests, edited per case. */
type Manifest = Record<string, any>;

const NAME = 'orders';
const PORT = 9090;
const labels = { 'app.kubernetes.io/name': NAME };
const metadata = () => ({ name: NAME, labels: { ...labels } });
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A compliant app: what the app template generates, reduced to the fields the checks read. */
function compliant() {
  const securityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(),
    spec: {
      replicas: 2,
      selector: { matchLabels: { ...labels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: NAME,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: NAME,
              image: IMAGE_PLACEHOLDER,
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              env: [
                { name: 'PORT', value: String(PORT) },
                { name: 'DRAIN_DELAY_MS', value: '10000' },
                { name: 'SHUTDOWN_GRACE_MS', value: '25000' },
              ],
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'http' },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              resources: {
                requests: { cpu: '100m', memory: '64Mi' },
                limits: { cpu: '500m', memory: '128Mi' },
              },
              securityContext,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
        },
      },
    },
  };
  const manifests: Record<string, Manifest> = {
    'deployment.yaml': deployment,
    'service.yaml': {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(),
      spec: {
        selector: { ...labels },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    },
    'serviceaccount.yaml': {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(),
      automountServiceAccountToken: false,
    },
    'poddisruptionbudget.yaml': {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: metadata(),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...labels } } },
    },
    'networkpolicy.yaml': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(),
      spec: {
        podSelector: { matchLabels: { ...labels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
        egress: [],
      },
    },
  };
  const dockerfile = [
    `FROM node:24-slim@${DIGEST} AS build`,
    `RUN pnpm install --frozen-lockfile --filter "@signet/${NAME}..." \\`,
    ` && pnpm --filter "@signet/${NAME}..." run build \\`,
    ` && pnpm --filter @signet/${NAME} deploy --prod --legacy /out`,
    `FROM gcr.io/distroless/nodejs24-debian12:nonroot@${DIGEST}`,
    'USER 65532:65532',
    'CMD ["dist/main.js"]',
    '',
  ];
  return { manifests, deployment, networkPolicy: manifests['networkpolicy.yaml'] as Manifest, dockerfile };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes the app to a temporary folder (manifests as JSON, which is YAML) and returns its checks. */
function checksOf(app: ReturnType<typeof compliant>) {
  const dir = mkdtempSync(join(tmpdir(), 'deployment-checks-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'deploy'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ signet: { name: NAME, port: PORT, manifests: 'deploy' } }),
  );
  for (const [file, manifest] of Object.entries(app.manifests)) {
    writeFileSync(join(dir, 'deploy', file), JSON.stringify(manifest));
  }
  writeFileSync(join(dir, 'Dockerfile'), app.dockerfile.join('\n'));
  return deploymentChecks({
    appDir: pathToFileURL(`${dir}/`),
    loadConfig: (env) => loadServiceConfig(env, { app: NAME, port: PORT }),
    parseYaml: (text) => [JSON.parse(text) as unknown],
  });
}

const failing = (app: ReturnType<typeof compliant>): string[] =>
  checksOf(app)
    .filter((check) => {
      try {
        check.run();
        return false;
      } catch {
        return true;
      }
    })
    .map((check) => check.name);

describe('deploymentChecks', () => {
  it('passes an app that has every property the platform relies on', () => {
    expect(failing(compliant())).toEqual([]);
    expect(checksOf(compliant()).map((c) => c.suite)).toContain('Dockerfile');
  });

  const pod = (app: ReturnType<typeof compliant>) => app.deployment.spec.template.spec;
  const container = (app: ReturnType<typeof compliant>) => pod(app).containers[0];
  const cases: [string, (app: ReturnType<typeof compliant>) => void, string][] = [
    [
      'a manifest of another kind',
      (app) =>
        (app.manifests['configmap.yaml'] = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata() }),
      'live where package.json says and contain exactly the expected kinds',
    ],
    [
      'a namespace in a manifest',
      (app) => (app.deployment.metadata.namespace = 'prod'),
      'are namespace-independent and named after the app',
    ],
    [
      'an image by tag',
      (app) => (container(app).image = 'orders:latest'),
      'reference the image only through the placeholder, which renders to repo@digest',
    ],
    [
      'another container port',
      (app) => (container(app).ports[0].containerPort = 8080),
      'expose the contract port as "http" through the Service',
    ],
    [
      'a writable root filesystem',
      (app) => (container(app).securityContext.readOnlyRootFilesystem = false),
      'run the pod locked down: non-root, read-only root, no privilege escalation, no capabilities, seccomp',
    ],
    [
      'a mounted token',
      (app) => (pod(app).automountServiceAccountToken = true),
      'mount no service account token',
    ],
    ['no limits', (app) => delete container(app).resources.limits, 'set requests and limits'],
    [
      'readiness on the liveness path',
      (app) => (container(app).readinessProbe.httpGet.path = '/healthz'),
      'probe liveness and readiness on the service endpoints',
    ],
    [
      'a kubelet grace period shorter than the shutdown grace',
      (app) => (pod(app).terminationGracePeriodSeconds = 20),
      'give the process time to drain and exit before the kubelet kills it',
    ],
    [
      'an invalid variable in the pod environment',
      (app) => container(app).env.push({ name: 'LOG_LEVEL', value: 'chatty' }),
      'give the process time to drain and exit before the kubelet kills it',
    ],
    [
      'a single replica',
      (app) => (app.deployment.spec.replicas = 1),
      'roll out and disrupt without losing capacity',
    ],
    [
      'egress allowed',
      (app) => (app.networkPolicy.spec.egress = [{}]),
      'allow ingress to the HTTP port only and no egress at all',
    ],
    [
      'a base image by tag',
      (app) => (app.dockerfile[0] = 'FROM node:24-slim AS build'),
      'pins every base image by digest',
    ],
    [
      'root in the final stage',
      (app) => (app.dockerfile[5] = 'USER 0:0'),
      'runs the final stage as a numeric non-root user with UID >= 10000',
    ],
    [
      'a build of the app alone, without the kit',
      (app) => (app.dockerfile[2] = ` && pnpm --filter @signet/${NAME} run build \\`),
      'ships production dependencies only, installed from the frozen lockfile',
    ],
  ];

  it.each(cases)('fails on %s, in that check only', (_, change, check) => {
    const app = compliant();
    change(app);
    expect(failing(app)).toEqual([check]);
  });
});
