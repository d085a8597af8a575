/*
 * The audit's verifier with the real notation: images in a real OCI registry (served under the ECR
 * hostname), signed by the real `notation sign` through the AWS Signer plugin stand-in of
 * @signet/buildspec's scenario tests, verified with the app's trust policy from
 * `appTrustPolicyDocument`. The one substitution: the trust store holds the test key's certificate
 * in place of the AWS Signer root (docs/testing.md), since the Signer root cannot sign offline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  clientEnv,
  ECR_PASSWORD,
  REGISTRY_HOST,
  runOk,
  SIGNER_PLUGIN_NAME,
  stopTestServices,
  testServices,
  writeSignerPluginZip,
  type TestKey,
  type TestServices,
} from '@signet/buildspec/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notationVerifier, type SignatureVerifier } from './verify.js';

const REPOSITORY = `${REGISTRY_HOST}/signet-prod/alpha`;
const PROFILES = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles';
const ALPHA = `${PROFILES}/signet_prod_alpha`;
const BETA = `${PROFILES}/signet_prod_beta`;
const TRUST = { app: 'alpha', repositoryUrl: REPOSITORY, signingProfileArns: [ALPHA] };

let services: TestServices;
let home: string;
let pluginDir: string;
let env: Record<string, string>;
let pushed = 0;

/** A new one-layer image in the repository; its digest. */
async function pushImage(): Promise<string> {
  const dir = mkdtempSync(join(home, 'image-'));
  writeFileSync(join(dir, 'id'), `image ${pushed++} ${dir}\n`);
  await runOk('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'id'], env);
  const reference = await runOk(
    services.engines.crane,
    [
      'append',
      '--oci-empty-base',
      '--new_layer',
      join(dir, 'layer.tar'),
      '--new_tag',
      `${REPOSITORY}:t${pushed}`,
    ],
    env,
  );
  return reference.trim().slice(reference.indexOf('@') + 1);
}

/** `notation sign` through the Signer plugin stand-in, with `key`, as profile `profileArn`. */
async function sign(digest: string, key: TestKey, profileArn: string): Promise<void> {
  await runOk(
    services.engines.notation,
    ['sign', '--plugin', SIGNER_PLUGIN_NAME, '--id', profileArn, `${REPOSITORY}@${digest}`],
    { ...env, SIGNET_SIGNER_KEY: key.key, SIGNET_SIGNER_CERT: key.cert },
  );
}

let verify: SignatureVerifier;

beforeAll(async () => {
  services = await testServices();
  home = mkdtempSync(join(tmpdir(), 'signet-audit-notation-'));
  env = {
    ...clientEnv(services, home),
    XDG_CONFIG_HOME: home,
    NOTATION_USERNAME: 'AWS',
    NOTATION_PASSWORD: ECR_PASSWORD,
  };
  const zip = join(home, 'plugin.zip');
  writeSignerPluginZip(zip);
  await runOk(services.engines.notation, ['plugin', 'install', '--file', zip], env);
  pluginDir = join(home, 'notation', 'plugins');
  const ecr = new ECRClient({
    region: 'eu-west-1',
    endpoint: services.env['AWS_ENDPOINT_URL'] ?? '',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  verify = notationVerifier({
    notation: services.engines.notation,
    ecr,
    pluginDir,
    env: {
      HTTPS_PROXY: services.env['HTTPS_PROXY'] ?? '',
      NO_PROXY: services.env['NO_PROXY'] ?? '',
      SSL_CERT_FILE: services.env['SSL_CERT_FILE'] ?? '',
    },
    trustStoreCertificates: [services.keys.trusted.pem],
  });
}, 300_000);

afterAll(async () => {
  await stopTestServices();
  rmSync(home, { recursive: true, force: true });
});

describe('the audit verifier, with the real notation', () => {
  it("verifies a signature by the app's profile with the trusted key", async () => {
    const digest = await pushImage();
    await sign(digest, services.keys.trusted, ALPHA);
    const outcome = await verify({ trust: TRUST, digest });
    expect(outcome).toEqual({
      verified: true,
      message: `Successfully verified signature for ${REPOSITORY}@${digest}`,
    });
  });

  it('fails a forged signature: the right profile, another key', async () => {
    const digest = await pushImage();
    await sign(digest, services.keys.other, ALPHA);
    const outcome = await verify({ trust: TRUST, digest });
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toMatch(/signature verification failed/);
  });

  it("fails a signature by another app's profile, though made with the trusted key", async () => {
    const digest = await pushImage();
    await sign(digest, services.keys.trusted, BETA);
    const outcome = await verify({ trust: TRUST, digest });
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toMatch(/signature verification failed/);
  });

  it('fails an unreadable envelope, and an unsigned image', async () => {
    const digest = await pushImage();
    const dir = mkdtempSync(join(home, 'bad-'));
    writeFileSync(join(dir, 'signature.jws'), 'this is not a JWS envelope');
    await runOk(
      services.engines.oras,
      [
        'attach',
        '--artifact-type',
        'application/vnd.cncf.notary.signature',
        `${REPOSITORY}@${digest}`,
        'signature.jws:application/jose+json',
      ],
      env,
      { cwd: dir },
    );
    const unreadable = await verify({ trust: TRUST, digest });
    expect(unreadable.verified).toBe(false);
    expect(unreadable.message).toMatch(/signature verification failed|envelope/);

    const unsigned = await pushImage();
    const none = await verify({ trust: TRUST, digest: unsigned });
    expect(none).toEqual({ verified: false, message: expect.stringMatching(/no signature is associated/) });
  });

  it('fails when the trust policy cannot be built (no profile ARN known): never a pass', async () => {
    const digest = await pushImage();
    await sign(digest, services.keys.trusted, ALPHA);
    const outcome = await verify({ trust: { ...TRUST, signingProfileArns: [] }, digest });
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toMatch(/^no trust policy for alpha: /);
  });
});
