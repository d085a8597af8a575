import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  RevokeSignatureCommand,
  RevokeSigningProfileCommand,
  SignerClient,
} from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedClients } from '../ops/test/clients.js';
import { runCommand } from '../program.js';
import { captureIo, WORKSPACE_ROOT } from '../test/harness.js';
import { runRevokeCommand, type RevokeCommandOptions } from './revoke.js';

const JOB = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const NOW = new Date('2026-11-24T12:00:00Z');
const signer = mockClient(SignerClient);

afterEach(() => signer.reset());

async function revoke(options: RevokeCommandOptions, clients = mockedClients) {
  const io = captureIo();
  const code = await runCommand('revoke', io, () =>
    runRevokeCommand(options, io, { clients, now: () => NOW, root: WORKSPACE_ROOT }),
  );
  return { code, out: io.out, err: io.err };
}

function mutatingCalls(): number {
  return (
    signer.commandCalls(RevokeSignatureCommand).length +
    signer.commandCalls(RevokeSigningProfileCommand).length
  );
}

describe('signet revoke: input checks before any AWS call', () => {
  const cases: [string, RevokeCommandOptions, string][] = [
    ['neither target', { reason: 'x' }, 'pass exactly one of --job <id>'],
    ['both targets', { job: JOB, profile: 'signet_dev_app', reason: 'x' }, 'pass exactly one of --job <id>'],
    ['a malformed job id', { job: 'job-1', reason: 'x' }, '--job "job-1" is not a signing job id'],
    ['an empty reason', { job: JOB, reason: '   ' }, '--reason is required and must not be empty'],
    ['a missing reason', { job: JOB }, '--reason is required'],
    [
      'a too long reason',
      { job: JOB, reason: 'r'.repeat(501) },
      '--reason is 501 characters; allowed: at most 500',
    ],
    [
      '--effective with --job',
      { job: JOB, reason: 'x', effective: '2026-01-01T00:00:00Z' },
      '--effective applies to --profile only',
    ],
    [
      'a bad profile name',
      { profile: 'signet-dev-app', version: 'abcdefghij', effective: '2026-01-01T00:00:00Z', reason: 'x' },
      '--profile "signet-dev-app" is not a signing profile name; allowed: ^[a-zA-Z0-9_]{2,64}$',
    ],
    [
      'a missing version',
      { profile: 'signet_dev_app', effective: '2026-01-01T00:00:00Z', reason: 'x' },
      '--version is required with --profile',
    ],
    [
      'a bad version',
      { profile: 'signet_dev_app', version: 'v1', effective: '2026-01-01T00:00:00Z', reason: 'x' },
      '--version "v1" is not a profile version',
    ],
    [
      'a time without zone',
      { profile: 'signet_dev_app', version: 'abcdefghij', effective: '2026-01-01 10:00', reason: 'x' },
      '--effective "2026-01-01 10:00" is not an ISO-8601 time',
    ],
    [
      'a missing time',
      { profile: 'signet_dev_app', version: 'abcdefghij', reason: 'x' },
      '--effective is required with --profile',
    ],
    [
      'a future time',
      { profile: 'signet_dev_app', version: 'abcdefghij', effective: '2026-12-01T00:00:00Z', reason: 'x' },
      '--effective 2026-12-01T00:00:00Z is in the future',
    ],
  ];
  it.each(cases)('refuses %s with exit code 2', async (_what, options, message) => {
    const { code, err } = await revoke(options);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(signer.calls()).toHaveLength(0);
  });
});

describe('signet revoke --job', () => {
  it('dry run describes the job, shows the exact call and the delay at admission, and revokes nothing', async () => {
    signer.on(DescribeSigningJobCommand, { jobId: JOB }).resolves({
      jobId: JOB,
      profileName: 'signet_dev_hello_server',
      profileVersion: 'a1b2c3d4e5',
      platformId: 'Notation-OCI-SHA384-ECDSA',
      status: 'Succeeded',
      createdAt: new Date('2026-11-20T08:00:00Z'),
    });
    const { code, out } = await revoke({ job: JOB, reason: 'key leaked' });
    expect(code).toBe(0);
    expect(out).toContain(
      'Signing job 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d: profile signet_dev_hello_server version a1b2c3d4e5',
    );
    expect(out).toContain('created 2026-11-20T08:00:00.000Z');
    expect(out).toContain(`Would call: signer:RevokeSignature {"jobId":"${JOB}","reason":"key leaked"}`);
    expect(out).toContain('Re-run with --yes');
    expect(out).toContain('level strict');
    expect(out).toMatch(/admitted for up to the verifier cache TTL \(dev 300s/);
    expect(mutatingCalls()).toBe(0);
  });

  it('--yes with a job ARN sends one RevokeSignature with the job owner taken from the ARN', async () => {
    signer.on(DescribeSigningJobCommand).resolves({ jobId: JOB, status: 'Succeeded' });
    signer.on(RevokeSignatureCommand).resolves({});
    const { code, out } = await revoke({
      job: `arn:aws:signer:eu-west-1:123456789012:/signing-jobs/${JOB}`,
      reason: 'key leaked',
      yes: true,
    });
    expect(code).toBe(0);
    expect(signer.commandCalls(RevokeSignatureCommand).map((c) => c.args[0].input)).toEqual([
      { jobId: JOB, jobOwner: '123456789012', reason: 'key leaked' },
    ]);
    expect(out).toContain('Revoked: signer:RevokeSignature');
  });

  it('does nothing for a job already revoked', async () => {
    signer.on(DescribeSigningJobCommand).resolves({
      jobId: JOB,
      revocationRecord: { revokedAt: new Date('2026-11-01T00:00:00Z'), revokedBy: 'sec', reason: 'old' },
    });
    const { code, out } = await revoke({ job: JOB, reason: 'again', yes: true });
    expect(code).toBe(0);
    expect(out).toContain('Already revoked at 2026-11-01T00:00:00.000Z by sec (old): nothing to do.');
    expect(mutatingCalls()).toBe(0);
  });

  it('names the action and the job when access is denied', async () => {
    signer.on(DescribeSigningJobCommand).resolves({ jobId: JOB });
    signer
      .on(RevokeSignatureCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const { code, err } = await revoke({ job: JOB, reason: 'x', yes: true });
    expect(code).toBe(1);
    expect(err).toContain(
      `signet revoke: signer:RevokeSignature on job ${JOB}: access denied (AccessDeniedException). Ask for an IAM policy that allows signer:RevokeSignature`,
    );
  });

  it('reports a job Signer does not know, sending no revocation', async () => {
    signer
      .on(DescribeSigningJobCommand)
      .rejects(Object.assign(new Error('Signing job not found'), { name: 'ResourceNotFoundException' }));
    const { code, err } = await revoke({ job: JOB, reason: 'x', yes: true });
    expect(code).toBe(1);
    expect(err).toContain(
      `signer:DescribeSigningJob on job ${JOB}: not found (ResourceNotFoundException: Signing job not found)`,
    );
    expect(mutatingCalls()).toBe(0);
  });

  it('explains missing credentials', async () => {
    signer.on(DescribeSigningJobCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const { code, err } = await revoke({ job: JOB, reason: 'x' });
    expect(code).toBe(1);
    expect(err).toContain(
      `signer:DescribeSigningJob on job ${JOB}: no usable AWS credentials (CredentialsProviderError`,
    );
    expect(err).toContain('AWS_PROFILE');
  });
});

describe('signet revoke --profile', () => {
  const options = {
    profile: 'signet_prod_hello_server',
    version: 'a1b2c3d4e5',
    effective: '2026-11-24T10:00:00Z',
    reason: 'key compromised',
  };

  it('dry run shows the profile status and the exact call, and revokes nothing', async () => {
    signer.on(GetSigningProfileCommand, { profileName: options.profile }).resolves({
      profileName: options.profile,
      profileVersion: 'a1b2c3d4e5',
      status: 'Active',
    });
    const { code, out } = await revoke(options);
    expect(code).toBe(0);
    expect(out).toContain(
      'Signing profile signet_prod_hello_server: status Active, current version a1b2c3d4e5',
    );
    expect(out).toContain(
      'Would call: signer:RevokeSigningProfile {"profileName":"signet_prod_hello_server","profileVersion":"a1b2c3d4e5","effectiveTime":"2026-11-24T10:00:00.000Z","reason":"key compromised"}',
    );
    expect(mutatingCalls()).toBe(0);
  });

  it('--yes sends exactly one RevokeSigningProfile with the parsed time', async () => {
    signer.on(GetSigningProfileCommand).resolves({ profileVersion: 'a1b2c3d4e5', status: 'Active' });
    signer.on(RevokeSigningProfileCommand).resolves({});
    const { code } = await revoke({ ...options, yes: true });
    expect(code).toBe(0);
    expect(signer.commandCalls(RevokeSigningProfileCommand).map((c) => c.args[0].input)).toEqual([
      {
        profileName: 'signet_prod_hello_server',
        profileVersion: 'a1b2c3d4e5',
        effectiveTime: new Date('2026-11-24T10:00:00Z'),
        reason: 'key compromised',
      },
    ]);
    expect(signer.commandCalls(RevokeSignatureCommand)).toHaveLength(0);
  });

  it('fails on a profile that does not exist, sending no revocation', async () => {
    signer
      .on(GetSigningProfileCommand)
      .rejects(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    const { code, err } = await revoke({ ...options, yes: true });
    expect(code).toBe(1);
    expect(err).toContain(
      'signing profile signet_prod_hello_server does not exist in this account and region',
    );
    expect(mutatingCalls()).toBe(0);
  });

  it('warns when the version is not the current one', async () => {
    signer.on(GetSigningProfileCommand).resolves({ profileVersion: 'zzzzzzzzzz', status: 'Active' });
    const { out } = await revoke(options);
    expect(out).toContain('--version a1b2c3d4e5 is not the current version zzzzzzzzzz');
  });

  it('names the profile when reading it is denied', async () => {
    signer
      .on(GetSigningProfileCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const { code, err } = await revoke(options);
    expect(code).toBe(1);
    expect(err).toContain(
      'signer:GetSigningProfile on profile signet_prod_hello_server: access denied (AccessDeniedException)',
    );
  });
});
