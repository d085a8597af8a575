import { pipelineName } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { STAGE_GENERATORS, STAGE_ORDER, Stage } from './catalog.js';
import { DEFAULT_TOOLS, inputsFor } from './defaults.js';
import { requirePipelineInitiator } from './stages/common.js';

// The checks every stage starts with, as the generators write them (their behaviour in bash:
// initiator.test.ts and plugin-signature.test.ts).
const app = {
  directory: 'apps/hello-server',
  declaration: {
    name: 'hello-server',
    namespace: 'hello-server',
    port: 8080,
    environments: ['dev', 'prod'],
    manifests: 'deploy',
  },
} as const;
const base = inputsFor(app, 'dev');

describe('pipeline initiator', () => {
  it('is the first command of every stage, for the stage’s own pipeline, in an install phase that aborts', () => {
    for (const stage of STAGE_ORDER) {
      const install = STAGE_GENERATORS[stage](base).phases.install;
      expect(install?.['on-failure']).toBe('ABORT');
      expect(install?.commands[0]).toBe(requirePipelineInitiator('signet-dev-hello-server'));
      expect(install?.commands[0]).toContain(`!= 'codepipeline/signet-dev-hello-server' ]]`);
    }
  });

  it('comes from the pipeline name @signet/core gives the app and environment', () => {
    expect(inputsFor(app, 'prod').pipelineName).toBe(pipelineName('prod', 'hello-server'));
  });

  it('refuses a pipeline name CodePipeline would not accept, naming the field', () => {
    expect(() => STAGE_GENERATORS[Stage.Build]({ ...base, pipelineName: "x' ; rm -rf /" })).toThrow(
      /pipelineName.*a CodePipeline name/,
    );
  });
});

describe('the AWS Signer plugin pin', () => {
  it('installs the AWS Signer plugin only after its checksum and AWS’s GPG signature of its executable', () => {
    const install = STAGE_GENERATORS[Stage.ApplicationSigning](base).phases.install?.commands ?? [];
    const at = (pattern: RegExp) => install.findIndex((command) => pattern.test(command));
    const checksum = at(/notation-aws-signer-plugin-1\.0\.2292\.zip' \| sha256sum --check --strict$/);
    const unzip = at(/^mkdir -p .* && unzip -o -q /);
    const verify = at(/--status-fd 1 --verify /);
    const pluginInstall = at(/^notation plugin install --file /);
    expect(checksum).toBeGreaterThan(0);
    expect([checksum < unzip, unzip < verify, verify < pluginInstall]).toEqual([true, true, true]);
    const gpg = install[verify] ?? '';
    expect(gpg).toContain(
      '"The AWS Signer plugin is not installed: s3://${SIGNET_PLUGIN_MIRROR_BUCKET}/aws-signer-plugin/1.0.2292/aws-signer-notation-public.key is not an OpenPGP public key"',
    );
    expect(gpg).toContain("'^\\[GNUPG:\\] VALIDSIG ([^ ]+ ){9}E84AF8A2A9B52F1F4435AE71A3B52DA65461CF90$'");
    // The archive, the signature and the key come from the signer stack's mirror, before the checksum.
    const copy = install[checksum - 1] ?? '';
    for (const file of [
      'notation-aws-signer-plugin.zip',
      'notation-com.amazonaws.signer.notation.plugin.sig',
      'aws-signer-notation-public.key',
    ]) {
      expect(copy).toContain(
        `aws s3 cp --only-show-errors "s3://\${SIGNET_PLUGIN_MIRROR_BUCKET}/aws-signer-plugin/1.0.2292/${file}"`,
      );
    }
    // AWS's URLs are the mirror command's sources only: no stage reaches them.
    for (const stage of STAGE_ORDER) {
      const commands = JSON.stringify(STAGE_GENERATORS[stage](base).phases);
      expect(commands, stage).not.toContain('d2hvyiie56hcat.cloudfront.net');
    }
  });

  it('refuses a plugin pin without AWS’s signature material, or a malformed fingerprint', () => {
    const plugin = DEFAULT_TOOLS.awsSignerPlugin;
    const { gpg: _gpg, ...unsigned } = plugin;
    expect(() =>
      STAGE_GENERATORS[Stage.ApplicationSigning]({
        ...base,
        tools: { ...DEFAULT_TOOLS, awsSignerPlugin: unsigned as typeof plugin },
      }),
    ).toThrow(/tools\.awsSignerPlugin\.gpg/);
    expect(() =>
      STAGE_GENERATORS[Stage.ApplicationSigning]({
        ...base,
        tools: {
          ...DEFAULT_TOOLS,
          awsSignerPlugin: { ...plugin, gpg: { ...plugin.gpg, fingerprint: 'E84A F8A2 A9B5 2F1F 4435' } },
        },
      }),
    ).toThrow(/tools\.awsSignerPlugin\.gpg\.fingerprint.*40 uppercase hex digits/);
  });
});
