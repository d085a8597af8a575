import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runAuditCommand } from '../commands/audit.js';
import { mockedClients } from './test/clients.js';
import { notationVerifier } from './verify.js';

const ROOT = new URL('./test/fixtures/workspace', import.meta.url).pathname;

describe('the notation verifier', () => {
  it('refuses to start without the AWS Signer plugin, naming the folder it looked in', () => {
    expect(() =>
      notationVerifier({ notation: 'notation', ecr: new ECRClient({}), pluginDir: '/nonexistent/plugins' }),
    ).toThrow(/the AWS Signer plugin for notation is not installed in \/nonexistent\/plugins/);
  });

  it('makes signet audit stop with a usage error before any AWS call: it cannot verify', async () => {
    const io = captureIo();
    const code = await runCommand('audit', io, () =>
      runAuditCommand({ env: 'prod', notationPlugins: '/nonexistent/plugins' }, io, {
        clients: mockedClients,
        root: ROOT,
      }),
    );
    expect(code).toBe(2);
    expect(io.err).toContain('pass --notation-plugins <dir>');
  });
});
