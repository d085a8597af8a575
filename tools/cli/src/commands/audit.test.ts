import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  GetSigningProfileCommand,
  ListSigningJobsCommand,
  SignerClient,
  type GetSigningProfileResponse,
} from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockedClients } from '../ops/test/clients.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runAuditCommand, type AuditCommandOptions, type AuditReport } from './audit.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const SIG = 'application/vnd.cncf.notary.signature';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const A = digest('a');
const B = digest('b');
const C = digest('c');
const D = digest('d');

const signer = mockClient(SignerClient);
const ecr = mockClient(ECRClient);

const image = (imageDigest: string, tags: string[], pushed = '2026-11-10T00:00:00Z'): ImageDetail => ({
  imageDigest,
  imageTags: tags,
  imagePushedAt: new Date(pushed),
});
const referrer = (
  imageDigest: string,
  subject: string,
  artifactMediaType: string,
  pushed = '2026-11-10T00:00:00Z',
): ImageDetail => ({
  imageDigest,
  subjectManifestDigest: subject,
  artifactMediaType,
  imagePushedAt: new Date(pushed),
});

/** Pages of DescribeImages per repository, chained by nextToken. */
function serveImages(pages: Record<string, ImageDetail[][]>): void {
  ecr.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; nextToken?: string }) => {
    const repoPages = pages[input.repositoryName];
    if (repoPages === undefined)
      throw Object.assign(new Error('no repo'), { name: 'RepositoryNotFoundException' });
    const index = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const next = index + 1 < repoPages.length ? String(index + 1) : undefined;
    return { imageDetails: repoPages[index], ...(next === undefined ? {} : { nextToken: next }) };
  });
}

function serveProfiles(profiles: Record<string, GetSigningProfileResponse>): void {
  signer.on(GetSigningProfileCommand).callsFake((input: { profileName: string }) => {
    const profile = profiles[input.profileName];
    if (profile === undefined)
      throw Object.assign(new Error('missing'), { name: 'ResourceNotFoundException' });
    return { profileName: input.profileName, ...profile };
  });
}

async function audit(
  options: Omit<AuditCommandOptions, 'env'> & { env?: string },
  fetchBlob?: (url: string) => Promise<string>,
) {
  const io = captureIo();
  const code = await runCommand('audit', io, () =>
    runAuditCommand({ env: 'prod', ...options }, io, {
      clients: mockedClients,
      root: ROOT,
      ...(fetchBlob === undefined ? {} : { fetchBlob }),
    }),
  );
  return { code, out: io.out, err: io.err };
}

beforeEach(() => {
  serveProfiles({
    signet_prod_alpha: { status: 'Active', profileVersion: 'aaaaaaaaaa' },
    signet_prod_alpha_release: { status: 'Active' },
    signet_prod_beta: {
      status: 'Revoked',
      revocationRecord: { revocationEffectiveFrom: new Date('2026-11-01T00:00:00Z') },
    },
    signet_prod_beta_release: { status: 'Canceled' },
  });
  signer
    .on(ListSigningJobsCommand)
    .resolvesOnce({ jobs: [{ jobId: 'job-other', profileName: 'someone_else' }], nextToken: 't' })
    .resolves({ jobs: [{ jobId: 'job-alpha', profileName: 'signet_prod_alpha', isRevoked: true }] });
  serveImages({
    'signet-prod/alpha': [
      [image(A, ['abc123']), referrer(digest('1'), A, SIG)],
      [referrer(digest('2'), A, 'application/spdx+json'), image(C, [])],
      [image(B, ['def456'])],
    ],
    'signet-prod/beta': [[image(D, ['fed321']), referrer(digest('3'), D, SIG, '2026-11-10T00:00:00Z')]],
  });
});

afterEach(() => {
  signer.reset();
  ecr.reset();
});

describe('signet audit', () => {
  it('reports every image across all pages, with its signatures, profile and verdict', async () => {
    const { code, out } = await audit({ json: true });
    const report = JSON.parse(out) as AuditReport;
    expect(report.images.map((i) => [i.repository, i.digest, i.verdict, i.deployable])).toEqual([
      ['signet-prod/alpha', A, 'signed', true],
      ['signet-prod/alpha', B, 'unsigned', true],
      ['signet-prod/alpha', C, 'unsigned', false],
      ['signet-prod/beta', D, 'profile-revoked', true],
    ]);
    expect(report.images[0]?.signatures).toEqual([
      {
        digest: digest('1'),
        profile: 'signet_prod_alpha',
        source: 'inferred',
        note: 'signature envelope not available',
        verdict: 'valid',
      },
    ]);
    expect(report.images[0]?.profile).toBe('signet_prod_alpha');
    expect(report.unmatchedRevokedJobs).toEqual(['job-alpha']);
    expect(report.failures).toBe(2);
    expect(code).toBe(1);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(4);
    // Two pages of revoked jobs: the second holds the app's job, the first another profile's.
    const jobCalls = signer.commandCalls(ListSigningJobsCommand);
    expect(jobCalls).toHaveLength(2);
    for (const call of jobCalls) {
      expect(call.args[0].input).toMatchObject({ platformId: 'Notation-OCI-SHA384-ECDSA', isRevoked: true });
    }
  });

  it('prints a table with the verdicts and the notes on revoked jobs and canceled profiles', async () => {
    const { code, out } = await audit({});
    expect(code).toBe(1);
    expect(out).toMatch(
      /^REPOSITORY\s+DIGEST\s+TAGS\s+DEPLOYABLE\s+SIGNATURES\s+JOB\s+PROFILE\s+PROFILE STATUS\s+VERDICT$/m,
    );
    expect(out).toMatch(
      /^signet-prod\/alpha\s+sha256:bbbbbbbbbbbb\s+def456\s+yes\s+0\s+-\s+signet_prod_alpha \(inferred\)\s+Active\s+unsigned$/m,
    );
    expect(out).toMatch(
      /^signet-prod\/beta\s+sha256:dddddddddddd\s+fed321\s+yes\s+1\s+-\s+signet_prod_beta \(inferred\)\s+Revoked\s+profile-revoked$/m,
    );
    expect(out).toContain('Revoked signing jobs no audited signature names: job-alpha.');
    expect(out).toContain('Profile signet_prod_beta_release is canceled');
    expect(out).toContain('2 deployable image(s) without a valid signature.');
  });

  it('counts a --deployed digest as deployable, and one missing from the registry as a failure', async () => {
    const E = digest('e');
    const { out } = await audit({
      json: true,
      deployed: [`docker-pullable://123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/alpha@${C}`, E],
    });
    const report = JSON.parse(out) as AuditReport;
    expect(report.images.find((i) => i.digest === C)).toMatchObject({
      deployable: true,
      verdict: 'unsigned',
    });
    expect(report.images.find((i) => i.digest === E)).toMatchObject({
      deployable: true,
      verdict: 'not-in-registry',
    });
    expect(report.failures).toBe(4);
  });

  it('keeps signatures made before the profile revocation valid', async () => {
    serveImages({
      'signet-prod/alpha': [[image(A, ['abc123']), referrer(digest('1'), A, SIG)]],
      'signet-prod/beta': [[image(D, ['fed321']), referrer(digest('3'), D, SIG, '2026-10-01T00:00:00Z')]],
    });
    const { code, out } = await audit({ json: true });
    const report = JSON.parse(out) as AuditReport;
    expect(report.images.map((i) => i.verdict)).toEqual(['signed', 'signed']);
    expect(code).toBe(0);
  });

  it('exits 0 when every deployable image is signed by an active profile', async () => {
    serveImages({
      'signet-dev/alpha': [[image(A, ['abc123']), referrer(digest('1'), A, SIG)], [image(C, [])]],
    });
    serveProfiles({ signet_dev_alpha: { status: 'Active' } });
    const { code, out } = await audit({ env: 'dev' });
    expect(code).toBe(0);
    expect(out).toContain('2 image(s) audited; every deployable image has a valid signature.');
  });

  it('flags signatures of a profile Signer does not know', async () => {
    serveImages({ 'signet-dev/alpha': [[image(A, ['abc123']), referrer(digest('1'), A, SIG)]] });
    serveProfiles({});
    const { code, out } = await audit({ env: 'dev', json: true });
    expect(code).toBe(1);
    expect((JSON.parse(out) as AuditReport).images[0]).toMatchObject({
      profileStatus: 'NotFound',
      verdict: 'profile-missing',
    });
  });

  it('names the repository when listing it is denied', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { code, err } = await audit({});
    expect(code).toBe(1);
    expect(err).toContain(
      'signet audit: ecr:DescribeImages on repository signet-prod/alpha: access denied (AccessDeniedException)',
    );
  });

  it('explains missing credentials', async () => {
    signer
      .on(GetSigningProfileCommand)
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));
    const { code, err } = await audit({});
    expect(code).toBe(1);
    expect(err).toContain(
      'signer:GetSigningProfile on profile signet_prod_alpha: no usable AWS credentials (CredentialsProviderError',
    );
  });

  it('refuses an unknown environment and a malformed digest before calling AWS', async () => {
    expect(await audit({ env: 'qa' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--env "qa" is not an environment; allowed: dev, staging, prod'),
    });
    expect(await audit({ deployed: ['latest'] })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--deployed "latest" is not an image digest'),
    });
    expect(ecr.calls()).toHaveLength(0);
    expect(signer.calls()).toHaveLength(0);
  });

  describe('with signature envelopes', () => {
    const ARN = 'arn:aws:signer:eu-west-1:123456789012';
    const jws = (job: string, profile: string, version: string) =>
      JSON.stringify({
        payload: 'e30',
        protected: Buffer.from(
          JSON.stringify({
            alg: 'ES384',
            'com.amazonaws.signer.signingJob': `${ARN}:/signing-jobs/${job}`,
            'com.amazonaws.signer.signingProfileVersion': `${ARN}:/signing-profiles/${profile}/${version}`,
          }),
        ).toString('base64url'),
        signature: 'c2ln',
      });
    // Signature digest -> envelope media type and content.
    const envelopes: Record<string, { mediaType: string; text: string }> = {
      [digest('1')]: {
        mediaType: 'application/jose+json',
        text: jws('job-alpha', 'signet_prod_alpha', 'aaaaaaaaaa'),
      },
      [digest('4')]: {
        mediaType: 'application/jose+json',
        text: jws('job-ok', 'signet_prod_alpha_release', 'bbbbbbbbbb'),
      },
      [digest('3')]: {
        mediaType: 'application/jose+json',
        text: jws('job-dev', 'signet_dev_beta', 'cccccccccc'),
      },
      [digest('5')]: { mediaType: 'application/cose', text: '' },
    };

    beforeEach(() => {
      serveImages({
        'signet-prod/alpha': [
          [image(A, ['abc123']), referrer(digest('1'), A, SIG)],
          [image(B, ['def456']), referrer(digest('4'), B, SIG), referrer(digest('5'), C, SIG), image(C, [])],
        ],
        'signet-prod/beta': [[image(D, ['fed321']), referrer(digest('3'), D, SIG)]],
      });
      ecr.on(BatchGetImageCommand).callsFake((input: { imageIds: { imageDigest: string }[] }) => ({
        images: input.imageIds.map(({ imageDigest }) => ({
          imageId: { imageDigest },
          imageManifest: JSON.stringify({
            layers: [
              {
                mediaType: envelopes[imageDigest]?.mediaType,
                digest: `sha256:blob-${imageDigest.slice(7, 8)}`,
              },
            ],
          }),
        })),
      }));
      ecr.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => ({
        downloadUrl: `https://blobs.example/${input.layerDigest}`,
      }));
    });

    const fetchBlob = async (url: string) => {
      const key = Object.keys(envelopes).find((d) => url.endsWith(`blob-${d.slice(7, 8)}`));
      if (key === undefined) throw new Error(`unexpected URL ${url}`);
      return envelopes[key]?.text ?? '';
    };

    it('reads job and profile from each envelope and fails images whose only signature is revoked or untrusted', async () => {
      const { code, out } = await audit({ json: true }, fetchBlob);
      const report = JSON.parse(out) as AuditReport;
      const byDigest = new Map(report.images.map((i) => [i.digest, i]));
      expect(byDigest.get(A)).toMatchObject({ verdict: 'job-revoked', profile: 'signet_prod_alpha' });
      expect(byDigest.get(A)?.signatures[0]).toMatchObject({ jobId: 'job-alpha', source: 'envelope' });
      expect(byDigest.get(B)).toMatchObject({ verdict: 'signed', profile: 'signet_prod_alpha_release' });
      expect(byDigest.get(B)?.signatures[0]).toMatchObject({ jobId: 'job-ok', profileVersion: 'bbbbbbbbbb' });
      expect(byDigest.get(C)?.signatures[0]).toMatchObject({
        source: 'inferred',
        note: 'envelope application/cose not read',
      });
      expect(byDigest.get(D)).toMatchObject({ verdict: 'profile-untrusted', profile: 'signet_dev_beta' });
      expect(report.unmatchedRevokedJobs).toEqual([]);
      expect(report.failures).toBe(2);
      expect(code).toBe(1);
      expect(ecr.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(3);
    });

    it('shows the job in the table', async () => {
      const { out } = await audit({}, fetchBlob);
      expect(out).toMatch(
        /^signet-prod\/alpha\s+sha256:aaaaaaaaaaaa\s+abc123\s+yes\s+1\s+job-alpha\s+signet_prod_alpha\s+Active\s+job-revoked$/m,
      );
    });

    it('names the repository when reading a signature manifest is denied', async () => {
      ecr
        .on(BatchGetImageCommand)
        .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      const { code, err } = await audit({}, fetchBlob);
      expect(code).toBe(1);
      expect(err).toContain('signet audit: ecr:BatchGetImage on repository signet-prod/alpha: access denied');
    });
  });
});
