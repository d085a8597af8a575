import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Stage } from './catalog.js';
import { BUILD_EXPORTS, cleanupPipelines, runPipeline, type PipelineResult } from './test/pipeline.js';

afterAll(cleanupPipelines);

const SIGNING = { stages: [Stage.ApplicationSigning, Stage.ApplicationDeployment], exported: BUILD_EXPORTS };

/** The stage stopped in install, before the plugin was installed or anything was signed. */
function expectNotInstalled(result: PipelineResult): void {
  expect(result.stages.get(Stage.ApplicationSigning)?.phases).toEqual([
    { phase: 'install', succeeded: false },
  ]);
  expect(result.stages.has(Stage.ApplicationDeployment)).toBe(false);
  expect(result.log).not.toContain('Running command notation plugin install');
  expect(result.calls.filter((c) => c.tool === 'notation-plugin')).toEqual([]);
  expect(existsSync(join(result.stageDir(Stage.ApplicationSigning), 'home/.config/notation/plugins'))).toBe(
    false,
  );
}

// Real bash, real gpg (GnuPG 2), real notation, and the real AWS CLI copying from a mirror bucket
// in moto: the plugin's checksum matches its pin in every case below; only AWS's signature
// material in the mirror differs, or the mirror is empty.
describe.concurrent(
  'the AWS Signer plugin is installed only with AWS’s GPG signature',
  { timeout: 120_000 },
  () => {
    it('installs it from the mirror when the executable carries a good signature by the pinned key', async () => {
      const result = await runPipeline({}, { stages: [Stage.ApplicationSigning], exported: BUILD_EXPORTS });
      expect(result.log).toContain('Running command notation plugin install');
      expect(result.log).toContain('Successfully installed plugin com.amazonaws.signer.notation.plugin');
      expect(result.log).not.toContain('The AWS Signer plugin is not installed');
      // The three files come from the mirror bucket, never from AWS's `latest` URL.
      const copied = result.calls
        .filter((c) => c.tool === 'aws' && c.args[0] === 's3' && c.args[1] === 'cp')
        .map((c) => c.args.find((a) => a.startsWith('s3://')));
      expect(copied).toEqual([
        expect.stringMatching(
          /^s3:\/\/signet-test-plugin-mirror-\d+-\d+\/aws-signer-plugin\/1\.0\.0\/notation-aws-signer-plugin\.zip$/,
        ),
        expect.stringMatching(
          /\/aws-signer-plugin\/1\.0\.0\/notation-com\.amazonaws\.signer\.notation\.plugin\.sig$/,
        ),
        expect.stringMatching(/\/aws-signer-plugin\/1\.0\.0\/aws-signer-notation-public\.key$/),
      ]);
      expect(
        result.calls.filter((c) => c.tool === 'curl' && c.args.some((a) => a.includes('signer'))),
      ).toEqual([]);
    });

    it('stops before anything is installed when the version is not in the mirror', async () => {
      const result = await runPipeline({ pluginMirror: 'empty' }, SIGNING);
      expect(result.log).toMatch(
        /The AWS Signer plugin is not installed: version 1\.0\.0 is not in the mirror s3:\/\/signet-test-plugin-mirror-\d+-\d+\/aws-signer-plugin\/1\.0\.0\/ \(or this role may not read it\); mirror it with: pnpm signet mirror-plugin --env <environment>/,
      );
      expect(result.log).not.toContain('notation-aws-signer-plugin-1.0.0.zip: ');
      expectNotInstalled(result);
    });

    it('refuses an executable whose signature does not match it (tampered artifact)', async () => {
      const result = await runPipeline({ pluginSignature: 'tampered' }, SIGNING);
      expect(result.log).toMatch(
        /The AWS Signer plugin is not installed: \S+\.sig is not a valid signature of notation-com\.amazonaws\.signer\.notation\.plugin \(version 1\.0\.0\) by AWS Signer's key [0-9A-F]{40}/,
      );
      expectNotInstalled(result);
    });

    it('refuses a good signature by another key served as AWS’s (wrong signer)', async () => {
      const result = await runPipeline({ pluginSignature: 'other-key' }, SIGNING);
      expect(result.log).toMatch(
        /is not a valid signature of notation-com\.amazonaws\.signer\.notation\.plugin/,
      );
      expectNotInstalled(result);
    });

    it('refuses a public key download that is not a key', async () => {
      const result = await runPipeline({ pluginSignature: 'not-a-key' }, SIGNING);
      expect(result.log).toMatch(
        /The AWS Signer plugin is not installed: s3:\/\/signet-test-plugin-mirror-\d+-\d+\/aws-signer-plugin\/1\.0\.0\/aws-signer-notation-public\.key is not an OpenPGP public key/,
      );
      expectNotInstalled(result);
    });
  },
);
