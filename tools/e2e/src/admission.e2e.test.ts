// The admission drill: a real kube-apiserver of the cluster's minor calls the real Kyverno admission
// controller of the release the eks stack deploys, which calls Signet's verifier over TLS, which
// pulls the signatures from a registry and checks them against the TrustPolicy resources; what the
// eks stack renders (ClusterPolicy, TrustPolicies, TrustStore, backstop, RBAC, namespaces) is
// applied from the same builders. Everything listens on 127.0.0.1; see docs/testing.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DRILL_CACHE_TTL_SECONDS,
  PLATFORM_NAMESPACE,
  REGISTRY_HOST,
  repositoryOf,
  signingProfileArn,
} from './plan.js';
import { deployment, outcome, pod, startDrill, UNLISTED_NAMESPACE, type Drill } from './drill.js';
import type { Manifest } from './kube.js';

let drill: Drill;
let serial = 0;
const name = (what: string) => `${what}-${++serial}`;

beforeAll(async () => {
  drill = await startDrill();
  process.stderr.write(`drill: started ${JSON.stringify(drill.timings)}\n`);
});

afterAll(async () => {
  await drill?.stop();
});

/**
 * Creates `manifest` (dry-run unless asked), returns `admitted` or the denial with its message,
 * whitespace folded and Kyverno's YAML quoting of rule messages (`'…'`, `|-`) removed.
 */
async function admit(manifest: Manifest, options: { dryRun?: boolean } = { dryRun: true }): Promise<string> {
  return outcome(await drill.cp.admin.create(manifest, options))
    .replace(/: (?:'|\|-)/g, ': ')
    .replace(/'\s*$/gm, '')
    .replace(/\s+/g, ' ');
}

const BACKSTOP_DENIAL =
  /ValidatingAdmissionPolicy 'signet-image-backstop' with binding 'signet-image-backstop' denied request/;
const TAGGED = () => pod(name('probe'), 'hello-server', `${repositoryOf('hello-server')}:probe`);

/** Runs `body` with the backstop's binding removed, so only Kyverno decides; waits for each change to apply. */
async function withoutBackstop<T>(body: () => Promise<T>): Promise<T> {
  const binding = drill.plan.manifests.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding');
  if (binding === undefined) throw new Error('the eks plan has no ValidatingAdmissionPolicyBinding');
  await drill.cp.admin.delete(binding);
  try {
    await expect.poll(() => admit(TAGGED()), { timeout: 30_000, interval: 250 }).not.toMatch(BACKSTOP_DENIAL);
    return await body();
  } finally {
    await drill.cp.admin.apply(binding);
    await expect.poll(() => admit(TAGGED()), { timeout: 30_000, interval: 250 }).toMatch(BACKSTOP_DENIAL);
  }
}

const KYVERNO_DENIAL = /admission webhook "validate\.kyverno\.svc-fail" denied the request/;

describe("case 1: a correctly signed digest from the app's repository", () => {
  it('admits a Pod (created for real) and a Deployment', async () => {
    const images = drill.images;
    expect(await admit(pod(name('signed'), 'hello-server', images.helloSigned), {})).toBe('admitted');
    expect(await admit(deployment(name('signed'), 'hello-server', images.helloSigned))).toBe('admitted');
    expect(await admit(pod(name('signed'), 'billing', images.billingSigned))).toBe('admitted');
  });
});

describe('case 2: everything else in an app namespace is denied', () => {
  it("denies an unsigned image with the verifier's reason", async () => {
    const result = await admit(pod(name('unsigned'), 'hello-server', drill.images.helloUnsigned));
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(
      /signed-hello-server: Image signature verification failed: container app: image .*hello-server@sha256:[a-f0-9]{64}: .*signature/,
    );
  });

  it("denies an image signed by a key the TrustStore does not hold, with the verifier's reason", async () => {
    const result = await admit(pod(name('untrusted'), 'hello-server', drill.images.helloUntrusted));
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(
      /signed-hello-server: Image signature verification failed: .*the signature's certificate chain does not contain any trusted certificate/,
    );
  });

  it('denies the same in a Deployment', async () => {
    const result = await admit(deployment(name('unsigned'), 'hello-server', drill.images.helloUnsigned));
    expect(result).toMatch(/autogen-signed-hello-server: Image signature verification failed/);
  });

  const refused = [
    ['by tag', () => `${repositoryOf('hello-server')}:latest`],
    ['from another registry', () => `docker.io/library/nginx@${drill.images.helloSigned.split('@')[1]}`],
  ] as const;
  for (const [what, image] of refused) {
    it(`denies an image ${what}: by the backstop, and by Kyverno alone`, async () => {
      const withBackstop = await admit(pod(name('refused'), 'hello-server', image()));
      expect(withBackstop).toMatch(BACKSTOP_DENIAL);
      const kyvernoAlone = await withoutBackstop(() => admit(pod(name('refused'), 'hello-server', image())));
      expect(kyvernoAlone).toMatch(KYVERNO_DENIAL);
      expect(kyvernoAlone).toMatch(
        /images-hello-server: validation error: In namespace hello-server, every image must be referenced by digest from app hello-server'?'s repository/,
      );
    });
  }

  it("denies another app's signed image in this app's namespace", async () => {
    const result = await admit(pod(name('other-app'), 'hello-server', drill.images.billingSigned));
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(/images-hello-server: /);
  });
});

describe('case 3: a namespace of no app', () => {
  it('admits the platform image listed for it, and nothing else', async () => {
    expect(await admit(pod(name('platform'), PLATFORM_NAMESPACE, drill.images.platform))).toBe('admitted');
    const other = await withoutBackstop(() =>
      admit(pod(name('platform'), PLATFORM_NAMESPACE, drill.images.helloSigned)),
    );
    expect(other).toMatch(KYVERNO_DENIAL);
    expect(other).toMatch(
      new RegExp(
        `platform-${PLATFORM_NAMESPACE}: validation error: Namespace ${PLATFORM_NAMESPACE} belongs to no app; it runs only the platform images listed`,
      ),
    );
  });

  it('admits nothing where no platform image is listed, not even a signed app image', async () => {
    const result = await withoutBackstop(() =>
      admit(pod(name('unlisted'), UNLISTED_NAMESPACE, drill.images.helloSigned)),
    );
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(new RegExp(`no-app-namespace: Namespace ${UNLISTED_NAMESPACE} belongs to no app`));
  });
});

describe('case 4: fail closed', () => {
  it('denies while the verifier is stopped, and admits again once it is back', async () => {
    await drill.verifier.stop();
    try {
      const result = await admit(pod(name('verifier-down'), 'hello-server', drill.images.helloSigned));
      expect(result).toMatch(KYVERNO_DENIAL);
      expect(result).toMatch(/signed-hello-server/);
    } finally {
      await drill.verifier.start();
    }
    expect(await admit(pod(name('verifier-back'), 'hello-server', drill.images.helloSigned))).toBe(
      'admitted',
    );
  });

  it('denies while Kyverno is stopped', async () => {
    await drill.kyverno.stop();
    try {
      const result = await admit(pod(name('kyverno-down'), 'hello-server', drill.images.helloSigned));
      expect(result).toMatch(/failed calling webhook "validate\.kyverno\.svc-fail"/);
    } finally {
      await drill.kyverno.start();
      await drill.policyReady();
    }
    await expect
      .poll(() => admit(pod(name('kyverno-back'), 'hello-server', drill.images.helloSigned)), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('admitted');
  });

  it('denies when the verifier answers slower than the webhook timeout', async () => {
    const timeout = (drill.clusterPolicy['spec'] as { webhookConfiguration: { timeoutSeconds: number } })
      .webhookConfiguration.timeoutSeconds;
    drill.relay.delayMs = (timeout + 5) * 1000;
    drill.relay.reset();
    try {
      const started = performance.now();
      const result = await admit(pod(name('slow'), 'hello-server', drill.images.helloSigned));
      expect(result).toMatch(/denied/);
      expect(result).toMatch(/validate\.kyverno\.svc-fail/);
      expect(performance.now() - started).toBeLessThan((timeout + 20) * 1000);
    } finally {
      drill.relay.delayMs = 0;
      drill.relay.reset();
    }
    expect(await admit(pod(name('fast'), 'hello-server', drill.images.helloSigned))).toBe('admitted');
  }, 180_000);
});

describe('case 5: a TrustPolicy change', () => {
  it(`takes effect within the cache TTL (${DRILL_CACHE_TTL_SECONDS} s)`, async () => {
    const policy = drill.plan.manifests.find(
      (m) => m.kind === 'TrustPolicy' && m.metadata.name === 'signet-app-hello-server',
    );
    if (policy === undefined) throw new Error('the eks plan has no TrustPolicy signet-app-hello-server');
    // Verified and cached just before the change.
    expect(await admit(pod(name('before'), 'hello-server', drill.images.helloSigned))).toBe('admitted');
    const hello = signingProfileArn('hello-server');
    const spec = policy['spec'] as { trustPolicies: { trustedIdentities?: string[] }[] };
    expect(JSON.stringify(spec)).toContain(hello);
    // hello-server's identity removed; billing's stays, so the policy is still a valid one.
    const changed = JSON.parse(
      JSON.stringify(policy).split(hello).join(signingProfileArn('billing')),
    ) as Manifest;
    await drill.cp.admin.apply(changed);
    const started = performance.now();
    try {
      let result = '';
      while (performance.now() - started < DRILL_CACHE_TTL_SECONDS * 1000) {
        result = await admit(pod(name('after'), 'hello-server', drill.images.helloSigned));
        if (result !== 'admitted') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(result).toMatch(
        /signed-hello-server: Image signature verification failed: .*not among the trusted identities/,
      );
      process.stderr.write(
        `drill: the removed identity denied after ${Math.round(performance.now() - started)} ms\n`,
      );
    } finally {
      await drill.cp.admin.apply(policy);
    }
    await expect
      .poll(() => admit(pod(name('restored'), 'hello-server', drill.images.helloSigned)), {
        timeout: DRILL_CACHE_TTL_SECONDS * 1000,
        interval: 500,
      })
      .toBe('admitted');
  }, 120_000);
});

describe('the drill itself', () => {
  it('points only the verifier URL at loopback, and the registry answers under the ECR hostname', () => {
    const rendered = JSON.stringify(drill.plan.clusterPolicy);
    const applied = JSON.stringify(drill.clusterPolicy);
    expect(applied).not.toContain(drill.plan.verifierUrl);
    expect(
      applied.split(`https://127.0.0.1:${drill.relay.port}/checkimages`).join(drill.plan.verifierUrl),
    ).toBe(rendered);
    expect(drill.images.helloSigned.startsWith(`${REGISTRY_HOST}/`)).toBe(true);
  });
});
