import { describe, expect, it } from 'vitest';
import { scriptedClients } from '../ops/test/clients.js';
import { runCommand } from '../program.js';
import { captureIo, WORKSPACE_ROOT } from '../test/harness.js';
import { runRevokeCommand, type RevokeCommandOptions } from './revoke.js';
import type { AwsClientFactory } from '../ops/aws.js';

// The SDK's retry middleware runs here: these clients answer from a scripted HTTP endpoint.
const JOB = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';

async function revoke(options: RevokeCommandOptions, clients: AwsClientFactory) {
  const io = captureIo();
  const code = await runCommand('revoke', io, () =>
    runRevokeCommand(options, io, { clients, root: WORKSPACE_ROOT }),
  );
  return { code, out: io.out, err: io.err };
}

describe('signet revoke under throttling', () => {
  it('retries a throttled call through the SDK retry strategy and then succeeds', async () => {
    const { factory, requests } = scriptedClients([
      { status: 200, body: { jobId: JOB, status: 'Succeeded' } },
      { status: 429, errorType: 'ThrottlingException' },
      { status: 400, errorType: 'ThrottlingException' },
      { status: 200 },
    ]);
    const { code, out, err } = await revoke({ job: JOB, reason: 'x', yes: true }, factory);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(requests).toEqual([
      `GET /signing-jobs/${JOB}`,
      `PUT /signing-jobs/${JOB}/revoke`,
      `PUT /signing-jobs/${JOB}/revoke`,
      `PUT /signing-jobs/${JOB}/revoke`,
    ]);
    expect(out).toContain('Revoked');
  });

  it('gives up after the configured attempts with a throttling message', async () => {
    const { factory, requests } = scriptedClients([
      { status: 200, body: { jobId: JOB } },
      ...Array.from({ length: 5 }, () => ({ status: 429, errorType: 'ThrottlingException' })),
    ]);
    const { code, err } = await revoke({ job: JOB, reason: 'x', yes: true }, factory);
    expect(code).toBe(1);
    expect(requests).toHaveLength(6);
    expect(err).toContain(
      `signer:RevokeSignature on job ${JOB}: still throttled after retries (ThrottlingException)`,
    );
  });
});
