/*
 * `signet decommission` against moto_server: signer:GetSigningProfile, signer:CancelSigningProfile,
 * ecr:DescribeImages and ecr:BatchDeleteImage are answered by moto over HTTP, through the clients
 * the command builds itself (AWS_ENDPOINT_URL points them at moto), and what `--yes` changed is
 * read back from moto.
 *
 * moto 5.2.1 lacks, and so these tests mock with aws-sdk-client-mock:
 *   - signer:RevokeSigningProfile (no route, HTTP 404): `--revoke --yes` is checked by the
 *     requests it sends, with the profile versions moto reports.
 *   - signer:ListSigningProfiles (no route): answered with the profiles the test created in moto,
 *     each with the status moto holds (MotoSeeder.listProfiles).
 *   - signer:GetSigningProfile of an unknown profile: moto answers HTTP 500 instead of
 *     ResourceNotFoundException, so that one answer is mocked.
 *   - ecr:DescribeImages returns no `subjectManifestDigest`/`artifactMediaType`: added from the
 *     manifest moto stored, as ECR derives them (mockMotoGaps).
 * moto never pages DescribeImages, does not limit BatchDeleteImage to 100 ids and never reports a
 * failure for an image it holds: paging, batches and failures are covered by decommission.test.ts.
 * The full list of moto gaps is in ../ops/test/moto.ts.
 */
import { BatchDeleteImageCommand } from '@aws-sdk/client-ecr';
import {
  CancelSigningProfileCommand,
  GetSigningProfileCommand,
  RevokeSigningProfileCommand,
} from '@aws-sdk/client-signer';
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
import { runDecommissionCommand, type DecommissionCommandOptions } from './decommission.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const NOW = new Date('2026-11-24T12:00:00Z');
const SIG = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';
const JOB = 'arn:aws:signer:eu-west-1:123456789012:/signing-jobs/1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const PROFILES = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles';

let server: MotoForCommands;
let seed: MotoSeeder;
let aws: MotoGapMocks;

beforeAll(async () => {
  server = await startMotoForCommands();
  seed = new MotoSeeder();
}, 60_000);
afterAll(() => server.stop());
beforeEach(async () => {
  await server.reset();
  seed.forget();
  aws = mockMotoGaps(seed);
});
afterEach(() => aws.restore());

async function decommission(options: Partial<DecommissionCommandOptions>) {
  const io = captureIo();
  const code = await runCommand('decommission', io, () =>
    runDecommissionCommand({ env: 'prod', ...options }, io, { now: () => NOW, root: ROOT }),
  );
  return { code, out: io.out, err: io.err };
}

/**
 * prod: alpha and its release identity active, beta canceled, beta's release profile missing;
 * signet-prod/alpha holds two tagged images, each signed, one with an SBOM, and an untagged
 * image; signet-prod/beta does not exist (its ecr stack is gone).
 */
async function seedProd() {
  const versions = {
    signet_prod_alpha: (await seed.profile('signet_prod_alpha')).profileVersion,
    signet_prod_alpha_release: (await seed.profile('signet_prod_alpha_release')).profileVersion,
    signet_prod_beta: (await seed.profile('signet_prod_beta', 'Canceled')).profileVersion,
  };
  aws.signer
    .on(GetSigningProfileCommand, { profileName: 'signet_prod_beta_release' })
    .rejects(awsError('ResourceNotFoundException', 'Profile not found'));
  await seed.repository('signet-prod/alpha');
  const one = await seed.image('signet-prod/alpha', 'one', 'abc123');
  const two = await seed.image('signet-prod/alpha', 'two', 'def456');
  const untagged = await seed.image('signet-prod/alpha', 'untagged');
  // decommission never reads an envelope; each signature names its own profile version so the two
  // signature manifests, and so their digests, differ.
  const referrers = [
    await seed.signature(
      'signet-prod/alpha',
      one,
      signerEnvelope(JOB, `${PROFILES}/signet_prod_alpha/${versions.signet_prod_alpha}`),
    ),
    await seed.sbom('signet-prod/alpha', one),
    await seed.signature(
      'signet-prod/alpha',
      two,
      signerEnvelope(JOB, `${PROFILES}/signet_prod_alpha_release/${versions.signet_prod_alpha_release}`),
    ),
  ];
  const images = new Map([
    [one.digest, ['abc123']],
    [two.digest, ['def456']],
    [untagged.digest, []],
  ]);
  return { versions, images, referrers: referrers.map((r) => r.digest) };
}

async function profileStatuses(): Promise<Record<string, string | undefined>> {
  const names = ['signet_prod_alpha', 'signet_prod_alpha_release', 'signet_prod_beta'];
  return Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, (await seed.profileState(name)).status])),
  );
}

// Each test makes tens of HTTP calls to moto; on a loaded machine one takes several seconds.
describe('signet decommission against moto', { timeout: 30_000 }, () => {
  it('dry run plans every step from what moto holds and changes nothing in it', async () => {
    const { images, referrers } = await seedProd();
    const before = await seed.images('signet-prod/alpha');
    expect(before.size).toBe(images.size + referrers.length);
    const { code, out, err } = await decommission({});
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('signet_prod_alpha: would cancel (signer:CancelSigningProfile)');
    expect(out).toContain('signet_prod_alpha_release: would cancel (signer:CancelSigningProfile)');
    expect(out).toContain('signet_prod_beta: already canceled, skipped');
    expect(out).toContain('signet_prod_beta_release: does not exist, skipped');
    expect(out).toContain(
      `signet-prod/alpha: would delete 3 referrer(s) (2 ${SIG}, 1 ${SBOM}) (ecr:BatchDeleteImage)`,
    );
    expect(out).toContain('signet-prod/beta: repository does not exist, skipped');
    expect(out).toContain('pnpm nx run stack-signing-pipeline:destroy --configuration=prod');
    expect(out).toContain('Nothing changed. Re-run with --yes');
    expect(await seed.images('signet-prod/alpha')).toEqual(before);
    expect(await profileStatuses()).toEqual({
      signet_prod_alpha: 'Active',
      signet_prod_alpha_release: 'Active',
      signet_prod_beta: 'Canceled',
    });
  });

  it('--yes cancels the active profiles and deletes only the referrers in moto; a second run has nothing left to do', async () => {
    const { images, referrers } = await seedProd();
    const first = await decommission({ yes: true });
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('signet_prod_alpha: canceled (signer:CancelSigningProfile)');
    expect(first.out).toContain(`signet-prod/alpha: deleted 3 referrer(s) (2 ${SIG}, 1 ${SBOM})`);
    expect(await profileStatuses()).toEqual({
      signet_prod_alpha: 'Canceled',
      signet_prod_alpha_release: 'Canceled',
      signet_prod_beta: 'Canceled',
    });
    // Every image stays, tagged or not, with its tags; every signature and SBOM is gone.
    expect(await seed.images('signet-prod/alpha')).toEqual(images);
    const deleted = aws.ecr
      .commandCalls(BatchDeleteImageCommand)
      .flatMap((c) => c.args[0].input.imageIds?.map((id) => id.imageDigest) ?? []);
    expect(deleted.sort()).toEqual([...referrers].sort());

    aws.signer.resetHistory();
    aws.ecr.resetHistory();
    const second = await decommission({ yes: true });
    expect(second.code).toBe(0);
    expect(second.out).toContain('signet_prod_alpha: already canceled, skipped');
    expect(second.out).toContain('signet_prod_alpha_release: already canceled, skipped');
    expect(second.out).toContain('signet-prod/alpha: no referrers');
    expect(aws.signer.commandCalls(CancelSigningProfileCommand)).toHaveLength(0);
    expect(aws.ecr.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
    expect(await seed.images('signet-prod/alpha')).toEqual(images);
  });

  it('--revoke --yes revokes every profile with the version moto reports, and deletes the referrers', async () => {
    const { versions, images } = await seedProd();
    aws.signer.on(RevokeSigningProfileCommand).resolves({});
    const { code, out, err } = await decommission({ yes: true, revoke: true, reason: 'environment retired' });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(
      aws.signer
        .commandCalls(RevokeSigningProfileCommand)
        .map((c) => c.args[0].input)
        .sort((a, b) => (a.profileName ?? '').localeCompare(b.profileName ?? '')),
    ).toEqual(
      Object.entries(versions).map(([profileName, profileVersion]) => ({
        profileName,
        profileVersion,
        reason: 'environment retired',
        effectiveTime: NOW,
      })),
    );
    expect(out).toContain(
      `signet_prod_beta: revoked version ${versions.signet_prod_beta} effective 2026-11-24T12:00:00.000Z (signer:RevokeSigningProfile)`,
    );
    expect(aws.signer.commandCalls(CancelSigningProfileCommand)).toHaveLength(0);
    expect(await profileStatuses()).toMatchObject({ signet_prod_alpha: 'Active' });
    expect(await seed.images('signet-prod/alpha')).toEqual(images);
  });

  it('finds and cancels the profile of an app removed from the workspace, and ends with what is left', async () => {
    await seedProd();
    // "gamma" was deployed to prod and later removed from apps/: only Signer still knows its profile.
    await seed.profile('signet_prod_gamma');
    // Another environment's profile is never touched.
    await seed.profile('signet_staging_gamma');
    const dry = await decommission({});
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(
      'signet_prod_gamma: would cancel (signer:CancelSigningProfile) (not in the workspace: an app removed since, or an earlier generation)',
    );
    expect(dry.out).not.toContain('signet_staging_gamma');
    expect(dry.out).toContain('left: signing profile signet_prod_gamma (Active)');
    expect(dry.out).toContain('left: repository signet-prod/alpha');

    const { code, out } = await decommission({ yes: true });
    expect(code).toBe(0);
    expect(out).toContain('signet_prod_gamma: canceled (signer:CancelSigningProfile)');
    expect((await seed.profileState('signet_prod_gamma')).status).toBe('Canceled');
    expect((await seed.profileState('signet_staging_gamma')).status).toBe('Active');
    expect(out).not.toContain('left: signing profile');
    expect(out).toContain('retired: 4 profile(s)');
  });

  it('keeps the images without --delete-images and says the ecr destroy needs them gone; --delete-images empties every repository and deletes one no stack declares', async () => {
    const { images } = await seedProd();
    await seed.repository('signet-prod/gamma');
    await seed.image('signet-prod/gamma', 'old', 'v1');
    const kept = await decommission({ yes: true });
    expect(kept.out).toContain(
      'signet-prod/alpha: keeps 3 image(s); the ecr stack never force-deletes a repository, so its destroy fails while one holds an image: re-run with --delete-images to delete them',
    );
    expect(await seed.images('signet-prod/alpha')).toEqual(images);

    const { code, out } = await decommission({ yes: true, deleteImages: true });
    expect(code).toBe(0);
    expect(out).toContain('signet-prod/alpha: deleted 3 image(s) (ecr:BatchDeleteImage)');
    expect(out).toContain(
      'signet-prod/gamma: deleted the repository (ecr:DeleteRepository): no stack declares it any more',
    );
    expect((await seed.images('signet-prod/alpha')).size).toBe(0);
    // The declared repository stays for the ecr stack to destroy; the removed app's is gone.
    expect(out).toContain('left: repository signet-prod/alpha');
    expect(out).not.toContain('left: repository signet-prod/gamma');
  });

  it('--check exits 1 while anything of the environment is left and 0 once nothing is', async () => {
    await seed.profile('signet_prod_alpha');
    await seed.repository('signet-prod/alpha');
    const left = await decommission({ check: true });
    expect(left.code).toBe(1);
    expect(left.out).toContain('left: signing profile signet_prod_alpha (Active)');
    expect(left.out).toContain('left: repository signet-prod/alpha');
    expect(left.err).toContain('signet decommission: 2 resource(s) of prod left');

    await decommission({ yes: true });
    await server.reset();
    seed.forget();
    await seed.profile('signet_prod_alpha', 'Canceled');
    const done = await decommission({ check: true });
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(done.out).toContain('nothing of prod is left in Signer or ECR');
    expect(done.out).toContain('retired: 1 profile(s) signet_prod_alpha (Canceled)');
  });
});
