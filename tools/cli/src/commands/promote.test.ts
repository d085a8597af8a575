import { afterAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../io.js';
import type { PromotionClientFactory } from '../ops/aws.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { promotionWorkspace } from '../test/promotion-workspace.js';
import { parsePromotion, runPromoteCommand, type PromoteCommandOptions } from './promote.js';

const workspace = promotionWorkspace();
afterAll(() => workspace.remove());

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const GOOD: PromoteCommandOptions = { app: 'alpha', from: 'dev', to: 'staging', digest: DIGEST };

/** A client factory that fails the test if a usage error let anything reach AWS. */
const noAws: PromotionClientFactory = () => {
  throw new Error('a usage error must be reported before any AWS client is built');
};

async function promote(options: PromoteCommandOptions) {
  const io = captureIo();
  const code = await runCommand('promote', io, () =>
    runPromoteCommand(options, io, { root: workspace.root, clients: noAws }),
  );
  return { code, err: io.err, out: io.out };
}

describe('signet promote refuses bad flags before any AWS call, naming the flag, the value and what is allowed', () => {
  it.each([
    [{ ...GOOD, to: undefined }, '--to is required; allowed: staging, prod'],
    [{ ...GOOD, to: 'qa' }, '--to "qa" is not an environment; allowed: staging, prod'],
    [
      { ...GOOD, to: 'dev' },
      '--to dev builds its own images and promotes from no environment (promotesFrom in @signet/core); allowed: staging, prod',
    ],
    [{ ...GOOD, from: undefined }, '--from is required; allowed: dev'],
    [{ ...GOOD, from: 'qa' }, '--from "qa" is not an environment; allowed: dev, staging, prod'],
    [
      { ...GOOD, from: 'dev', to: 'prod' },
      '--from dev: --to prod promotes from staging only (promotesFrom in @signet/core); allowed: staging',
    ],
    [
      { ...GOOD, from: 'prod' },
      '--from prod: --to staging promotes from dev only (promotesFrom in @signet/core); allowed: dev',
    ],
    [{ ...GOOD, app: undefined }, '--app is required; allowed: alpha'],
    [
      { ...GOOD, app: 'gamma' },
      '--app "gamma" is not an app deployed to both dev and staging; allowed: alpha',
    ],
    // beta is deployed to dev and prod only, so staging never runs it.
    [{ ...GOOD, app: 'beta' }, '--app "beta" is not an app deployed to both dev and staging; allowed: alpha'],
    [
      { ...GOOD, digest: undefined },
      '--digest is required; allowed: sha256:<64 lowercase hex digits>, the digest dev built or promoted and verified',
    ],
    [
      { ...GOOD, digest: 'latest' },
      '--digest "latest" is not an image digest; allowed: sha256:<64 lowercase hex digits>',
    ],
    [
      { ...GOOD, digest: `sha256:${'AB'.repeat(32)}` },
      `--digest "sha256:${'AB'.repeat(32)}" is not an image digest`,
    ],
  ])('%j', async (options, message) => {
    const { code, err, out } = await promote(options as PromoteCommandOptions);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toContain(message);
    expect(out).toBe('');
  });

  it('refuses to run outside a workspace', async () => {
    const cwd = vi.spyOn(process, 'cwd').mockReturnValue('/');
    try {
      const io = captureIo();
      const code = await runCommand('promote', io, () => runPromoteCommand(GOOD, io, { clients: noAws }));
      expect(code).toBe(ExitCode.Usage);
      expect(io.err).toContain('no pnpm-workspace.yaml at or above /: run inside the Signet workspace');
    } finally {
      cwd.mockRestore();
    }
  });

  it('accepts the flags of a promotion the environments allow, with the app’s manifests folder', () => {
    expect(parsePromotion(GOOD, workspace.root)).toEqual({
      app: 'alpha',
      from: 'dev',
      to: 'staging',
      digest: DIGEST,
      manifestsPath: 'apps/alpha/k8s',
    });
    expect(parsePromotion({ ...GOOD, from: 'staging', to: 'prod' }, workspace.root).to).toBe('prod');
  });
});
