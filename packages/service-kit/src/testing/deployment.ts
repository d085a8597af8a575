// Checks of an app's Kubernetes manifests and Dockerfile for the properties the platform relies on:
// digest-only images, a locked-down pod, and shutdown timings that agree with the service's config.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Env, ServiceConfig } from '../config.js';

/** Options of {@link deploymentChecks}. */
export interface DeploymentOptions {
  /** The app folder: its package.json (with the `signet` declaration), Dockerfile and manifests. */
  readonly appDir: URL;
  /** The app's config parser: the environment the pod gets must be valid for the app itself. */
  readonly loadConfig: (env: Env) => ServiceConfig;
  /**
   * Parses a YAML file into the plain values of its documents, throwing on a syntax error. The kit
   * carries no YAML parser of its own; apps pass one built on their `yaml` dev dependency.
   */
  readonly parseYaml: (text: string, file: string) => unknown[];
}

/** One check; `run` throws an assertion error naming what is wrong. */
export interface DeploymentCheck {
  readonly suite: 'Kubernetes manifests' | 'Dockerfile';
  readonly name: string;
  run(): void;
}

/** What the pipeline's deploy stage puts where the image goes (see @signet/buildspec). */
export const IMAGE_PLACEHOLDER = '__SIGNET_IMAGE__';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML; each check asserts on the shape it reads. */
type Manifest = Record<string, any>;

interface Loaded {
  readonly signet: { name: string; port: number; manifests: string };
  readonly image: string;
  readonly sources: string[];
  readonly rendered: string[];
  readonly all: Manifest[];
  readonly dockerfile: string;
}

function load({ appDir, parseYaml }: DeploymentOptions): Loaded {
  const pkg = JSON.parse(readFileSync(new URL('package.json', appDir), 'utf8')) as {
    signet: Loaded['signet'];
  };
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${pkg.signet.name}@${DIGEST}`;
  const dir = new URL(`${pkg.signet.manifests}/`, appDir);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  const sources = files.map((file) => readFileSync(new URL(file, dir), 'utf8'));
  // What the pipeline does: replace the placeholder by repo@digest in every file, then apply them all.
  const rendered = sources.map((text) => text.replaceAll(IMAGE_PLACEHOLDER, image));
  const all = rendered.flatMap((text, i) => parseYaml(text, files[i] ?? '') as Manifest[]);
  const dockerfile = readFileSync(new URL('Dockerfile', appDir), 'utf8');
  return { signet: pkg.signet, image, sources, rendered, all, dockerfile };
}

const only = (all: readonly Manifest[], kind: string): Manifest => {
  const found = all.filter((m) => m.kind === kind);
  expect(found, `one ${kind}`).toHaveLength(1);
  return found[0] as Manifest;
};

/**
 * The checks of the app at `options.appDir`, each reading the files afresh. {@link describeDeployment}
 * registers them as tests.
 */
export function deploymentChecks(options: DeploymentOptions): readonly DeploymentCheck[] {
  const withApp = (
    suite: DeploymentCheck['suite'],
    name: string,
    check: (app: Loaded) => void,
  ): DeploymentCheck => ({ suite, name, run: () => check(load(options)) });
  const pod = (app: Loaded): Manifest => only(app.all, 'Deployment').spec.template.spec;
  const container = (app: Loaded): Manifest => pod(app).containers[0];
  const labels = (app: Loaded) => ({ 'app.kubernetes.io/name': app.signet.name });
  const instructions = (app: Loaded): string[] =>
    app.dockerfile
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const finalStage = (app: Loaded): string[] => {
    const lines = instructions(app);
    return lines.slice(lines.findLastIndex((line) => line.startsWith('FROM ')));
  };

  return [
    withApp(
      'Kubernetes manifests',
      'live where package.json says and contain exactly the expected kinds',
      (app) => {
        expect(app.signet.manifests).toBe('deploy');
        expect(app.all.map((m) => `${m.apiVersion}/${m.kind}`).sort()).toEqual([
          'apps/v1/Deployment',
          'networking.k8s.io/v1/NetworkPolicy',
          'policy/v1/PodDisruptionBudget',
          'v1/Service',
          'v1/ServiceAccount',
        ]);
      },
    ),
    withApp('Kubernetes manifests', 'are namespace-independent and named after the app', (app) => {
      for (const manifest of app.all) {
        expect(manifest.metadata.namespace).toBeUndefined();
        expect(manifest.metadata.name).toBe(app.signet.name);
        expect(manifest.metadata.labels).toMatchObject(labels(app));
      }
    }),
    withApp(
      'Kubernetes manifests',
      'reference the image only through the placeholder, which renders to repo@digest',
      (app) => {
        expect(app.sources.join('').split(IMAGE_PLACEHOLDER)).toHaveLength(2);
        expect(app.rendered.join('')).not.toContain(IMAGE_PLACEHOLDER);
        expect(pod(app).containers).toHaveLength(1);
        expect(pod(app).initContainers).toBeUndefined();
        expect(container(app).name).toBe(app.signet.name);
        expect(container(app).image).toBe(app.image);
        expect(container(app).image).toMatch(/^[^:@]+(?::\d+)?\/[^:@]+@sha256:[0-9a-f]{64}$/);
      },
    ),
    withApp('Kubernetes manifests', 'expose the contract port as "http" through the Service', (app) => {
      const deployment = only(app.all, 'Deployment');
      expect(container(app).ports).toEqual([
        { name: 'http', containerPort: app.signet.port, protocol: 'TCP' },
      ]);
      expect(container(app).env).toContainEqual({ name: 'PORT', value: String(app.signet.port) });
      const service = only(app.all, 'Service');
      expect(service.spec.selector).toEqual(labels(app));
      expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
      expect(deployment.spec.selector.matchLabels).toEqual(labels(app));
      expect(deployment.spec.template.metadata.labels).toMatchObject(labels(app));
    }),
    withApp(
      'Kubernetes manifests',
      'run the pod locked down: non-root, read-only root, no privilege escalation, no capabilities, seccomp',
      (app) => {
        const spec = pod(app);
        expect(spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.securityContext.runAsUser).toBeGreaterThanOrEqual(10_000);
        expect(spec.hostNetwork ?? false).toBe(false);
        expect(spec.hostPID ?? false).toBe(false);
        expect(spec.hostIPC ?? false).toBe(false);
        expect(container(app).securityContext).toEqual({
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        // The only writable path is an emptyDir at /tmp.
        expect(container(app).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
        expect(spec.volumes).toEqual([
          { name: 'tmp', emptyDir: expect.objectContaining({ sizeLimit: expect.any(String) }) },
        ]);
      },
    ),
    withApp('Kubernetes manifests', 'mount no service account token', (app) => {
      const account = only(app.all, 'ServiceAccount');
      expect(account.automountServiceAccountToken).toBe(false);
      expect(pod(app).serviceAccountName).toBe(account.metadata.name);
      expect(pod(app).automountServiceAccountToken).toBe(false);
    }),
    withApp('Kubernetes manifests', 'set requests and limits', (app) => {
      for (const key of ['requests', 'limits']) {
        expect(container(app).resources[key]).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
      }
    }),
    withApp('Kubernetes manifests', 'probe liveness and readiness on the service endpoints', (app) => {
      expect(container(app).livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container(app).readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    }),
    withApp(
      'Kubernetes manifests',
      'give the process time to drain and exit before the kubelet kills it',
      (app) => {
        const env = Object.fromEntries(
          container(app).env.map((e: { name: string; value: string }) => [e.name, e.value]),
        );
        // The configuration the pod gets is valid for the service itself.
        const config = options.loadConfig(env);
        expect(config.drainDelayMs).toBeGreaterThanOrEqual(5_000);
        expect(config.shutdownGraceMs).toBeGreaterThan(config.drainDelayMs);
        expect(pod(app).terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdownGraceMs);
        // Readiness must be able to turn false well within the drain delay.
        const probe = container(app).readinessProbe;
        expect(probe.periodSeconds * probe.failureThreshold * 1000).toBeLessThanOrEqual(config.drainDelayMs);
      },
    ),
    withApp('Kubernetes manifests', 'roll out and disrupt without losing capacity', (app) => {
      const deployment = only(app.all, 'Deployment');
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const budget = only(app.all, 'PodDisruptionBudget');
      expect(budget.spec.selector.matchLabels).toEqual(labels(app));
      expect(budget.spec.maxUnavailable ?? deployment.spec.replicas - budget.spec.minAvailable).toBeLessThan(
        deployment.spec.replicas,
      );
    }),
    withApp('Kubernetes manifests', 'allow ingress to the HTTP port only and no egress at all', (app) => {
      const policy = only(app.all, 'NetworkPolicy');
      expect(policy.spec.podSelector.matchLabels).toEqual(labels(app));
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
      expect(policy.spec.egress).toEqual([]);
    }),
    withApp('Dockerfile', 'pins every base image by digest', (app) => {
      const bases = instructions(app).filter((line) => line.startsWith('FROM '));
      expect(bases.length).toBeGreaterThanOrEqual(2);
      for (const base of bases) expect(base).toMatch(/^FROM \S+@sha256:[0-9a-f]{64}( AS \w+)?$/);
    }),
    withApp('Dockerfile', 'runs the final stage as a numeric non-root user with UID >= 10000', (app) => {
      const final = finalStage(app);
      const user = final.filter((line) => line.startsWith('USER '));
      expect(user).toHaveLength(1);
      const [uid, gid] = (user[0] as string).slice(5).split(':').map(Number);
      expect(uid).toBeGreaterThanOrEqual(10_000);
      expect(gid).toBeGreaterThanOrEqual(10_000);
      // The same identity the Deployment enforces.
      expect(pod(app).securityContext.runAsUser).toBe(uid);
      expect(final).toContain('CMD ["dist/main.js"]');
    }),
    withApp('Dockerfile', 'ships production dependencies only, installed from the frozen lockfile', (app) => {
      const name = app.signet.name;
      expect(app.dockerfile).toContain('pnpm install --frozen-lockfile');
      // The filter with "..." builds the workspace packages the app depends on (the service kit) first.
      expect(app.dockerfile).toContain(`pnpm --filter "@signet/${name}..." run build`);
      expect(app.dockerfile).toContain(`pnpm --filter @signet/${name} deploy --prod`);
    }),
  ];
}

/** Registers {@link deploymentChecks} as vitest tests, one `describe` per suite. */
export function describeDeployment(options: DeploymentOptions): void {
  const checks = deploymentChecks(options);
  for (const suite of ['Kubernetes manifests', 'Dockerfile'] as const) {
    describe(suite, () => {
      for (const check of checks.filter((c) => c.suite === suite)) it(check.name, () => check.run());
    });
  }
}
