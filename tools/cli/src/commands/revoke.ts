import {
  RevokeSignatureCommand,
  RevokeSigningProfileCommand,
  type RevokeSignatureRequest,
  type RevokeSigningProfileRequest,
} from '@aws-sdk/client-signer';
import { SIGNING_PROFILE_NAME } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { createAwsClients, type AwsClientFactory } from '../ops/aws.js';
import { revocationEffect } from '../ops/effect.js';
import { callAws } from '../ops/errors.js';
import { describeJob, getProfileState, ISO_8601_TIME, REVOCATION_REASON_MAX } from '../ops/signer.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet revoke`, as typed on the command line. */
export interface RevokeCommandOptions {
  readonly job?: string;
  readonly profile?: string;
  readonly version?: string;
  readonly effective?: string;
  readonly reason?: string;
  readonly yes?: boolean;
  readonly region?: string;
}

/** What `signet revoke` needs from outside; tests replace each. */
export interface RevokeDependencies {
  readonly clients?: AwsClientFactory;
  readonly now?: () => Date;
  /** Workspace root, for the verifier cache TTLs; default: the workspace containing the cwd. */
  readonly root?: string;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const JOB_ID = new RegExp(`^${UUID}$`);
const JOB_ARN = new RegExp(`^arn:aws[a-z-]*:signer:[a-z0-9-]+:(\\d{12}):/signing-jobs/(${UUID})$`);
/** https://docs.aws.amazon.com/signer/latest/api/API_RevokeSigningProfile.html */
const PROFILE_VERSION = /^[a-zA-Z0-9]{10}$/;

/** A validated revocation: exactly the request that `--yes` sends. */
export type Revocation =
  | { readonly kind: 'signature'; readonly request: RevokeSignatureRequest & { jobId: string } }
  | { readonly kind: 'profile'; readonly request: RevokeSigningProfileRequest & { profileName: string } };

function usage(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

function parseReason(reason: string | undefined): string {
  const text = reason?.trim() ?? '';
  if (text === '')
    throw usage('--reason is required and must not be empty: it is recorded with the revocation');
  if (text.length > REVOCATION_REASON_MAX)
    throw usage(`--reason is ${text.length} characters; allowed: at most ${REVOCATION_REASON_MAX}`);
  return text;
}

/** Checks the options before anything is sent, and builds the request. */
export function parseRevocation(options: RevokeCommandOptions, now: Date): Revocation {
  if ((options.job === undefined) === (options.profile === undefined)) {
    throw usage(
      'pass exactly one of --job <id> (revoke one signature) or --profile <name> (revoke a signing profile)',
    );
  }
  if (options.job !== undefined) {
    for (const flag of ['version', 'effective'] as const) {
      if (options[flag] !== undefined) throw usage(`--${flag} applies to --profile only, not to --job`);
    }
    const reason = parseReason(options.reason);
    const arn = JOB_ARN.exec(options.job);
    if (arn !== null) {
      return { kind: 'signature', request: { jobId: arn[2] as string, jobOwner: arn[1] as string, reason } };
    }
    if (!JOB_ID.test(options.job)) {
      throw usage(
        `--job "${options.job}" is not a signing job id; allowed: a job id (UUID, e.g. 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d) or a signing job ARN`,
      );
    }
    return { kind: 'signature', request: { jobId: options.job, reason } };
  }
  const profileName = options.profile as string;
  if (!SIGNING_PROFILE_NAME.test(profileName)) {
    throw usage(
      `--profile "${profileName}" is not a signing profile name; allowed: ${SIGNING_PROFILE_NAME.source}`,
    );
  }
  if (options.version === undefined || !PROFILE_VERSION.test(options.version)) {
    throw usage(
      `--version ${options.version === undefined ? 'is required with --profile' : `"${options.version}" is not a profile version`}; allowed: 10 letters or digits (the profileVersion of \`aws signer get-signing-profile\`)`,
    );
  }
  if (
    options.effective === undefined ||
    !ISO_8601_TIME.test(options.effective) ||
    Number.isNaN(Date.parse(options.effective))
  ) {
    throw usage(
      `--effective ${options.effective === undefined ? 'is required with --profile' : `"${options.effective}" is not an ISO-8601 time`}; allowed: e.g. 2026-05-01T12:00:00Z (with Z or an offset); signatures made at or after it become invalid`,
    );
  }
  const effectiveTime = new Date(options.effective);
  if (effectiveTime.getTime() > now.getTime()) {
    throw usage(
      `--effective ${options.effective} is in the future; AWS Signer accepts only an effective time in the past`,
    );
  }
  return {
    kind: 'profile',
    request: {
      profileName,
      profileVersion: options.version,
      effectiveTime,
      reason: parseReason(options.reason),
    },
  };
}

function requestText(revocation: Revocation): string {
  const { request } = revocation;
  const body = Object.fromEntries(
    Object.entries(request).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
  const action = revocation.kind === 'signature' ? 'signer:RevokeSignature' : 'signer:RevokeSigningProfile';
  return `${action} ${JSON.stringify(body)}`;
}

const iso = (date: Date | undefined): string => date?.toISOString() ?? 'unknown';

/**
 * `signet revoke`: revokes one signature (signing job) or a signing profile version. Dry run unless
 * `yes`. Resolves with 0 (done, or dry run shown); throws a {@link CliError}: 1 AWS refused, 2 usage
 * error.
 */
export async function runRevokeCommand(
  options: RevokeCommandOptions,
  io: CommandIo,
  deps: RevokeDependencies = {},
): Promise<number> {
  const revocation = parseRevocation(options, (deps.now ?? (() => new Date()))());
  const { signer } = (deps.clients ?? createAwsClients)(
    options.region === undefined ? {} : { region: options.region },
  );
  const root = deps.root ?? findWorkspaceRoot(process.cwd());
  if (revocation.kind === 'signature') {
    const { jobId } = revocation.request;
    const job = await describeJob(signer, jobId);
    io.stdout(
      `Signing job ${jobId}: profile ${job.profileName ?? 'unknown'} version ${job.profileVersion ?? 'unknown'}, ` +
        `platform ${job.platformId ?? 'unknown'}, status ${job.status ?? 'unknown'}, created ${iso(job.createdAt)}, ` +
        `signature expires ${iso(job.signatureExpiresAt)}, requested by ${job.requestedBy ?? 'unknown'}\n`,
    );
    // Notation signs a payload (the image manifest descriptor), so Signer records no signed object
    // for it; the image is found from its signature in ECR (`notation inspect`).
    const s3 = job.signedObject?.s3;
    io.stdout(
      s3 === undefined
        ? '  signed: a Notation payload (the image digest is in the signature in ECR, not in the job)\n'
        : `  signed: s3://${s3.bucketName ?? '?'}/${s3.key ?? '?'}\n`,
    );
    if (job.revocationRecord?.revokedAt !== undefined) {
      io.stdout(
        `Already revoked at ${iso(job.revocationRecord.revokedAt)} by ${job.revocationRecord.revokedBy ?? 'unknown'} (${job.revocationRecord.reason ?? 'no reason'}): nothing to do.\n`,
      );
      return ExitCode.Ok;
    }
  } else {
    const state = await getProfileState(signer, revocation.request.profileName);
    if (state.status === 'NotFound') {
      throw new CliError(
        `signing profile ${revocation.request.profileName} does not exist in this account and region`,
      );
    }
    io.stdout(
      `Signing profile ${state.profileName}: status ${state.status}, current version ${state.profileVersion ?? 'unknown'}` +
        (state.revocationEffectiveFrom === undefined
          ? ''
          : `, revoked effective from ${iso(state.revocationEffectiveFrom)} (a new revocation may only move it earlier)`) +
        '\n',
    );
    if (state.profileVersion !== undefined && state.profileVersion !== revocation.request.profileVersion) {
      io.stdout(
        `  note: --version ${revocation.request.profileVersion} is not the current version ${state.profileVersion}; only signatures of that version are affected\n`,
      );
    }
  }
  if (options.yes !== true) {
    io.stdout(
      `Dry run, nothing changed. Would call: ${requestText(revocation)}\nRevocation cannot be undone. Re-run with --yes to revoke.\n`,
    );
    io.stdout(revocationEffect(root));
    return ExitCode.Ok;
  }
  if (revocation.kind === 'signature') {
    await callAws({ action: 'signer:RevokeSignature', resource: `job ${revocation.request.jobId}` }, () =>
      signer.send(new RevokeSignatureCommand(revocation.request)),
    );
  } else {
    await callAws(
      {
        action: 'signer:RevokeSigningProfile',
        resource: `profile ${revocation.request.profileName} version ${revocation.request.profileVersion}`,
      },
      () => signer.send(new RevokeSigningProfileCommand(revocation.request)),
    );
  }
  io.stdout(`Revoked: ${requestText(revocation)}\n`);
  io.stdout(revocationEffect(root));
  return ExitCode.Ok;
}

/** Registers `signet revoke`. */
export function registerRevokeCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('revoke')
    .description('revoke one signature (signing job) or a signing profile version; dry run unless --yes')
    .option('--job <id>', 'signing job id or ARN whose signature to revoke')
    .option('--profile <name>', 'signing profile to revoke')
    .option('--version <version>', 'profile version to revoke (with --profile)')
    .option(
      '--effective <time>',
      'ISO-8601 time from which signatures are invalid (with --profile; not in the future)',
    )
    .option('--reason <text>', 'why, recorded with the revocation')
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .option('--yes', 'revoke; without it, only show what would happen')
    .action((options: RevokeCommandOptions, command: Command) =>
      run(command, () => runRevokeCommand(options, io)),
    );
}
