/*
 * `signet revoke --profile` against moto_server: GetSigningProfile is answered by moto over HTTP,
 * through the clients the command builds itself (AWS_ENDPOINT_URL points them at moto).
 *
 * moto 5.2.1 lacks, and so these tests mock with aws-sdk-client-mock:
 *   - signer:RevokeSigningProfile (no route, HTTP 404): `--yes` is checked by the request it sends;
 *     moto's profile cannot become Revoked, and GetSigningProfile never returns `revocationRecord`.
 *   - signer:GetSigningProfile of an unknown profile: moto answers HTTP 500 instead of
 *     ResourceNotFoundException (covered by revoke.test.ts).
 * `revoke --job` calls only signer:DescribeSigningJob and signer:RevokeSignature, which moto does
 * not implement at all (HTTP 404), so it is covered by revoke.test.ts and revoke.retry.test.ts.
 * The full list of moto gaps is in ../ops/test/moto.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GetSigningProfileCommand, RevokeSigningProfileCommand } from '@aws-sdk/client-signer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  mockMotoGaps,
  MotoSeeder,
  startMotoForCommands,
  type MotoForCommands,
  type MotoGapMocks,
} from '../ops/test/moto.js';
import { runCommand } from '../program.js';
import { captureIo, CLI_ROOT } from '../test/harness.js';
import { runRevokeCommand, type RevokeCommandOptions } from './revoke.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const PROFILE = 'signet_prod_alpha';
const EFFECTIVE = '2025-06-01T00:00:00Z';

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
  aws = mockMotoGaps();
});
afterEach(() => aws.restore());

async function revoke(options: RevokeCommandOptions) {
  const io = captureIo();
  const code = await runCommand('revoke', io, () => runRevokeCommand(options, io, { root: ROOT }));
  return { code, out: io.out, err: io.err };
}

describe('signet revoke --profile against moto', () => {
  it(
    'the launcher reaches moto through AWS_ENDPOINT_URL, shows the current version and the exact call, and changes nothing',
    { timeout: 60_000 },
    async () => {
      const { profileVersion } = await seed.profile(PROFILE);
      const result = spawnSync(
        process.execPath,
        [
          join(CLI_ROOT, 'bin/signet.js'),
          'revoke',
          '--profile',
          PROFILE,
          '--version',
          profileVersion,
          '--effective',
          EFFECTIVE,
          '--reason',
          'key compromised',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          // Only moto's endpoint and fake credentials: no AWS profile of the machine can leak in.
          env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...server.environment },
        },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        `Signing profile ${PROFILE}: status Active, current version ${profileVersion}\n`,
      );
      expect(result.stdout).toContain(
        `Dry run, nothing changed. Would call: signer:RevokeSigningProfile {"profileName":"${PROFILE}","profileVersion":"${profileVersion}","effectiveTime":"2025-06-01T00:00:00.000Z","reason":"key compromised"}`,
      );
      expect(result.stdout).not.toContain('is not the current version');
      // The verifier cache TTL comes from the workspace the command runs in.
      expect(result.stdout).toContain('admitted for up to the verifier cache TTL (prod 300s');
      expect(await seed.profileState(PROFILE)).toEqual({ status: 'Active', profileVersion });
    },
  );

  it('--yes revokes the version moto reports for a canceled profile, with the parsed time and reason', async () => {
    const { profileVersion } = await seed.profile(PROFILE, 'Canceled');
    aws.signer.on(RevokeSigningProfileCommand).resolves({});
    const { code, out, err } = await revoke({
      profile: PROFILE,
      version: profileVersion,
      effective: EFFECTIVE,
      reason: 'key compromised',
      yes: true,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`Signing profile ${PROFILE}: status Canceled, current version ${profileVersion}\n`);
    expect(aws.signer.commandCalls(GetSigningProfileCommand).map((c) => c.args[0].input)).toEqual([
      { profileName: PROFILE },
    ]);
    expect(aws.signer.commandCalls(RevokeSigningProfileCommand).map((c) => c.args[0].input)).toEqual([
      { profileName: PROFILE, profileVersion, effectiveTime: new Date(EFFECTIVE), reason: 'key compromised' },
    ]);
    expect(out).toContain(`Revoked: signer:RevokeSigningProfile {"profileName":"${PROFILE}"`);
  });

  it('notes that --version is not the version moto reports as current, and sends nothing without --yes', async () => {
    const { profileVersion } = await seed.profile(PROFILE);
    const { code, out } = await revoke({
      profile: PROFILE,
      version: 'zzzzzzzzzz',
      effective: EFFECTIVE,
      reason: 'old version leaked',
    });
    expect(code).toBe(0);
    expect(out).toContain(
      `  note: --version zzzzzzzzzz is not the current version ${profileVersion}; only signatures of that version are affected\n`,
    );
    expect(aws.signer.commandCalls(RevokeSigningProfileCommand)).toHaveLength(0);
    expect(await seed.profileState(PROFILE)).toEqual({ status: 'Active', profileVersion });
  });
});
