import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  environmentPolicy,
  SIGNER_PLUGIN_EXECUTABLE,
  SignerPluginMirrorFile,
  signerPluginMirrorKey,
  signerPluginMirrorVersionPrefix,
  type GpgSignedTool,
} from '@signet/buildspec';
import {
  deployerRoleName,
  githubDeployRoleName,
  pluginMirrorBucketName,
  type Environment,
} from '@signet/core';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { awsClientConfig, type AwsOptions } from '../ops/aws.js';
import { awsErrorName, callAws } from '../ops/errors.js';
import { parseEnvironment } from '../ops/environment.js';

/** Options of `signet mirror-plugin`, as typed on the command line. */
export interface MirrorPluginCommandOptions {
  readonly env: string;
  /** A local copy of AWS's plugin archive, instead of downloading it. */
  readonly file?: string;
  /** A local copy of AWS's signature of the plugin executable. */
  readonly signature?: string;
  /** A local copy of AWS's public key. */
  readonly publicKey?: string;
  readonly region?: string;
}

/** The AWS clients the command uses. */
export interface MirrorClients {
  readonly s3: S3Client;
  readonly sts: STSClient;
}

/** What `signet mirror-plugin` needs from outside; tests replace each. */
export interface MirrorPluginDependencies {
  readonly clients?: (options: AwsOptions) => MirrorClients;
  /** Downloads one HTTPS URL; default: `fetch`. */
  readonly download?: (url: string) => Promise<Uint8Array>;
  /** The plugin pin; default: the environment's (`DEFAULT_TOOLS.awsSignerPlugin`). */
  readonly pin?: GpgSignedTool;
}

/** The object metadata key (`x-amz-meta-sha256`) that records each mirrored file's SHA-256. */
export const SHA256_METADATA = 'sha256';

/** Where the pin lives, for messages. */
const PIN_SOURCE = 'packages/buildspec/src/defaults.ts (DEFAULT_TOOLS.awsSignerPlugin)';
const RUNBOOK = 'docs/operations.md, "Re-pinning the AWS Signer plugin"';

function createMirrorClients(options: AwsOptions): MirrorClients {
  const config = awsClientConfig(options);
  return { s3: new S3Client(config), sts: new STSClient(config) };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  if (!response.url.startsWith('https://')) throw new Error(`redirected to ${response.url}, not HTTPS`);
  return new Uint8Array(await response.arrayBuffer());
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** One file to mirror: where it came from and its bytes. */
interface Source {
  readonly file: SignerPluginMirrorFile;
  readonly from: string;
  readonly bytes: Uint8Array;
}

async function readSource(
  file: SignerPluginMirrorFile,
  flag: string,
  path: string | undefined,
  url: string,
  download: (url: string) => Promise<Uint8Array>,
): Promise<Source> {
  if (path !== undefined) {
    try {
      return { file, from: path, bytes: readFileSync(path) };
    } catch (error) {
      throw new CliError(`${flag} ${path}: cannot read it (${(error as Error).message})`, ExitCode.Usage);
    }
  }
  try {
    return { file, from: url, bytes: await download(url) };
  } catch (error) {
    throw new CliError(
      `cannot download ${url} (${(error as Error).message}); pass a copy with ${flag} <path> instead`,
    );
  }
}

function run(
  command: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new CliError(`${command} is needed to check the plugin and could not run: ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Checks what the stages will check, before anything is uploaded: the archive's SHA-256 is the pin,
 * and the executable inside carries a valid signature by the key with the pinned fingerprint
 * (gpg's `VALIDSIG` status line, whose last field is the primary key's fingerprint), made with the
 * machine's gpg in an empty keyring of its own.
 */
function verify(pin: GpgSignedTool, archive: Source, signature: Source, publicKey: Source): void {
  const actual = sha256(archive.bytes);
  if (actual !== pin.sha256) {
    throw new CliError(
      `${archive.from} has SHA-256 ${actual}, not the pinned ${pin.sha256} of version ${pin.version} (${PIN_SOURCE}). ` +
        `If AWS replaced its latest build, re-pin it first: ${RUNBOOK}.`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'signet-mirror-'));
  try {
    const zip = join(dir, 'plugin.zip');
    writeFileSync(zip, archive.bytes);
    const unzip = spawnSync('unzip', ['-p', zip, SIGNER_PLUGIN_EXECUTABLE]);
    if (unzip.error !== undefined) {
      throw new CliError(`unzip is needed to check the plugin and could not run: ${unzip.error.message}`);
    }
    if (unzip.status !== 0 || unzip.stdout.length === 0) {
      throw new CliError(
        `${archive.from} holds no ${SIGNER_PLUGIN_EXECUTABLE}: it is not the AWS Signer plugin`,
      );
    }
    const executable = join(dir, SIGNER_PLUGIN_EXECUTABLE);
    writeFileSync(executable, unzip.stdout);
    const [key, sig, home] = [join(dir, 'public.key'), join(dir, 'plugin.sig'), join(dir, 'gnupg')];
    writeFileSync(key, publicKey.bytes);
    writeFileSync(sig, signature.bytes);
    run('mkdir', ['-m', '700', home]);
    if (run('gpg', ['--homedir', home, '--batch', '--quiet', '--import', key]).status !== 0) {
      throw new CliError(`${publicKey.from} is not an OpenPGP public key`);
    }
    const status = run('gpg', [
      '--homedir',
      home,
      '--batch',
      '--status-fd',
      '1',
      '--verify',
      sig,
      executable,
    ]);
    const valid = status.stdout
      .split('\n')
      .some(
        (line) =>
          line.startsWith('[GNUPG:] VALIDSIG ') && line.trim().split(' ').at(-1) === pin.gpg.fingerprint,
      );
    run('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
    if (!valid) {
      throw new CliError(
        `${signature.from} is not a valid signature of ${SIGNER_PLUGIN_EXECUTABLE} in ${archive.from} by AWS Signer's key ${pin.gpg.fingerprint} (${PIN_SOURCE}); nothing was uploaded`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the object is there, and the SHA-256 its metadata records. */
async function existing(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ readonly sha256: string | undefined } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { sha256: head.Metadata?.[SHA256_METADATA] };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * `signet mirror-plugin`: copies the pinned AWS Signer plugin build (archive, AWS's signature of its
 * executable, AWS's key) into the signer stack's mirror bucket, once both checks the stages make
 * pass here. A file already mirrored with the same SHA-256 is left alone; a different one at the
 * same version is refused. Resolves with 0; throws a {@link CliError}: 1 a check or AWS failed,
 * 2 usage error.
 */
export async function runMirrorPluginCommand(
  options: MirrorPluginCommandOptions,
  io: CommandIo,
  deps: MirrorPluginDependencies = {},
): Promise<number> {
  const environment: Environment = parseEnvironment(options.env);
  const pin = deps.pin ?? environmentPolicy(environment).tools.awsSignerPlugin;
  const download = deps.download ?? fetchBytes;
  const { s3, sts } = (deps.clients ?? createMirrorClients)(
    options.region === undefined ? {} : { region: options.region },
  );
  const identity = await callAws({ action: 'sts:GetCallerIdentity', resource: 'the caller' }, () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  const region = options.region ?? (await s3.config.region());
  const bucket = pluginMirrorBucketName(environment, identity.Account ?? '', region);
  const writers = `${deployerRoleName(environment)} or ${githubDeployRoleName(environment)}`;
  const lookUp = async (file: SignerPluginMirrorFile) => {
    const key = signerPluginMirrorKey(pin.version, file);
    try {
      return await callAws({ action: 's3:GetObject', resource: `s3://${bucket}/${key}` }, () =>
        existing(s3, bucket, key),
      );
    } catch (error) {
      throw withRoleHint(error, writers, bucket);
    }
  };
  const mirrored = await Promise.all(Object.values(SignerPluginMirrorFile).map(lookUp));
  const local = [options.file, options.signature, options.publicKey].some((path) => path !== undefined);
  // Already mirrored (checked when it was put there, by a deploy role): nothing to download. This is
  // what keeps a deployment working after AWS has replaced its `latest` build.
  if (!local && mirrored.every((found) => found !== undefined) && mirrored[0]?.sha256 === pin.sha256) {
    io.stdout(
      `AWS Signer plugin ${pin.version} (SHA-256 ${pin.sha256}) is already mirrored in s3://${bucket}/${signerPluginMirrorVersionPrefix(pin.version)}; nothing to do\n`,
    );
    return ExitCode.Ok;
  }
  const archive = await readSource(SignerPluginMirrorFile.Archive, '--file', options.file, pin.url, download);
  const signature = await readSource(
    SignerPluginMirrorFile.Signature,
    '--signature',
    options.signature,
    pin.gpg.signatureUrl,
    download,
  );
  const publicKey = await readSource(
    SignerPluginMirrorFile.PublicKey,
    '--public-key',
    options.publicKey,
    pin.gpg.publicKeyUrl,
    download,
  );
  verify(pin, archive, signature, publicKey);
  io.stdout(
    `AWS Signer plugin ${pin.version}: SHA-256 ${pin.sha256} is the pin, and ${SIGNER_PLUGIN_EXECUTABLE} is signed by ${pin.gpg.fingerprint}\n`,
  );
  const planned: { source: Source; key: string; digest: string }[] = [];
  for (const source of [archive, signature, publicKey]) {
    const key = signerPluginMirrorKey(pin.version, source.file);
    const digest = sha256(source.bytes);
    const found = await lookUp(source.file);
    if (found === undefined) {
      planned.push({ source, key, digest });
    } else if (found.sha256 === digest) {
      io.stdout(`  s3://${bucket}/${key}: already mirrored (SHA-256 ${digest})\n`);
    } else {
      throw new CliError(
        `s3://${bucket}/${key} already holds a different file (SHA-256 ${found.sha256 ?? 'not recorded'}, this one ${digest}); ` +
          `a mirrored version is never replaced. A new AWS build is a new version: re-pin it (${RUNBOOK}).`,
      );
    }
  }
  for (const { source, key, digest } of planned) {
    try {
      await callAws({ action: 's3:PutObject', resource: `s3://${bucket}/${key}` }, () =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: source.bytes,
            Metadata: { [SHA256_METADATA]: digest },
            ChecksumSHA256: Buffer.from(digest, 'hex').toString('base64'),
            // Fails if another run put the object since it was looked up: never a silent replace
            // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
            IfNoneMatch: '*',
          }),
        ),
      );
    } catch (error) {
      throw withRoleHint(error, writers, bucket);
    }
    io.stdout(`  s3://${bucket}/${key}: uploaded from ${source.from} (SHA-256 ${digest})\n`);
  }
  io.stdout(`Mirrored in s3://${bucket}/; the stages of ${environment} install it from there.\n`);
  return ExitCode.Ok;
}

/** Adds who may write the mirror to an access-denied or missing-bucket failure. */
function withRoleHint(error: unknown, writers: string, bucket: string): unknown {
  const name = awsErrorName(error);
  if (!(error instanceof CliError)) return error;
  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'AccessDeniedException') {
    return new CliError(
      `${error.message} Only the roles ${writers} may read and write the mirror bucket: run the command with their credentials.`,
      error.exitCode,
      { cause: error.cause },
    );
  }
  if (name === 'NoSuchBucket') {
    return new CliError(
      `${error.message} The bucket ${bucket} does not exist: deploy the signer stack of this environment first.`,
      error.exitCode,
      { cause: error.cause },
    );
  }
  return error;
}

/** Registers `signet mirror-plugin`. */
export function registerMirrorPluginCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('mirror-plugin')
    .description(
      "check the pinned AWS Signer plugin (sha256 pin, AWS's GPG signature) and copy it into the signer stack's mirror bucket",
    )
    .requiredOption('--env <env>', 'environment whose mirror bucket receives it')
    .option('--file <path>', "a copy of AWS's plugin archive (default: download it from AWS)")
    .option('--signature <path>', "a copy of AWS's signature of the plugin executable (default: download it)")
    .option('--public-key <path>', "a copy of AWS's public key (default: download it)")
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .action((options: MirrorPluginCommandOptions, command: Command) =>
      run(command, () => runMirrorPluginCommand(options, io)),
    );
}
