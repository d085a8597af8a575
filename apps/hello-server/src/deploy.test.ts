// Checks the Kubernetes manifests (deploy/) and the Dockerfile for the properties the platform relies on:
// digest-only images, a locked-down pod, and shutdown timings that agree with the service's config.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from './config.js';

const APP_DIR = new URL('../', import.meta.url);
const DEPLOY_DIR = new URL('deploy/', APP_DIR);
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', APP_DIR), 'utf8')) as {
  signet: { name: string; port: number; manifests: string };
};
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server@sha256:${'0123456789abcdef'.repeat(4)}`;
const PLACEHOLDER = '__SIGNET_IMAGE__';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML; each test asserts on the shape it reads. */
type Manifest = Record<string, any>;

/** What the pipeline does: replace the placeholder by repo@digest in every file, then apply them all. */
function render(image: string): { file: string; text: string; manifests: Manifest[] }[] {
  return readdirSync(DEPLOY_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, DEPLOY_DIR), 'utf8').replaceAll(PLACEHOLDER, image);
      const manifests = parseAllDocuments(text).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        return doc.toJS() as Manifest;
      });
      return { file, text, manifests };
    });
}

const rendered = render(IMAGE);
const all = rendered.flatMap((r) => r.manifests);
const only = (kind: string): Manifest => {
  const found = all.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Manifest;
};

describe('Kubernetes manifests', () => {
  const deployment = only('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const labels = { 'app.kubernetes.io/name': PACKAGE.signet.name };

  it('live where package.json says and contain exactly the expected kinds', () => {
    expect(PACKAGE.signet.manifests).toBe('deploy');
    expect(all.map((m) => `${m.apiVersion}/${m.kind}`).sort()).toEqual([
      'apps/v1/Deployment',
      'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/PodDisruptionBudget',
      'v1/Service',
      'v1/ServiceAccount',
    ]);
  });

  it('are namespace-independent and named after the app', () => {
    for (const manifest of all) {
      expect(manifest.metadata.namespace).toBeUndefined();
      expect(manifest.metadata.name).toBe(PACKAGE.signet.name);
      expect(manifest.metadata.labels).toMatchObject(labels);
    }
  });

  it('reference the image only through the placeholder, which renders to repo@digest', () => {
    const sources = readdirSync(DEPLOY_DIR)
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => readFileSync(new URL(file, DEPLOY_DIR), 'utf8'));
    expect(sources.join('').split(PLACEHOLDER)).toHaveLength(2);
    expect(rendered.map((r) => r.text).join('')).not.toContain(PLACEHOLDER);
    expect(pod.containers).toHaveLength(1);
    expect(pod.initContainers).toBeUndefined();
    expect(container.name).toBe(PACKAGE.signet.name);
    expect(container.image).toBe(IMAGE);
    expect(container.image).toMatch(/^[^:@]+(?::\d+)?\/[^:@]+@sha256:[0-9a-f]{64}$/);
  });

  it('expose the contract port as "http" through the Service', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: PACKAGE.signet.port, protocol: 'TCP' }]);
    expect(container.env).toContainEqual({ name: 'PORT', value: String(PACKAGE.signet.port) });
    const service = only('Service');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(labels);
  });

  it('run the pod locked down: non-root, read-only root, no privilege escalation, no capabilities, seccomp', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThanOrEqual(10_000);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The only writable path is an emptyDir at /tmp.
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: expect.objectContaining({ sizeLimit: expect.any(String) }) },
    ]);
  });

  it('mount no service account token', () => {
    const account = only('ServiceAccount');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('set requests and limits', () => {
    for (const key of ['requests', 'limits']) {
      expect(container.resources[key]).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    }
  });

  it('probe liveness and readiness on the service endpoints', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('give the process time to drain and exit before the kubelet kills it', () => {
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    // The configuration the pod gets is valid for the service itself.
    const config = loadConfig(env);
    expect(config.drainDelayMs).toBeGreaterThanOrEqual(5_000);
    expect(config.shutdownGraceMs).toBeGreaterThan(config.drainDelayMs);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdownGraceMs);
    // Readiness must be able to turn false well within the drain delay.
    const probe = container.readinessProbe;
    expect(probe.periodSeconds * probe.failureThreshold * 1000).toBeLessThanOrEqual(config.drainDelayMs);
  });

  it('roll out and disrupt without losing capacity', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const budget = only('PodDisruptionBudget');
    expect(budget.spec.selector.matchLabels).toEqual(labels);
    expect(budget.spec.maxUnavailable ?? deployment.spec.replicas - budget.spec.minAvailable).toBeLessThan(
      deployment.spec.replicas,
    );
  });

  it('allow ingress to the HTTP port only and no egress at all', () => {
    const policy = only('NetworkPolicy');
    expect(policy.spec.podSelector.matchLabels).toEqual(labels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(policy.spec.egress).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', APP_DIR), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));

  it('pins every base image by digest', () => {
    const bases = instructions.filter((line) => line.startsWith('FROM '));
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^FROM \S+@sha256:[0-9a-f]{64}( AS \w+)?$/);
  });

  it('runs the final stage as a numeric non-root user with UID >= 10000', () => {
    const final = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
    const user = final.filter((line) => line.startsWith('USER '));
    expect(user).toHaveLength(1);
    const [uid, gid] = (user[0] as string).slice(5).split(':').map(Number);
    expect(uid).toBeGreaterThanOrEqual(10_000);
    expect(gid).toBeGreaterThanOrEqual(10_000);
    // The same identity the Deployment enforces.
    expect(only('Deployment').spec.template.spec.securityContext.runAsUser).toBe(uid);
    expect(final).toContain('CMD ["dist/main.js"]');
  });

  it('ships production dependencies only, installed from the frozen lockfile', () => {
    expect(dockerfile).toContain('pnpm install --frozen-lockfile');
    expect(dockerfile).toMatch(/pnpm --filter @signet\/hello-server deploy --prod/);
  });
});
