import { readFileSync } from 'node:fs';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  GetSigningProfileCommand,
  ListSigningJobsCommand,
  ListSigningProfilesCommand,
  SignerClient,
  type GetSigningProfileResponse,
  type SigningJob,
} from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockedClients } from '../ops/test/clients.js';
import type { VerifyOutcome, VerifyRequest } from '../ops/verify.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runAuditCommand, type AuditCommandOptions, type AuditReport } from './audit.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
/** `kubectl get pods --all-namespaces --output json`, as a cluster answered it (trimmed to the read fields). */
const PODS = readFileSync(new URL('../ops/test/fixtures/kubectl-get-pods.json', import.meta.url), 'utf8');
const SIG = 'application/vnd.cncf.notary.signature';
const ACCOUNT = '123456789012';
const ARN = `arn:aws:signer:eu-west-1:${ACCOUNT}`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
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
const referrer = (imageDigest: string, subject: string, pushed = '2026-11-10T00:00:00Z'): ImageDetail => ({
  imageDigest,
  subjectManifestDigest: subject,
  artifactMediaType: SIG,
  imagePushedAt: new Date(pushed),
});

function serveImages(pages: Record<string, ImageDetail[]>): void {
  ecr.on(DescribeImagesCommand).callsFake((input: { repositoryName: string }) => {
    const details = pages[input.repositoryName];
    if (details === undefined)
      throw Object.assign(new Error('no repo'), { name: 'RepositoryNotFoundException' });
    return { imageDetails: details };
  });
}

function serveProfiles(profiles: Record<string, GetSigningProfileResponse>): void {
  signer.on(GetSigningProfileCommand).callsFake((input: { profileName: string }) => {
    const profile = profiles[input.profileName];
    if (profile === undefined)
      throw Object.assign(new Error('missing'), { name: 'ResourceNotFoundException' });
    return {
      profileName: input.profileName,
      arn: `${ARN}:/signing-profiles/${input.profileName}`,
      ...profile,
    };
  });
  signer.on(ListSigningProfilesCommand).resolves({
    profiles: Object.entries(profiles).map(([profileName, p]) => ({
      profileName,
      status: p.status ?? 'Active',
    })),
  });
}

const jws = (job: string, profile: string) =>
  JSON.stringify({
    payload: 'e30',
    protected: Buffer.from(
      JSON.stringify({
        alg: 'ES384',
        'com.amazonaws.signer.signingJob': `${ARN}:/signing-jobs/${job}`,
        'com.amazonaws.signer.signingProfileVersion': `${ARN}:/signing-profiles/${profile}/aaaaaaaaaa`,
      }),
    ).toString('base64url'),
    signature: 'c2ln',
  });

/** Signature digest → envelope text; a digest missing here has an unreadable envelope. */
let envelopes: Record<string, string> = {};
const fetchBlob = async (url: string) => {
  const key = Object.keys(envelopes).find((d) => url.endsWith(`/${d}`));
  if (key === undefined) return 'not a JWS envelope';
  return envelopes[key] ?? '';
};

/** What notation verify answers per image digest; every call's trust is kept. */
let verdicts: Record<string, VerifyOutcome> = {};
let verified: VerifyRequest[] = [];
const verifier = async (request: VerifyRequest): Promise<VerifyOutcome> => {
  verified.push(request);
  return verdicts[request.digest] ?? { verified: false, message: 'no signature verified' };
};

const SIGNING_ROLE = (app: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/signet-prod-${app}-sign/AWSCodeBuild-1`;
/** prod promotes: its own signatures are the release signatures, made by ReleaseSigning's role. */
const RELEASE_ROLE = (app: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/signet-prod-${app}-release/AWSCodeBuild-1`;
function serveJobs(jobs: SigningJob[]): void {
  signer.on(ListSigningJobsCommand).resolves({ jobs });
}

async function audit(
  options: Omit<AuditCommandOptions, 'env'> & { env?: string },
  kubectl?: () => Promise<string>,
) {
  const io = captureIo();
  const code = await runCommand('audit', io, () =>
    runAuditCommand({ env: 'prod', ...options }, io, {
      clients: mockedClients,
      root: ROOT,
      fetchBlob,
      verifier,
      ...(kubectl === undefined ? {} : { kubectl }),
    }),
  );
  return { code, out: io.out, err: io.err };
}

beforeEach(() => {
  verified = [];
  serveProfiles({
    signet_prod_alpha: { status: 'Active' },
    signet_prod_alpha_release: { status: 'Active' },
    signet_prod_beta: { status: 'Active' },
    signet_prod_beta_release: { status: 'Canceled' },
  });
  serveJobs([
    { jobId: 'job-a', profileName: 'signet_prod_alpha_release', jobInvoker: RELEASE_ROLE('alpha') },
    { jobId: 'job-d', profileName: 'signet_prod_beta_release', jobInvoker: RELEASE_ROLE('beta') },
    { jobId: 'job-elsewhere', profileName: 'someone_else', jobInvoker: 'arn:aws:iam::123456789012:user/x' },
  ]);
  serveImages({
    'signet-prod/alpha': [image(A, ['abc123']), referrer(digest('1'), A), image(C, [])],
    'signet-prod/beta': [image(D, ['fed321']), referrer(digest('3'), D)],
  });
  envelopes = {
    [digest('1')]: jws('job-a', 'signet_prod_alpha'),
    [digest('3')]: jws('job-d', 'signet_prod_beta'),
  };
  verdicts = {
    [A]: {
      verified: true,
      message: `Successfully verified signature for ${REGISTRY}/signet-prod/alpha@${A}`,
    },
    [D]: { verified: true, message: `Successfully verified signature for ${REGISTRY}/signet-prod/beta@${D}` },
  };
  ecr.on(DescribeRepositoriesCommand).callsFake((input: { repositoryNames: string[] }) => ({
    repositories: input.repositoryNames.map((name) => ({
      repositoryName: name,
      repositoryUri: `${REGISTRY}/${name}`,
    })),
  }));
  ecr.on(BatchGetImageCommand).callsFake((input: { imageIds: { imageDigest: string }[] }) => ({
    images: input.imageIds.map(({ imageDigest }) => ({
      imageId: { imageDigest },
      imageManifest: JSON.stringify({
        layers: [{ mediaType: 'application/jose+json', digest: imageDigest }],
      }),
    })),
  }));
  ecr.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => ({
    downloadUrl: `https://blobs.example/${input.layerDigest}`,
  }));
});

afterEach(() => {
  signer.reset();
  ecr.reset();
});

describe('signet audit', () => {
  it('passes when notation verifies every deployable image and every job came from its pipeline', async () => {
    const { code, out } = await audit({});
    expect(out).toMatch(
      /^signet-prod\/alpha\s+sha256:aaaaaaaaaaaa\s+abc123\s+yes\s+1\s+job-a\s+signet_prod_alpha\s+verified\s+signed$/m,
    );
    expect(out).toContain('every deployable image verified, every signing job from the pipeline');
    expect(out).toContain('Profile signet_prod_beta_release is canceled');
    expect(code).toBe(0);
  });

  it("verifies with the app's trust: its repository URI and its own profiles' ARNs, as the cluster trusts them", async () => {
    await audit({});
    expect(verified.map((v) => v.trust)).toEqual([
      {
        app: 'alpha',
        repositoryUrl: `${REGISTRY}/signet-prod/alpha`,
        signingProfileArns: [
          `${ARN}:/signing-profiles/signet_prod_alpha`,
          `${ARN}:/signing-profiles/signet_prod_alpha_release`,
        ],
      },
      {
        app: 'beta',
        repositoryUrl: `${REGISTRY}/signet-prod/beta`,
        signingProfileArns: [
          `${ARN}:/signing-profiles/signet_prod_beta`,
          `${ARN}:/signing-profiles/signet_prod_beta_release`,
        ],
      },
    ]);
  });

  it("fails an image notation does not verify (a forged signature), with notation's own line", async () => {
    verdicts[A] = { verified: false, message: 'Error: signature verification failed for all the signatures' };
    const { code, out } = await audit({});
    expect(out).toContain(
      `FAIL signet-prod/alpha@${A}: notation verify failed: Error: signature verification failed for all the signatures`,
    );
    expect(code).toBe(1);
  });

  it('fails an image whose envelope cannot be read, even when notation were to pass it', async () => {
    envelopes = { [digest('3')]: envelopes[digest('3')] ?? '' };
    const { code, out } = await audit({ json: true });
    const report = JSON.parse(out) as AuditReport;
    expect(report.images[0]).toMatchObject({ digest: A, verdict: 'unreadable' });
    expect(report.images[0]?.signatures[0]).toEqual({
      digest: digest('1'),
      note: 'envelope is not valid JWS JSON',
      verdict: 'unreadable',
    });
    expect(report.problems).toEqual([
      `signet-prod/alpha@${A}: its signature cannot be read: envelope is not valid JWS JSON`,
    ]);
    expect(code).toBe(1);
  });

  it('fails a signing job that the pipeline role did not request, and notes a revoked one', async () => {
    serveJobs([
      {
        jobId: 'job-a',
        profileName: 'signet_prod_alpha_release',
        jobInvoker: `arn:aws:iam::${ACCOUNT}:role/signet-prod-alpha-release`,
      },
      {
        jobId: 'job-stray',
        profileName: 'signet_prod_alpha_release',
        jobInvoker: `arn:aws:sts::${ACCOUNT}:assumed-role/developer/alice`,
      },
      { jobId: 'job-cross', profileName: 'signet_prod_beta_release', jobInvoker: RELEASE_ROLE('alpha') },
      {
        jobId: 'job-old',
        profileName: 'signet_prod_beta',
        jobInvoker: 'arn:aws:iam::123456789012:user/bob',
        isRevoked: true,
      },
    ]);
    const { code, out } = await audit({});
    expect(out).toContain(
      `FAIL signing job job-stray with profile signet_prod_alpha_release was requested by arn:aws:sts::${ACCOUNT}:assumed-role/developer/alice, not by signet-prod-alpha-release: revoke it (signet revoke)`,
    );
    expect(out).toContain(
      `FAIL signing job job-cross with profile signet_prod_beta_release was requested by ${RELEASE_ROLE('alpha')}, not by signet-prod-beta-release`,
    );
    expect(out).toContain(
      'Signing job job-old (signet_prod_beta) was requested by arn:aws:iam::123456789012:user/bob; it is revoked.',
    );
    expect(out).not.toContain('FAIL signing job job-a ');
    expect(out).toContain('2 problem(s).');
    expect(code).toBe(1);
  });

  it('fails a job of a promoting environment’s own pipeline identity, which no stage of it signs with', async () => {
    // prod has no ApplicationSigning stage: its images carry dev's build signature, and a signature by
    // prod's pipeline profile, even from a role named like a signing stage's, is out of the pipeline.
    serveJobs([{ jobId: 'job-p', profileName: 'signet_prod_alpha', jobInvoker: SIGNING_ROLE('alpha') }]);
    const { code, out } = await audit({});
    expect(out).toContain(
      `FAIL signing job job-p with profile signet_prod_alpha was requested by ${SIGNING_ROLE('alpha')}, not by a pipeline role (no pipeline signs with this profile): revoke it (signet revoke)`,
    );
    expect(code).toBe(1);
  });

  it('accepts a release signature requested by the release signing role only', async () => {
    serveJobs([
      {
        jobId: 'job-release',
        profileName: 'signet_prod_alpha_release',
        jobInvoker: `arn:aws:sts::${ACCOUNT}:assumed-role/signet-prod-alpha-release/AWSCodeBuild-1`,
      },
      {
        jobId: 'job-release-by-build',
        profileName: 'signet_prod_alpha_release',
        jobInvoker: SIGNING_ROLE('alpha'),
      },
    ]);
    const { code, out } = await audit({});
    expect(out).not.toContain('FAIL signing job job-release ');
    expect(out).toContain(
      `FAIL signing job job-release-by-build with profile signet_prod_alpha_release was requested by ${SIGNING_ROLE('alpha')}, not by signet-prod-alpha-release`,
    );
    expect(code).toBe(1);
  });

  it('asks DescribeSigningJob for the requester where the list leaves it out, and fails a job with none', async () => {
    serveJobs([{ jobId: 'job-a', profileName: 'signet_prod_alpha' }]);
    const { code, out } = await audit({});
    expect(out).toContain(
      'FAIL signing job job-a with profile signet_prod_alpha was requested by (not recorded)',
    );
    expect(code).toBe(1);
  });

  it("fails an active profile of the environment's prefix that no app declares (a removed app)", async () => {
    serveProfiles({
      signet_prod_alpha: { status: 'Active' },
      signet_prod_alpha_release: { status: 'Active' },
      signet_prod_beta: { status: 'Active' },
      signet_prod_gamma: { status: 'Active' },
      signet_prod_delta: { status: 'Canceled' },
    });
    const { code, out } = await audit({ json: true });
    const report = JSON.parse(out) as AuditReport;
    expect(report.profiles.map((p) => [p.profileName, p.app ?? null, p.status])).toContainEqual([
      'signet_prod_gamma',
      null,
      'Active',
    ]);
    expect(report.problems).toEqual([
      'profile signet_prod_gamma is Active but no app of the workspace declares it (an app removed since, or an earlier generation): it can still sign; cancel it (signet decommission)',
    ]);
    expect(code).toBe(1);
  });

  it('with --cluster, reads what runs: a running digest no repository holds and a container without a digest fail', async () => {
    const { code, out } = await audit({ json: true, cluster: true }, async () => PODS);
    const report = JSON.parse(out) as AuditReport;
    expect(report.images.find((i) => i.digest === A)).toMatchObject({
      runningIn: ['alpha/alpha-7d9f8-abcde'],
      verdict: 'signed',
    });
    expect(report.images.find((i) => i.digest === C)).toMatchObject({
      deployable: true,
      verdict: 'unsigned',
      runningIn: ['alpha/alpha-7d9f8-fghij'],
    });
    expect(report.problems).toEqual([
      `signet-prod/alpha@${C} (running in alpha/alpha-7d9f8-fghij): unsigned`,
      `-@${B} (running in beta/debug-shell): not-in-registry`,
      'beta/beta-5c6b7-klmno container beta (123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/beta:fed321) reports no image digest: cannot tell what it runs',
    ]);
    // kube-system's Pods are not an app's: not audited.
    expect(JSON.stringify(report.running)).not.toContain('kube-system');
    expect(code).toBe(1);
  });

  it('counts a --deployed digest as deployable, and one missing from the registry as a failure', async () => {
    const E = digest('e');
    const { out } = await audit({
      json: true,
      deployed: [`docker-pullable://${REGISTRY}/signet-prod/alpha@${C}`, E],
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
    expect(report.problems).toHaveLength(2);
  });

  it("fails a signature of another app's profile, and of a revoked profile", async () => {
    envelopes[digest('3')] = jws('job-d', 'signet_prod_alpha');
    serveProfiles({
      signet_prod_alpha: {
        status: 'Revoked',
        revocationRecord: { revocationEffectiveFrom: new Date('2026-11-01T00:00:00Z') },
      },
      signet_prod_alpha_release: { status: 'Active' },
      signet_prod_beta: { status: 'Active' },
    });
    const { out } = await audit({ json: true });
    const report = JSON.parse(out) as AuditReport;
    expect(report.images.map((i) => [i.digest, i.verdict])).toEqual([
      [A, 'profile-revoked'],
      [C, 'unsigned'],
      [D, 'profile-untrusted'],
    ]);
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
});
