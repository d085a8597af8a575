/*
 * `signet audit` against moto_server: signer:GetSigningProfile, ecr:DescribeImages and
 * ecr:BatchGetImage (the signature manifests) are answered by moto over HTTP, through the clients
 * the command builds itself (AWS_ENDPOINT_URL points them at moto).
 *
 * notation verify is replaced by a verifier that records the trust it is given (the real notation
 * runs in audit.notation.test.ts, against a registry).
 *
 * moto 5.2.1 lacks, and so these tests mock with aws-sdk-client-mock:
 *   - signer:ListSigningJobs (no route, HTTP 404): the jobs are mocked, two pages.
 *   - ecr:GetDownloadUrlForLayer (NotImplementedError, HTTP 500): mocked with a `data:` URL of the
 *     envelope moto stored the digest of, so the default downloader still runs.
 *   - signer:ListSigningProfiles (no route): the profiles the test created (MotoSeeder.listProfiles).
 *   - signer:GetSigningProfile of an unknown profile: moto answers HTTP 500 instead of
 *     ResourceNotFoundException, so that one answer is mocked.
 *   - ecr:DescribeImages returns no `subjectManifestDigest`/`artifactMediaType`: added from the
 *     manifest moto stored, as ECR derives them (mockMotoGaps).
 * A Revoked profile cannot be made in moto (no RevokeSigningProfile, no `revocationRecord`), and
 * moto never pages DescribeImages: both are covered by audit.test.ts.
 * The full list of moto gaps is in ../ops/test/moto.ts.
 */
import { GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { GetSigningProfileCommand, ListSigningJobsCommand } from '@aws-sdk/client-signer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  awsError,
  mockMotoGaps,
  MotoSeeder,
  signerEnvelope,
  startMotoForCommands,
  type MotoForCommands,
  type MotoGapMocks,
} from '../ops/test/moto.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import type { VerifyOutcome, VerifyRequest } from '../ops/verify.js';
import { runAuditCommand, type AuditCommandOptions, type AuditReport } from './audit.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const ACCOUNT = 'arn:aws:signer:eu-west-1:123456789012';
const job = (n: number) => `0000000${n}-5f60-4a7b-8c9d-0e1f2a3b4c5d`;
const jobArn = (n: number) => `${ACCOUNT}:/signing-jobs/${job(n)}`;

let server: MotoForCommands;
let seed: MotoSeeder;
let aws: MotoGapMocks;
/** Envelope layers moto holds the digest of: layer digest to content. */
let blobs: Map<string, string>;

beforeAll(async () => {
  server = await startMotoForCommands();
}, 60_000);
afterAll(() => server.stop());
beforeEach(async () => {
  await server.reset();
  // A seeder per test: ListSigningProfiles answers with the profiles of this test only.
  seed = new MotoSeeder();
  verifiable = new Set();
  requests = [];
  aws = mockMotoGaps(seed);
  blobs = new Map();
  aws.ecr.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => {
    const content = blobs.get(input.layerDigest);
    if (content === undefined) throw awsError('LayersNotFoundException', `no layer ${input.layerDigest}`);
    return {
      layerDigest: input.layerDigest,
      downloadUrl: `data:application/jose+json;base64,${Buffer.from(content).toString('base64')}`,
    };
  });
});
afterEach(() => aws.restore());

/** Image digests notation would verify; every request is kept. */
let verifiable: Set<string>;
let requests: VerifyRequest[];
const verifier = async (request: VerifyRequest): Promise<VerifyOutcome> => {
  requests.push(request);
  return verifiable.has(request.digest)
    ? { verified: true, message: 'Successfully verified' }
    : { verified: false, message: 'Error: signature verification failed for all the signatures' };
};
const PIPELINE_ROLE = (env: string, app: string) =>
  `arn:aws:sts::123456789012:assumed-role/signet-${env}-${app}-sign/AWSCodeBuild-0f1e`;

async function audit(options: AuditCommandOptions) {
  const io = captureIo();
  const code = await runCommand('audit', io, () => runAuditCommand(options, io, { root: ROOT, verifier }));
  return { code, out: io.out, err: io.err };
}

async function sign(repository: string, subject: { digest: string; size: number }, envelope: string) {
  const signature = await seed.signature(repository, subject, envelope);
  blobs.set(signature.layerDigest, envelope);
  return signature;
}

describe('signet audit against moto', () => {
  /**
   * prod: alpha holds A (signed by a revoked job), B (signed by the release identity, with an SBOM)
   * and C (untagged, unsigned); beta holds D (signed by a dev profile) and E (signed by beta's
   * profile, which is canceled). signet_prod_beta_release does not exist.
   */
  async function seedProd() {
    const alpha = await seed.profile('signet_prod_alpha');
    const release = await seed.profile('signet_prod_alpha_release');
    const beta = await seed.profile('signet_prod_beta', 'Canceled');
    aws.signer
      .on(GetSigningProfileCommand, { profileName: 'signet_prod_beta_release' })
      .rejects(awsError('ResourceNotFoundException', 'Profile not found'));
    await seed.repository('signet-prod/alpha');
    await seed.repository('signet-prod/beta');
    const A = await seed.image('signet-prod/alpha', 'A', 'abc123');
    const B = await seed.image('signet-prod/alpha', 'B', 'def456');
    const C = await seed.image('signet-prod/alpha', 'C');
    const D = await seed.image('signet-prod/beta', 'D', 'fed321');
    const E = await seed.image('signet-prod/beta', 'E', 'aaa111');
    const sigA = await sign('signet-prod/alpha', A, signerEnvelope(jobArn(1), alpha.profileVersionArn));
    const sigB = await sign('signet-prod/alpha', B, signerEnvelope(jobArn(2), release.profileVersionArn));
    const sbomB = await seed.sbom('signet-prod/alpha', B);
    const sigD = await sign(
      'signet-prod/beta',
      D,
      signerEnvelope(jobArn(3), `${ACCOUNT}:/signing-profiles/signet_dev_beta/cccccccccc`),
    );
    const sigE = await sign('signet-prod/beta', E, signerEnvelope(jobArn(4), beta.profileVersionArn));
    // Jobs, two pages: another team's job, then job 1 (A's, revoked), job 2 (B's, by the pipeline) and
    // job 9, requested by a developer.
    aws.signer
      .on(ListSigningJobsCommand)
      .resolvesOnce({
        jobs: [
          { jobId: job(7), profileName: 'someone_else', jobInvoker: 'arn:aws:iam::123456789012:user/x' },
        ],
        nextToken: 'p2',
      })
      .resolves({
        jobs: [
          {
            jobId: job(1),
            profileName: 'signet_prod_alpha',
            isRevoked: true,
            jobInvoker: PIPELINE_ROLE('prod', 'alpha'),
          },
          {
            jobId: job(2),
            profileName: 'signet_prod_alpha_release',
            jobInvoker: PIPELINE_ROLE('prod', 'alpha'),
          },
          { jobId: job(4), profileName: 'signet_prod_beta', jobInvoker: PIPELINE_ROLE('prod', 'beta') },
          {
            jobId: job(9),
            profileName: 'signet_prod_beta',
            jobInvoker: 'arn:aws:sts::123456789012:assumed-role/developer/alice',
          },
        ],
      });
    verifiable = new Set([A.digest, B.digest, D.digest, E.digest]);
    return { alpha, A, B, C, D, E, sigA, sigB, sbomB, sigD, sigE };
  }

  it('reads profiles, images, envelopes and jobs from moto and gives each image its verdict', async () => {
    const s = await seedProd();
    const { code, out, err } = await audit({ env: 'prod', json: true });
    expect(err).toBe('');
    const report = JSON.parse(out) as AuditReport;
    // Signatures and the SBOM are referrers, not images: only the five images are audited.
    const verdicts = Object.fromEntries(
      report.images.map((i) => [
        i.digest,
        [
          i.repository,
          i.tags.join(','),
          i.deployable,
          i.signatures[0]?.profile,
          i.verification?.verified,
          i.verdict,
        ],
      ]),
    );
    expect(verdicts).toEqual({
      [s.A.digest]: ['signet-prod/alpha', 'abc123', true, 'signet_prod_alpha', true, 'job-revoked'],
      [s.B.digest]: ['signet-prod/alpha', 'def456', true, 'signet_prod_alpha_release', true, 'signed'],
      [s.C.digest]: ['signet-prod/alpha', '', false, undefined, undefined, 'unsigned'],
      [s.D.digest]: ['signet-prod/beta', 'fed321', true, 'signet_dev_beta', true, 'profile-untrusted'],
      [s.E.digest]: ['signet-prod/beta', 'aaa111', true, 'signet_prod_beta', true, 'signed'],
    });
    expect(report.images.find((i) => i.digest === s.A.digest)?.signatures).toEqual([
      {
        digest: s.sigA.digest,
        jobId: job(1),
        profile: 'signet_prod_alpha',
        profileVersion: s.alpha.profileVersion,
        verdict: 'job-revoked',
      },
    ]);
    expect(report.profiles.map((p) => [p.profileName, p.status])).toEqual([
      ['signet_prod_alpha', 'Active'],
      ['signet_prod_alpha_release', 'Active'],
      ['signet_prod_beta', 'Canceled'],
      ['signet_prod_beta_release', 'NotFound'],
    ]);
    // notation is given the app's trust as moto answered it: the repository URI and the profile ARNs.
    const alphaTrust = requests.find((r) => r.digest === s.A.digest)?.trust;
    expect(alphaTrust).toEqual({
      app: 'alpha',
      repositoryUrl: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/alpha',
      signingProfileArns: [
        s.alpha.profileVersionArn.replace(/\/[^/]+$/, ''),
        expect.stringContaining(':/signing-profiles/signet_prod_alpha_release'),
      ],
    });
    // prod promotes: no stage of it signs with its own pipeline profiles, so every job of theirs is
    // out of the pipeline (job 1, revoked, is only noted), whoever requested it.
    expect(report.strayJobs.map((j) => [j.jobId, j.requestedBy])).toEqual([
      [job(1), PIPELINE_ROLE('prod', 'alpha')],
      [job(2), PIPELINE_ROLE('prod', 'alpha')],
      [job(4), PIPELINE_ROLE('prod', 'beta')],
      [job(9), 'arn:aws:sts::123456789012:assumed-role/developer/alice'],
    ]);
    expect(report.problems).toEqual([
      `signet-prod/alpha@${s.A.digest}: job-revoked`,
      `signet-prod/beta@${s.D.digest}: profile-untrusted`,
      `signing job ${job(2)} with profile signet_prod_alpha_release was requested by ${PIPELINE_ROLE('prod', 'alpha')}, not by signet-prod-alpha-release: revoke it (signet revoke)`,
      `signing job ${job(4)} with profile signet_prod_beta was requested by ${PIPELINE_ROLE('prod', 'beta')}, not by a pipeline role (no pipeline signs with this profile): revoke it (signet revoke)`,
      `signing job ${job(9)} with profile signet_prod_beta was requested by arn:aws:sts::123456789012:assumed-role/developer/alice, not by a pipeline role (no pipeline signs with this profile): revoke it (signet revoke)`,
    ]);
    expect(code).toBe(1);
    expect(aws.signer.commandCalls(ListSigningJobsCommand)).toHaveLength(2);
    // One envelope download per signature; the SBOM is never read.
    expect(
      aws.ecr
        .commandCalls(GetDownloadUrlForLayerCommand)
        .map((c) => c.args[0].input.layerDigest)
        .sort(),
    ).toEqual([s.sigA, s.sigB, s.sigD, s.sigE].map((sig) => sig.layerDigest).sort());
    // Five images, four signatures and an SBOM seeded over HTTP: seconds when the machine is busy.
  }, 20_000);

  it('prints the table, the problems and the canceled profile, and counts a --deployed digest', async () => {
    const s = await seedProd();
    const { code, out } = await audit({
      env: 'prod',
      deployed: [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/alpha@${s.C.digest}`],
    });
    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `^signet-prod/alpha\\s+${s.A.digest.slice(0, 19)}\\s+abc123\\s+yes\\s+1\\s+${job(1)}\\s+signet_prod_alpha\\s+verified\\s+job-revoked$`,
        'm',
      ),
    );
    expect(out).toContain(`FAIL signet-prod/alpha@${s.C.digest}: unsigned\n`);
    expect(out).toContain('Profile signet_prod_beta is canceled: it signs nothing new');
    expect(out).toContain('6 problem(s).\n');
  });

  it('exits 0 when every deployable image in moto has a valid signature', async () => {
    const alpha = await seed.profile('signet_dev_alpha');
    await seed.repository('signet-dev/alpha');
    const image = await seed.image('signet-dev/alpha', 'A', 'abc123');
    await sign('signet-dev/alpha', image, signerEnvelope(jobArn(1), alpha.profileVersionArn));
    await seed.sbom('signet-dev/alpha', image);
    aws.signer.on(ListSigningJobsCommand).resolves({
      jobs: [{ jobId: job(1), profileName: 'signet_dev_alpha', jobInvoker: PIPELINE_ROLE('dev', 'alpha') }],
    });
    verifiable = new Set([image.digest]);
    const { code, out, err } = await audit({ env: 'dev' });
    expect(err).toBe('');
    expect(out).toContain(
      '1 image(s) audited; every deployable image verified, every signing job from the pipeline.\n',
    );
    expect(code).toBe(0);
  });

  it("names the repository and ECR's answer when an app's repository does not exist", async () => {
    await seed.profile('signet_dev_alpha');
    aws.signer.on(ListSigningJobsCommand).resolves({ jobs: [] });
    const { code, out, err } = await audit({ env: 'dev' });
    expect(out).toBe('');
    expect(err).toBe(
      "signet audit: ecr:DescribeImages on repository signet-dev/alpha: not found (RepositoryNotFoundException: The repository with name 'signet-dev/alpha' does not exist in the registry with id '123456789012').\n",
    );
    expect(code).toBe(1);
  });
});
