/**
 * `pnpm bench` (e2e): admission latency of a signed Pod in the drill, as the API server answers a
 * `dryRun=All` creation: with the verifier's cache warm (the same digest every time), cold (a new
 * signed digest every time), and against the same API server with no policy at all (ClusterPolicy
 * and backstop removed). `SIGNET_BENCH_N` sets the number of creations of each (default 200).
 */
import { deployment, pod, startDrill, type Drill } from './drill.js';
import { eventually } from './kube.js';
import { repositoryOf, signingProfileArn } from './plan.js';

const N = Number(process.env['SIGNET_BENCH_N'] ?? '200');

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function measure(
  drill: Drill,
  images: readonly string[],
): Promise<{ p50: number; p99: number; n: number }> {
  const times: number[] = [];
  for (const [i, image] of images.entries()) {
    const started = performance.now();
    const response = await drill.cp.admin.create(pod(`bench-${Date.now()}-${i}`, 'hello-server', image), {
      dryRun: true,
    });
    const elapsed = performance.now() - started;
    if (response.status >= 300) throw new Error(`creation ${i} of ${image} was denied: ${response.body}`);
    times.push(elapsed);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

const line = (what: string, r: { p50: number; p99: number; n: number }) =>
  `e2e bench: ${what.padEnd(34)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   (n=${r.n})`;

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 1)
    throw new Error(`SIGNET_BENCH_N has value ${String(N)}; allowed: a positive integer`);
  const drill = await startDrill();
  try {
    process.stdout.write(`e2e bench: drill started ${JSON.stringify(drill.timings)}\n`);
    // Warm-up: Kyverno's and the verifier's first call of the run.
    await drill.cp.admin.create(deployment('bench-warmup', 'hello-server', drill.images.helloSigned), {
      dryRun: true,
    });
    const warm = await measure(
      drill,
      Array.from({ length: N }, () => drill.images.helloSigned),
    );
    const fresh: string[] = [];
    for (let i = 0; i < N; i++) {
      const image = await drill.registry.push(repositoryOf('hello-server'), `bench image ${i}`);
      await drill.registry.sign(image, signingProfileArn('hello-server'), drill.registry.trusted);
      fresh.push(image);
    }
    const cold = await measure(drill, fresh);

    // The same API server with no policy: the ClusterPolicy and the backstop removed.
    for (const m of drill.plan.manifests.filter((x) => x.kind.startsWith('ValidatingAdmissionPolicy')))
      await drill.cp.admin.delete(m);
    await drill.cp.admin.delete(drill.clusterPolicy);
    await eventually(
      'Kyverno has stopped validating Pods',
      async () => {
        const r = await drill.cp.admin.request(
          'GET',
          '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/kyverno-resource-validating-webhook-cfg',
        );
        return r.status === 404 || !r.body.includes('"pods"') ? true : undefined;
      },
      120_000,
    );
    const none = await measure(
      drill,
      Array.from({ length: N }, () => drill.images.helloSigned),
    );
    process.stdout.write(
      [
        line('signed Pod, verifier cache warm', warm),
        line('signed Pod, verifier cache cold', cold),
        line('no policy (same API server)', none),
        '',
      ].join('\n'),
    );
  } finally {
    await drill.stop();
  }
}

await main();
