// The admission drill: a real kube-apiserver of the cluster's minor calls the real Kyverno admission
// controller of the release the eks stack deploys, which calls Signet's verifier over TLS, which
// pulls the signatures from a registry and checks them against the TrustPolicy resources; what the
// eks stack renders (ClusterPolicy, TrustPolicies, TrustStore, backstop, RBAC, namespaces) is
// applied from the same builders. Everything listens on 127.0.0.1; see docs/testing.md.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DRILL_CACHE_TTL_SECONDS,
  PLATFORM_NAMESPACE,
  REGISTRY_HOST,
  RELEASE_ENV,
  renderDrillPlan,
  repositoryOf,
  signingProfileArn,
  type DrillPlan,
} from './plan.js';
import { deployment, outcome, pod, startDrill, UNLISTED_NAMESPACE, type Drill } from './drill.js';
import { KubeClient, type Manifest } from './kube.js';

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

/** Waits until a (dry-run) creation of `manifest()` is admitted; fails with the last denial. */
async function admittedWithin(timeoutMs: number, manifest: () => Manifest): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    last = await admit(manifest());
    if (last === 'admitted') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not admitted within ${timeoutMs} ms: ${last}`);
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

describe(`case 2 where two signatures are needed: ${RELEASE_ENV}'s admission objects`, () => {
  let release: DrillPlan;
  let applied: Manifest;
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  /**
   * The verifier's reason, quoted by `rule`, for hello-server's released repository: the signature's
   * profile (`signedBy`, any version) is not among the policy's `trusted` identities.
   */
  const identityRefused = (rule: string, signedBy: string, trusted: readonly string[]) =>
    new RegExp(
      [
        `${rule}: Image signature verification failed: container app: image `,
        `${escaped(repositoryOf('hello-server', RELEASE_ENV))}@sha256:[a-f0-9]{64}: .*`,
        `signing profile version \\\\?"${escaped(signedBy)}/[^"\\\\]+\\\\?" is not among the trusted identities `,
        `\\[${trusted.map((arn) => `\\\\?"${escaped(arn)}\\\\?"`).join(',')}\\]`,
      ].join(''),
    );

  beforeAll(async () => {
    // runStackProgram evaluates the stack program once per module registry: a second plan needs a fresh one.
    vi.resetModules();
    release = await renderDrillPlan(drill.images.platform, RELEASE_ENV);
    applied = await drill.useAdmissionOf(release);
    // In effect once both Kyverno and the backstop admit the released image dev's objects refuse.
    await admittedWithin(60_000, () => pod(name('released'), 'hello-server', drill.images.releaseBoth));
  }, 180_000);

  afterAll(async () => {
    await drill.useAdmissionOf(drill.plan);
    await admittedWithin(60_000, () => pod(name('dev-again'), 'hello-server', drill.images.helloSigned));
  }, 180_000);

  it('applies two verifier calls per app under the build and the release policy, only the verifier URL changed', () => {
    const rules = (applied['spec'] as { rules: { name: string }[] }).rules.map((r) => r.name);
    expect(rules.filter((r) => r.endsWith('-hello-server'))).toEqual([
      'images-hello-server',
      'signed-hello-server',
      'relsig-hello-server',
    ]);
    expect(release.verifierUrl).toBe(drill.plan.verifierUrl);
    expect(JSON.stringify(applied).split(drill.relayUrl).join(release.verifierUrl)).toBe(
      JSON.stringify(release.clusterPolicy),
    );
    const identities = (policy: string) =>
      (
        release.manifests.find((m) => m.kind === 'TrustPolicy' && m.metadata.name === policy)?.['spec'] as
          { trustPolicies: { trustedIdentities: string[] }[] } | undefined
      )?.trustPolicies.flatMap((t) => t.trustedIdentities);
    expect(identities('signet-app-hello-server')).toEqual([signingProfileArn('hello-server')]);
    expect(identities('signet-app-hello-server-release')).toEqual([
      signingProfileArn('hello-server', RELEASE_ENV, 'release'),
    ]);
  });

  it('admits a Pod (created for real) and a Deployment of a digest with the build and the release signature', async () => {
    const image = drill.images.releaseBoth;
    expect(image.startsWith(`${repositoryOf('hello-server', RELEASE_ENV)}@`)).toBe(true);
    expect(await admit(pod(name('released'), 'hello-server', image), {})).toBe('admitted');
    expect(await admit(deployment(name('released'), 'hello-server', image))).toBe('admitted');
  });

  it("denies a digest with only the build signature (promoted, never released), with the verifier's reason", async () => {
    const result = await admit(pod(name('build-only'), 'hello-server', drill.images.releaseBuildOnly));
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(
      identityRefused('relsig-hello-server', signingProfileArn('hello-server'), [
        signingProfileArn('hello-server', RELEASE_ENV, 'release'),
      ]),
    );
    // The build signature itself passes: only the release rule denies.
    expect(result).not.toMatch(/signed-hello-server:/);
  });

  it("denies a digest with only the release signature (never built by the pipeline), with the verifier's reason", async () => {
    const result = await admit(pod(name('release-only'), 'hello-server', drill.images.releaseOnly));
    expect(result).toMatch(KYVERNO_DENIAL);
    expect(result).toMatch(
      identityRefused('signed-hello-server', signingProfileArn('hello-server', RELEASE_ENV, 'release'), [
        signingProfileArn('hello-server'),
      ]),
    );
    // The release signature itself passes: only the build rule denies.
    expect(result).not.toMatch(/relsig-hello-server:/);
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

describe("Kyverno's identity: its service account, with the chart's RBAC and the stack's Role", () => {
  const groups = () => ['system:serviceaccounts', `system:serviceaccounts:${drill.plan.kyvernoNamespace}`];
  /** Whether the API server's RBAC lets Kyverno's user do what `attributes` name. */
  const may = async (attributes: Record<string, string>): Promise<boolean> => {
    const r = await drill.cp.admin.ok('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: drill.kyverno.user, groups: groups(), resourceAttributes: attributes },
    });
    return (r.json?.['status'] as { allowed?: boolean } | undefined)?.allowed === true;
  };

  it('authenticates as its service account, not as an administrator', async () => {
    const kyverno = new KubeClient(drill.cp.server, drill.cp.pki.ca.cert, drill.kyverno.identity);
    const review = await kyverno.ok('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    const user = (review.json?.['status'] as { userInfo: { username: string; groups: string[] } }).userInfo;
    expect(user.username).toBe('system:serviceaccount:kyverno:kyverno-admission-controller');
    expect(user.groups).toEqual([...groups(), 'system:authenticated']);
  });

  it("may get the verifier's TLS secret, and no other secret of the verifier's namespace", async () => {
    const namespace = drill.plan.verifierNamespace;
    const secrets = { namespace, resource: 'secrets' };
    expect(await may({ ...secrets, verb: 'get', name: drill.plan.verifierTlsSecret })).toBe(true);
    expect(await may({ ...secrets, verb: 'get', name: 'another-secret' })).toBe(false);
    expect(await may({ ...secrets, verb: 'list' })).toBe(false);
    expect(await may({ namespace: 'hello-server', resource: 'pods', verb: 'create' })).toBe(false);
  });

  it("registers webhooks for Pods that fail closed, with the policy's timeout and the chart's namespace selector", async () => {
    const config = (
      await drill.cp.admin.ok(
        'GET',
        '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kyverno-resource-validating-webhook-cfg',
      )
    ).json as {
      webhooks: {
        name: string;
        failurePolicy: string;
        timeoutSeconds: number;
        namespaceSelector: unknown;
        rules: { resources: string[] }[];
      }[];
    };
    const forPods = config.webhooks.filter((w) => w.rules.some((r) => r.resources.includes('pods')));
    expect(forPods.length).toBeGreaterThan(0);
    const timeout = (drill.clusterPolicy['spec'] as { webhookConfiguration: { timeoutSeconds: number } })
      .webhookConfiguration.timeoutSeconds;
    const chartConfig = drill.plan.kyvernoChart.find(
      (m) => m.kind === 'ConfigMap' && m.metadata.name === 'kyverno',
    );
    const selector = (
      JSON.parse((chartConfig?.['data'] as Record<string, string>)['webhooks'] ?? '{}') as {
        namespaceSelector: { matchExpressions: unknown[] };
      }
    ).namespaceSelector;
    for (const w of forPods) {
      expect({ name: w.name, failurePolicy: w.failurePolicy, timeoutSeconds: w.timeoutSeconds }).toEqual({
        name: w.name,
        failurePolicy: 'Fail',
        timeoutSeconds: timeout,
      });
      expect(w.namespaceSelector).toEqual({ matchExpressions: selector.matchExpressions });
    }
  });

  it('was refused nothing by the API server while it ran', () => {
    const forbidden = drill.kyverno
      .output()
      .split('\n')
      .filter((line) => /forbidden|permission denied/i.test(line));
    expect(forbidden).toEqual([]);
  });
});

describe('the drill itself', () => {
  it('points only the verifier URL at loopback, and the registry answers under the ECR hostname', () => {
    const rendered = JSON.stringify(drill.plan.clusterPolicy);
    const applied = JSON.stringify(drill.clusterPolicy);
    expect(applied).not.toContain(drill.plan.verifierUrl);
    expect(applied.split(drill.relayUrl).join(drill.plan.verifierUrl)).toBe(rendered);
    expect(drill.relayUrl).toBe(`https://127.0.0.1:${drill.relay.port}/checkimages`);
    expect(drill.images.helloSigned.startsWith(`${REGISTRY_HOST}/`)).toBe(true);
  });
});
