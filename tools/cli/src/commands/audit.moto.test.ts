/*
 * `signet audit` against moto_server: signer:GetSigningProfile, ecr:DescribeImages and
 * ecr:BatchGetImage (the signature manifests) are answered by moto over HTTP, through the clients
 * the command builds itself (AWS_ENDPOINT_URL points them at moto).
 *
 * moto 5.2.1 lacks, and so these tests mock with aws-sdk-client-mock:
 *   - signer:ListSigningJobs (no route, HTTP 404): the revoked jobs are mocked, two pages.
 *   - ecr:GetDownloadUrlForLayer (NotImplementedError, HTTP 500): mocked with a `data:` URL of the
 *     envelope moto stored the digest of, so the default downloader still runs.
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
  seed = new MotoSeeder();
}, 60_000);
afterAll(() => server.stop());
beforeEach(async () => {
  await server.reset();
  aws = mockMotoGaps();
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

async function audit(options: AuditCommandOptions) {
  const io = captureIo();
  const code = await runCommand('audit', io, () => runAuditCommand(options, io, { root: ROOT }));
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
    // Revoked jobs, two pages: another team's job, then job 1 (A's) and job 9, which no signature names.
    aws.signer
      .on(ListSigningJobsCommand)
      .resolvesOnce({
        jobs: [{ jobId: job(7), profileName: 'someone_else', isRevoked: true }],
        nextToken: 'p2',
      })
      .resolves({
        jobs: [
          { jobId: job(1), profileName: 'signet_prod_alpha', isRevoked: true },
          { jobId: job(9), profileName: 'signet_prod_beta', isRevoked: true },
        ],
      });
    return { alpha, A, B, C, D, E, sigA, sigB, sbomB, sigD, sigE };
  }

  it('reads profiles, images and signature envelopes from moto and gives each image its verdict', async () => {
    const s = await seedProd();
    const { code, out, err } = await audit({ env: 'prod', json: true });
    expect(err).toBe('');
    const report = JSON.parse(out) as AuditReport;
    // Signatures and the SBOM are referrers, not images: only the five images are audited.
    const verdicts = Object.fromEntries(
      report.images.map((i) => [
        i.digest,
        [i.repository, i.tags.join(','), i.deployable, i.profile, i.profileStatus, i.verdict],
      ]),
    );
    expect(verdicts).toEqual({
      [s.A.digest]: ['signet-prod/alpha', 'abc123', true, 'signet_prod_alpha', 'Active', 'job-revoked'],
      [s.B.digest]: ['signet-prod/alpha', 'def456', true, 'signet_prod_alpha_release', 'Active', 'signed'],
      [s.C.digest]: ['signet-prod/alpha', '', false, 'signet_prod_alpha', 'Active', 'unsigned'],
      [s.D.digest]: ['signet-prod/beta', 'fed321', true, 'signet_dev_beta', undefined, 'profile-untrusted'],
      [s.E.digest]: ['signet-prod/beta', 'aaa111', true, 'signet_prod_beta', 'Canceled', 'signed'],
    });
    expect(report.images.find((i) => i.digest === s.A.digest)?.signatures).toEqual([
      {
        digest: s.sigA.digest,
        jobId: job(1),
        profile: 'signet_prod_alpha',
        profileVersion: s.alpha.profileVersion,
        source: 'envelope',
        verdict: 'job-revoked',
      },
    ]);
    expect(report.profiles.map((p) => [p.profileName, p.status])).toEqual([
      ['signet_prod_alpha', 'Active'],
      ['signet_prod_alpha_release', 'Active'],
      ['signet_prod_beta', 'Canceled'],
      ['signet_prod_beta_release', 'NotFound'],
    ]);
    expect(report.profiles[0]?.profileVersion).toBe(s.alpha.profileVersion);
    expect(report.unmatchedRevokedJobs).toEqual([job(9)]);
    expect(report.failures).toBe(2);
    expect(code).toBe(1);
    // Both pages of revoked jobs were read (the paginator reuses one input object, so the
    // recorded inputs cannot tell the pages apart).
    const jobCalls = aws.signer.commandCalls(ListSigningJobsCommand);
    expect(jobCalls).toHaveLength(2);
    for (const call of jobCalls) {
      expect(call.args[0].input).toMatchObject({ platformId: 'Notation-OCI-SHA384-ECDSA', isRevoked: true });
    }
    // One envelope download per signature; the SBOM is never read.
    expect(
      aws.ecr
        .commandCalls(GetDownloadUrlForLayerCommand)
        .map((c) => c.args[0].input.layerDigest)
        .sort(),
    ).toEqual([s.sigA, s.sigB, s.sigD, s.sigE].map((sig) => sig.layerDigest).sort());
  });

  it('prints the table, the revoked job no signature names, the canceled profile, and counts a --deployed digest', async () => {
    const s = await seedProd();
    const { code, out } = await audit({
      env: 'prod',
      deployed: [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/alpha@${s.C.digest}`],
    });
    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `^signet-prod/alpha\\s+${s.A.digest.slice(0, 19)}\\s+abc123\\s+yes\\s+1\\s+${job(1)}\\s+signet_prod_alpha\\s+Active\\s+job-revoked$`,
        'm',
      ),
    );
    expect(out).toMatch(
      new RegExp(
        `^signet-prod/alpha\\s+${s.C.digest.slice(0, 19)}\\s+-\\s+yes\\s+0\\s+-\\s+signet_prod_alpha \\(inferred\\)\\s+Active\\s+unsigned$`,
        'm',
      ),
    );
    expect(out).toContain(`Revoked signing jobs no audited signature names: ${job(9)}.`);
    expect(out).toContain('Profile signet_prod_beta is canceled: it signs nothing new');
    expect(out).toContain('3 deployable image(s) without a valid signature.\n');
  });

  it('exits 0 when every deployable image in moto has a valid signature', async () => {
    const alpha = await seed.profile('signet_dev_alpha');
    await seed.repository('signet-dev/alpha');
    const image = await seed.image('signet-dev/alpha', 'A', 'abc123');
    await sign('signet-dev/alpha', image, signerEnvelope(jobArn(1), alpha.profileVersionArn));
    await seed.sbom('signet-dev/alpha', image);
    aws.signer.on(ListSigningJobsCommand).resolves({ jobs: [] });
    const { code, out, err } = await audit({ env: 'dev' });
    expect(err).toBe('');
    expect(out).toContain('1 image(s) audited; every deployable image has a valid signature.\n');
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
