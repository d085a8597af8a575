import { DRILL_UNSIGNED_DIGEST } from '@signet/buildspec';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubectlResult } from '../ops/cluster.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runDrillCommand, type DrillCommandOptions, type DrillResult } from './drill.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ALPHA_IMAGE = `${REGISTRY}/signet-prod/alpha@sha256:${'a'.repeat(64)}`;
const BETA_IMAGE = `${REGISTRY}/signet-prod/beta@sha256:${'d'.repeat(64)}`;

const podList = (name: string, imageID: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        metadata: { name, namespace: name.split('-')[0] },
        status: { phase: 'Running', containerStatuses: [{ name: 'app', imageID }] },
      },
      {
        metadata: { name: `${name}-old`, deletionTimestamp: '2026-12-01T00:00:00Z' },
        status: { phase: 'Running' },
      },
    ],
  });

/** The API server's answers, in the words it uses (Kyverno's webhook, the image backstop, RBAC). */
const KYVERNO_DENIAL = (kind: string) =>
  `Error from server: admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource ${kind}/alpha/signet-drill was blocked due to the following policies \n\nsignet-verify-images:\n  signed-alpha: 'Image signature verification failed: no signature is associated with the artifact'`;
const BACKSTOP_DENIAL =
  "The pods \"signet-drill\" is invalid: : ValidatingAdmissionPolicy 'signet-image-backstop' with binding 'signet-image-backstop' denied request: every container image must be named by digest";
const FORBIDDEN =
  'Error from server (Forbidden): pods "alpha-1" is forbidden: User "signet:alpha:verify-container-sign" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "alpha"';

let calls: { args: readonly string[]; stdin?: string }[];
let answer: (args: readonly string[], stdin?: string) => KubectlResult;

const deny = (stderr: string): KubectlResult => ({ code: 1, stdout: '', stderr });

function defaultAnswer(args: readonly string[], stdin?: string): KubectlResult {
  if (args[0] === 'get') {
    const ns = args[args.indexOf('--namespace') + 1];
    return {
      code: 0,
      stdout:
        ns === 'alpha'
          ? podList('alpha-1', ALPHA_IMAGE)
          : podList('beta-1', `docker-pullable://${BETA_IMAGE}`),
      stderr: '',
    };
  }
  if (args[0] === 'patch') return deny(KYVERNO_DENIAL('Pod'));
  const object = JSON.parse(stdin ?? '{}') as { kind: string; spec: { containers?: { image: string }[] } };
  if (object.kind === 'Deployment') return deny(KYVERNO_DENIAL('Deployment'));
  if (object.spec.containers?.[0]?.image.includes(':signet-drill')) return deny(BACKSTOP_DENIAL);
  return deny(KYVERNO_DENIAL('Pod'));
}

async function drill(options: Omit<DrillCommandOptions, 'env'> & { env?: string }) {
  const io = captureIo();
  const kubectl = async (args: readonly string[], stdin?: string) => {
    calls.push({ args, ...(stdin === undefined ? {} : { stdin }) });
    return answer(args, stdin);
  };
  const code = await runCommand('drill', io, () =>
    runDrillCommand({ env: 'prod', ...options }, io, { root: ROOT, kubectl }),
  );
  return { code, out: io.out, err: io.err };
}

beforeEach(() => {
  calls = [];
  answer = defaultAnswer;
});

describe('signet drill', () => {
  it('submits every case as a server-side dry run in the app namespace and passes when admission denies each', async () => {
    const { code, out } = await drill({ app: 'alpha' });
    expect(out).toMatch(/^APP\s+CASE\s+EXPECTED\s+GOT\s+MESSAGE$/m);
    for (const c of [
      'unsigned-digest',
      'tag',
      'other-app-signed',
      'unsigned-deployment',
      'ephemeral-container',
    ]) {
      expect(out).toMatch(new RegExp(`^alpha\\s+${c}\\s+denied\\s+denied\\s+`, 'm'));
    }
    expect(out).toContain('Admission denied every case (0 skipped).');
    expect(code).toBe(0);
    const submitted = calls.filter((c) => c.args[0] !== 'get');
    expect(submitted).toHaveLength(5);
    for (const c of submitted) {
      expect(c.args).toContain('--dry-run=server');
      expect(c.args.slice(c.args.indexOf('--namespace'), c.args.indexOf('--namespace') + 2)).toEqual([
        '--namespace',
        'alpha',
      ]);
    }
    const images = submitted.map((c) => c.stdin ?? c.args.at(-1) ?? '');
    expect(images[0]).toContain(`${REGISTRY}/signet-prod/alpha@${DRILL_UNSIGNED_DIGEST}`);
    expect(images[1]).toContain(`${REGISTRY}/signet-prod/alpha:signet-drill`);
    // Another app's running, signed image, by the digest its node pulled.
    expect(images[2]).toContain(BETA_IMAGE);
    expect(JSON.parse(images[3] ?? '{}')).toMatchObject({ kind: 'Deployment' });
    expect(submitted[4]?.args.slice(0, 3)).toEqual(['patch', 'pod', 'alpha-1']);
    expect(submitted[4]?.args).toEqual(expect.arrayContaining(['--subresource', 'ephemeralcontainers']));
  });

  it('fails and names the case when one is admitted', async () => {
    answer = (args, stdin) =>
      JSON.parse(stdin ?? '{}').kind === 'Deployment'
        ? { code: 0, stdout: 'deployment.apps/signet-drill created (server dry run)\n', stderr: '' }
        : defaultAnswer(args, stdin);
    const { code, out } = await drill({ app: 'alpha', json: true });
    const report = JSON.parse(out) as { results: DrillResult[]; failed: number };
    expect(report.results.find((r) => r.case === 'unsigned-deployment')).toMatchObject({
      expected: 'denied',
      got: 'admitted',
      message: 'deployment.apps/signet-drill created (server dry run)',
    });
    expect(report.failed).toBe(1);
    expect(code).toBe(1);
  });

  it('counts a refusal that is not admission (RBAC) as an error, not a denial', async () => {
    answer = (args, stdin) => (args[0] === 'patch' ? deny(FORBIDDEN) : defaultAnswer(args, stdin));
    const { code, out } = await drill({ app: 'alpha' });
    expect(out).toMatch(/^alpha\s+ephemeral-container\s+denied\s+error\s+Error from server \(Forbidden\)/m);
    expect(out).toContain('1 case(s) not denied by admission.');
    expect(code).toBe(1);
  });

  it('skips the other-app case where no other app runs, and says so', async () => {
    const { code, out } = await drill({ env: 'dev' });
    expect(out).toMatch(
      /^alpha\s+other-app-signed\s+denied\s+skipped\s+no other app's signed image is known$/m,
    );
    expect(out).toContain('Admission denied every case (1 skipped).');
    expect(code).toBe(0);
  });

  it('stops when the app has no running Pod, and on bad input', async () => {
    answer = (args, stdin) =>
      args[0] === 'get' ? { code: 0, stdout: '{"items":[]}', stderr: '' } : defaultAnswer(args, stdin);
    expect(await drill({ app: 'alpha' })).toMatchObject({
      code: 1,
      err: expect.stringContaining('no running Pod of alpha in namespace alpha'),
    });
    expect(await drill({ app: 'gamma' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--app "gamma" is not an app of prod'),
    });
    expect(await drill({ unsignedDigest: 'latest' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--unsigned-digest "latest" is not a digest'),
    });
    expect(await drill({ env: 'qa' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--env "qa" is not an environment'),
    });
  });
});
