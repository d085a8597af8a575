import { describe, expect, it } from 'vitest';
import { scriptedClients } from '../ops/test/clients.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runAuditCommand, type AuditReport } from './audit.js';

// The SDK's retry middleware runs here: these clients answer from a scripted HTTP endpoint.
const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('signet audit under throttling', () => {
  it('retries a throttled page of DescribeImages and still sees every image', async () => {
    const { factory, requests } = scriptedClients([
      { status: 200, body: { profiles: [{ profileName: 'signet_dev_alpha', status: 'Active' }] } },
      { status: 200, body: { profileName: 'signet_dev_alpha', status: 'Active' } },
      { status: 200, body: { jobs: [] } },
      { status: 200, body: { imageDetails: [{ imageDigest: A, imageTags: ['one'] }], nextToken: 'p2' } },
      { status: 400, errorType: 'ThrottlingException' },
      { status: 200, body: { imageDetails: [{ imageDigest: B, imageTags: ['two'] }] } },
    ]);
    const io = captureIo();
    const code = await runCommand('audit', io, () =>
      runAuditCommand({ env: 'dev', json: true }, io, {
        clients: factory,
        root: ROOT,
        // No image here has a signature: nothing is verified.
        verifier: () => Promise.reject(new Error('nothing to verify')),
      }),
    );
    expect(io.err).toBe('');
    expect(requests).toHaveLength(6);
    const report = JSON.parse(io.out) as AuditReport;
    expect(report.images.map((i) => i.digest).sort()).toEqual([A, B]);
    expect(code).toBe(1);
  });
});
