/*
 * `signet mirror-plugin` against moto_server (S3 and STS over HTTP, through the clients the command
 * builds itself) with the machine's real gpg and unzip: a test OpenPGP key stands for AWS Signer's
 * (its fingerprint is the pin's), and the stand-in plugin archive of @signet/buildspec for AWS's
 * build. AWS's own key is never part of the repository.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_TOOLS, type GpgSignedTool } from '@signet/buildspec';
import {
  makeGpgKey,
  SIGNER_PLUGIN_SOURCE,
  stopGpgAgent,
  writeDetachedSignature,
  writeSignerPluginZip,
  type TestGpgKey,
} from '@signet/buildspec/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMotoForCommands, type MotoForCommands } from '../ops/test/moto.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { runMirrorPluginCommand, type MirrorPluginCommandOptions } from './mirror-plugin.js';

const BUCKET = 'signet-dev-signer-plugin-123456789012-eu-west-1';
const PREFIX = `aws-signer-plugin/${DEFAULT_TOOLS.awsSignerPlugin.version}`;

let server: MotoForCommands;
let dir: string;
let aws: TestGpgKey;
let other: TestGpgKey;
let pin: GpgSignedTool;
const files = { zip: '', sig: '', key: '', otherSig: '', otherKey: '', tamperedSig: '', notAKey: '' };

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  server = await startMotoForCommands();
  dir = mkdtempSync(join(tmpdir(), 'signet-mirror-test-'));
  aws = makeGpgKey('AWS Signer Notation stand-in');
  other = makeGpgKey('Someone else');
  Object.assign(files, {
    zip: join(dir, 'plugin.zip'),
    sig: join(dir, 'plugin.sig'),
    key: join(dir, 'public.key'),
    otherSig: join(dir, 'other.sig'),
    otherKey: join(dir, 'other.key'),
    tamperedSig: join(dir, 'tampered.sig'),
    notAKey: join(dir, 'not-a-key'),
  });
  writeSignerPluginZip(files.zip);
  writeDetachedSignature(aws, SIGNER_PLUGIN_SOURCE, files.sig);
  writeFileSync(files.key, aws.publicKey);
  writeDetachedSignature(other, SIGNER_PLUGIN_SOURCE, files.otherSig);
  writeFileSync(files.otherKey, other.publicKey);
  writeDetachedSignature(aws, `${SIGNER_PLUGIN_SOURCE}\n// one more line\n`, files.tamperedSig);
  writeFileSync(files.notAKey, '<html>Access Denied</html>\n');
  // The production pin's version and URLs, with the stand-in's checksum and key fingerprint.
  pin = {
    ...DEFAULT_TOOLS.awsSignerPlugin,
    sha256: sha256(files.zip),
    gpg: { ...DEFAULT_TOOLS.awsSignerPlugin.gpg, fingerprint: aws.fingerprint },
  };
}, 60_000);

afterAll(async () => {
  stopGpgAgent(aws);
  stopGpgAgent(other);
  for (const path of [dir, aws.home, other.home]) rmSync(path, { recursive: true, force: true });
  await server.stop();
});

const s3 = () => new S3Client({ region: 'eu-west-1', forcePathStyle: true });

beforeEach(async () => {
  await server.reset();
  await s3().send(
    new CreateBucketCommand({
      Bucket: BUCKET,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
});

const offline = { env: 'dev', file: '', signature: '', publicKey: '', region: 'eu-west-1' };

async function mirror(
  options: Partial<MirrorPluginCommandOptions>,
  download: (url: string) => Promise<Uint8Array> = () => Promise.reject(new Error('offline')),
) {
  const io = captureIo();
  const merged = {
    ...offline,
    file: files.zip,
    signature: files.sig,
    publicKey: files.key,
    ...options,
  } as MirrorPluginCommandOptions;
  const code = await runCommand('mirror-plugin', io, () =>
    runMirrorPluginCommand(merged, io, { pin, download }),
  );
  return { code, out: io.out, err: io.err };
}

async function object(key: string) {
  const found = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${key}` }));
  return { body: await found.Body?.transformToString(), sha256: found.Metadata?.['sha256'] };
}

async function objects(): Promise<string[]> {
  const response = await fetch(`${server.moto.url}/${BUCKET}?list-type=2`);
  return [...(await response.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1] ?? '');
}

describe('signet mirror-plugin against moto', { timeout: 60_000 }, () => {
  it('checks the pin and the signature, then uploads the three files with their SHA-256', async () => {
    const result = await mirror({});
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`AWS Signer plugin ${pin.version}: SHA-256 ${pin.sha256} is the pin`);
    expect(await objects()).toEqual(
      [
        'aws-signer-notation-public.key',
        'notation-aws-signer-plugin.zip',
        'notation-com.amazonaws.signer.notation.plugin.sig',
      ].map((file) => `${PREFIX}/${file}`),
    );
    expect((await object('notation-aws-signer-plugin.zip')).sha256).toBe(pin.sha256);
    expect(await object('aws-signer-notation-public.key')).toEqual({
      body: aws.publicKey,
      sha256: sha256(files.key),
    });
    expect(result.out).toContain(
      `s3://${BUCKET}/${PREFIX}/notation-aws-signer-plugin.zip: uploaded from ${files.zip}`,
    );
  });

  it('downloads from the pin’s URLs when no local copy is given', async () => {
    const urls: string[] = [];
    const served: Record<string, string> = {
      [pin.url]: files.zip,
      [pin.gpg.signatureUrl]: files.sig,
      [pin.gpg.publicKeyUrl]: files.key,
    };
    const result = await mirror(
      { file: undefined, signature: undefined, publicKey: undefined },
      async (url) => {
        urls.push(url);
        return readFileSync(served[url] ?? '/nonexistent');
      },
    );
    expect(result.code, result.err).toBe(0);
    expect(urls).toEqual([pin.url, pin.gpg.signatureUrl, pin.gpg.publicKeyUrl]);
    expect(result.out).toContain(`uploaded from ${pin.url}`);
  });

  it('is idempotent: a second run finds the same files and uploads nothing', async () => {
    expect((await mirror({})).code).toBe(0);
    const again = await mirror({});
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`s3://${BUCKET}/${PREFIX}/notation-aws-signer-plugin.zip: already mirrored`);
    expect(again.out).not.toContain('uploaded');
  });

  it('downloads nothing once the pinned version is mirrored, even after AWS replaced latest', async () => {
    expect((await mirror({})).code).toBe(0);
    const urls: string[] = [];
    const result = await mirror(
      { file: undefined, signature: undefined, publicKey: undefined },
      async (url) => {
        urls.push(url);
        return new TextEncoder().encode('a newer build');
      },
    );
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(
      `AWS Signer plugin ${pin.version} (SHA-256 ${pin.sha256}) is already mirrored`,
    );
    expect(urls).toEqual([]);
  });

  it('refuses to replace a different file at the same version, and uploads nothing', async () => {
    await s3().send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}/notation-com.amazonaws.signer.notation.plugin.sig`,
        Body: 'an older signature',
        Metadata: { sha256: 'f'.repeat(64) },
      }),
    );
    const result = await mirror({});
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `signet mirror-plugin: s3://${BUCKET}/${PREFIX}/notation-com.amazonaws.signer.notation.plugin.sig already holds a different file (SHA-256 ${'f'.repeat(64)}, this one ${sha256(files.sig)}); a mirrored version is never replaced.`,
    );
    expect(await objects()).toEqual([`${PREFIX}/notation-com.amazonaws.signer.notation.plugin.sig`]);
  });

  it('refuses an archive that is not the pinned build (AWS replaced latest), and uploads nothing', async () => {
    const other = join(dir, 'newer.zip');
    writeFileSync(other, 'a newer build\n');
    const result = await mirror({ file: other });
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `signet mirror-plugin: ${other} has SHA-256 ${sha256(other)}, not the pinned ${pin.sha256} of version ${pin.version} (packages/buildspec/src/defaults.ts (DEFAULT_TOOLS.awsSignerPlugin)). If AWS replaced its latest build, re-pin it first`,
    );
    expect(await objects()).toEqual([]);
  });

  it.each([
    ['a signature of other bytes by AWS’s key (tampered executable)', { signature: 'tamperedSig' }],
    [
      'another key’s signature, with that key served as AWS’s',
      { signature: 'otherSig', publicKey: 'otherKey' },
    ],
  ] as const)('refuses %s, and uploads nothing', async (_, choice) => {
    const result = await mirror(
      Object.fromEntries(Object.entries(choice).map(([flag, file]) => [flag, files[file]])),
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `is not a valid signature of notation-com.amazonaws.signer.notation.plugin in ${files.zip} by AWS Signer's key ${aws.fingerprint}`,
    );
    expect(await objects()).toEqual([]);
  });

  it('refuses a public key file that is not a key, and a missing local copy', async () => {
    const notKey = await mirror({ publicKey: files.notAKey });
    expect(notKey.code).toBe(1);
    expect(notKey.err).toContain(`signet mirror-plugin: ${files.notAKey} is not an OpenPGP public key`);
    const missing = await mirror({ signature: join(dir, 'nowhere.sig') });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--signature ${join(dir, 'nowhere.sig')}: cannot read it`);
    expect(await objects()).toEqual([]);
  });

  it('says what to pass when a download fails', async () => {
    const result = await mirror({ file: undefined });
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `cannot download ${pin.url} (offline); pass a copy with --file <path> instead`,
    );
  });

  it('names the stack to deploy when the environment has no mirror bucket', async () => {
    const result = await mirror({ env: 'staging' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('signet-staging-signer-plugin-123456789012-eu-west-1');
    expect(result.err).toContain('deploy the signer stack of this environment first');
  });

  it('refuses an unknown environment before anything else', async () => {
    const result = await mirror({ env: 'qa' });
    expect(result.code).toBe(2);
    expect(result.err).toContain('--env "qa" is not an environment; allowed: dev, staging, prod');
  });
});
