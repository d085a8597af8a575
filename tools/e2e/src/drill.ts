import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { eventually, messageOf, type KubeResponse, type Manifest } from './kube.js';
import { startKyverno, webhookRegistered, type Kyverno } from './kyverno.js';
import {
  DRILL_ENV,
  PLATFORM_NAMESPACE,
  PLATFORM_REPOSITORY,
  RELEASE_ENV,
  renderDrillPlan,
  replaceString,
  repositoryOf,
  signingProfileArn,
  type DrillPlan,
} from './plan.js';
import { startDrillRegistry, type DrillRegistry } from './registry.js';
import { Relay, startVerifier, type Verifier } from './verifier.js';

/** A namespace that belongs to no app and lists no platform image. */
export const UNLISTED_NAMESPACE = 'scratch';

/** The images the cases use, by digest unless the name says otherwise. */
export interface DrillImages {
  /** hello-server's repository, signed under hello-server's profile with the trusted key. */
  readonly helloSigned: string;
  /** hello-server's repository, never signed. */
  readonly helloUnsigned: string;
  /** hello-server's repository, signed under hello-server's profile with a key the TrustStore does not hold. */
  readonly helloUntrusted: string;
  /** billing's repository, signed under billing's profile with the trusted key. */
  readonly billingSigned: string;
  /** The platform image the platform namespace lists. */
  readonly platform: string;
  /**
   * hello-server's repository of {@link RELEASE_ENV}, each as promoted there (the build signature:
   * dev's pipeline profile, the trusted key) and released (the release signature: the environment's
   * release profile, the release key), or only one of the two.
   */
  readonly releaseBoth: string;
  readonly releaseBuildOnly: string;
  readonly releaseOnly: string;
}

/** Everything the drill started, and the plan it applied. */
export interface Drill {
  readonly cp: ControlPlane;
  readonly plan: DrillPlan;
  readonly registry: DrillRegistry;
  readonly kyverno: Kyverno;
  readonly verifier: Verifier;
  readonly relay: Relay;
  readonly images: DrillImages;
  /** The ClusterPolicy of {@link Drill.plan} as applied (verifier URL pointed at the relay). */
  readonly clusterPolicy: Manifest;
  /** The verifier URL of the applied ClusterPolicies: the relay's, on 127.0.0.1. */
  readonly relayUrl: string;
  /** Seconds each start-up step took. */
  readonly timings: Readonly<Record<string, number>>;
  /** Everything the processes printed, for failure messages. */
  output(): string;
  /** Waits until Kyverno has built its webhooks for the ClusterPolicy and it is ready. */
  policyReady(): Promise<void>;
  /**
   * Applies the admission objects of `plan` (another environment's plan of the same cluster) in
   * place of those applied now: its TrustPolicies (deleting the ones it does not have), its
   * ClusterPolicy with the verifier URL pointed at the relay, and its backstop with its binding.
   * Waits for Kyverno to have the ClusterPolicy; returns it as applied. The backstop takes effect
   * a moment later (the API server's policy informer).
   */
  useAdmissionOf(plan: DrillPlan): Promise<Manifest>;
  stop(): Promise<void>;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/** The policies Kyverno and the API server enforce: the ClusterPolicy and the backstop with its binding. */
const isPolicy = (m: Manifest) =>
  m.kind === 'ClusterPolicy' || m.kind.startsWith('ValidatingAdmissionPolicy');

/** A restricted-compliant Pod (the app namespaces enforce Pod Security `restricted`). */
export function pod(name: string, namespace: string, image: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: podSpec(image),
  };
}

function podSpec(image: string) {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
}

export function deployment(name: string, namespace: string, image: string): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(image) },
    },
  };
}

/** A creation's outcome: admitted, or denied with the API server's message. */
export function outcome(response: KubeResponse): string {
  return response.status < 300 ? 'admitted' : `denied (HTTP ${response.status}): ${messageOf(response)}`;
}

/** Starts the whole drill: control plane, registry with signed images, Kyverno, verifier, the plan. */
export async function startDrill(): Promise<Drill> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-drill-'));
  const timings: Record<string, number> = {};
  let t = performance.now();
  const cp = await startControlPlane(dir);
  timings['control plane'] = seconds(t);
  const stops: (() => Promise<void>)[] = [() => cp.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    t = performance.now();
    const registry = await startDrillRegistry(cp.pki, dir);
    stops.push(() => registry.stop());
    const hello = repositoryOf('hello-server');
    const released = repositoryOf('hello-server', RELEASE_ENV);
    const images: DrillImages = {
      helloSigned: await registry.push(hello, 'hello-server, built and signed'),
      helloUnsigned: await registry.push(hello, 'hello-server, never signed'),
      helloUntrusted: await registry.push(hello, 'hello-server, signed with another key'),
      billingSigned: await registry.push(repositoryOf('billing'), 'billing, built and signed'),
      platform: await registry.push(PLATFORM_REPOSITORY, 'a platform agent'),
      releaseBoth: await registry.push(released, 'hello-server, promoted and released'),
      releaseBuildOnly: await registry.push(released, 'hello-server, promoted, never released'),
      releaseOnly: await registry.push(released, 'hello-server, released, never built'),
    };
    await registry.sign(images.helloSigned, signingProfileArn('hello-server'), registry.trusted);
    await registry.sign(images.helloUntrusted, signingProfileArn('hello-server'), registry.untrusted);
    await registry.sign(images.billingSigned, signingProfileArn('billing'), registry.trusted);
    // The build signature is dev's pipeline identity's wherever the image runs (Promote copies it).
    const build = signingProfileArn('hello-server', DRILL_ENV);
    const release = signingProfileArn('hello-server', RELEASE_ENV, 'release');
    for (const image of [images.releaseBoth, images.releaseBuildOnly])
      await registry.sign(image, build, registry.trusted);
    for (const image of [images.releaseBoth, images.releaseOnly])
      await registry.sign(image, release, registry.release);
    timings['registry and signed images'] = seconds(t);

    t = performance.now();
    const plan = await renderDrillPlan(images.platform);
    timings['eks plan'] = seconds(t);

    t = performance.now();
    const crds = plan.manifests.filter((m) => m.kind === 'CustomResourceDefinition');
    for (const m of crds) await cp.admin.apply(m);
    for (const m of crds)
      await eventually(
        `${m.metadata.name} served`,
        async () => {
          const r = await cp.admin.request(
            'GET',
            `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${m.metadata.name}`,
          );
          const c = (r.json?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)
            ?.conditions;
          return c?.some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
        },
        60_000,
      );
    for (const m of plan.manifests.filter((x) => !isPolicy(x) && x.kind !== 'CustomResourceDefinition')) {
      // The one substitution: the TrustStore holds the drill's test certificates (the build and the
      // release key's), not the AWS Signer root.
      const applied =
        m.kind === 'TrustStore'
          ? {
              ...m,
              spec: { ...(m['spec'] as object), caBundle: `${registry.trusted.pem}${registry.release.pem}` },
            }
          : m;
      await cp.admin.apply(applied);
    }
    for (const name of [PLATFORM_NAMESPACE, UNLISTED_NAMESPACE])
      await cp.admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    // No controller manager runs: create each namespace's default service account, which the
    // ServiceAccount admission plugin requires of every Pod.
    const namespaces = (await cp.admin.ok('GET', '/api/v1/namespaces')).json?.['items'] as Manifest[];
    for (const ns of namespaces)
      await cp.admin.apply({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: ns.metadata.name },
      });
    timings['plan applied'] = seconds(t);

    t = performance.now();
    const kyverno = await startKyverno(cp, plan, dir);
    stops.push(() => kyverno.stop());
    timings['kyverno'] = seconds(t);

    t = performance.now();
    let verifierPort = 0;
    const relay = await Relay.start(() => verifierPort);
    stops.push(() => relay.stop());
    const verifier = await startVerifier(cp, plan, registry, dir);
    verifierPort = verifier.port;
    stops.push(() => verifier.stop());
    timings['verifier'] = seconds(t);

    t = performance.now();
    // The only change to what the stack renders: the verifier's in-cluster URL, pointed at loopback.
    const relayUrl = `https://127.0.0.1:${relay.port}${new URL(plan.verifierUrl).pathname}`;
    const loopback = (p: DrillPlan) => replaceString(p.clusterPolicy, p.verifierUrl, relayUrl);
    const clusterPolicy = loopback(plan);
    // Kyverno registers its webhooks before its TLS pair is served: the first calls may fail.
    await eventually('the ClusterPolicy applied', () => cp.admin.apply(clusterPolicy), 120_000, 1_000);
    const policyReady = async () => {
      await eventually(
        'the ClusterPolicy is ready',
        async () => {
          const r = await cp.admin.ok(
            'GET',
            `/apis/kyverno.io/v1/clusterpolicies/${clusterPolicy.metadata.name}`,
          );
          const c = (r.json?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)
            ?.conditions;
          return c?.some((x) => x.type === 'Ready' && x.status === 'True') ? true : undefined;
        },
        120_000,
      );
      await eventually(
        "Kyverno's resource webhook registered",
        async () =>
          (await webhookRegistered(cp, 'kyverno-resource-validating-webhook-cfg')) ? true : undefined,
        120_000,
      );
    };
    await policyReady();
    for (const m of plan.manifests.filter((x) => isPolicy(x) && x.kind !== 'ClusterPolicy'))
      await cp.admin.apply(m);
    // The backstop takes effect once the API server's policy informer has it: wait for its first denial.
    const tagged = pod('backstop-probe', 'hello-server', `${repositoryOf('hello-server')}:probe`);
    await eventually(
      'the backstop denies',
      async () =>
        (await cp.admin.create(tagged, { dryRun: true })).body.includes('signet-image-backstop')
          ? true
          : undefined,
      60_000,
    );
    timings['policies'] = seconds(t);
    let admission = plan;
    const useAdmissionOf = async (next: DrillPlan): Promise<Manifest> => {
      const trustPolicies = (p: DrillPlan) => p.manifests.filter((m) => m.kind === 'TrustPolicy');
      const kept = new Set(trustPolicies(next).map((m) => m.metadata.name));
      for (const m of trustPolicies(next)) await cp.admin.apply(m);
      for (const m of trustPolicies(admission)) if (!kept.has(m.metadata.name)) await cp.admin.delete(m);
      const applied = loopback(next);
      await cp.admin.apply(applied);
      await policyReady();
      for (const m of next.manifests.filter((x) => isPolicy(x) && x.kind !== 'ClusterPolicy'))
        await cp.admin.apply(m);
      admission = next;
      return applied;
    };
    const output = () =>
      [cp.output(), `--- kyverno\n${kyverno.output()}`, `--- verifier\n${verifier.output()}`].join('\n');
    return {
      cp,
      plan,
      registry,
      kyverno,
      verifier,
      relay,
      images,
      clusterPolicy,
      relayUrl,
      timings,
      output,
      policyReady,
      useAdmissionOf,
      stop: stopAll,
    };
  } catch (error) {
    const detail = cp.output().slice(-4000);
    await stopAll();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${detail}`, { cause: error });
  }
}
