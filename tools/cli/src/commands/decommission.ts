import { BatchDeleteImageCommand } from '@aws-sdk/client-ecr';
import { CancelSigningProfileCommand, RevokeSigningProfileCommand } from '@aws-sdk/client-signer';
import { ENVIRONMENTS, type Environment } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { createAwsClients, type AwsClients, type AwsClientFactory } from '../ops/aws.js';
import { environmentTargets, parseEnvironment } from '../ops/environment.js';
import { awsErrorName, callAws } from '../ops/errors.js';
import { listRepository, type RepositoryInventory } from '../ops/inventory.js';
import { getProfileState, ISO_8601_TIME, REVOCATION_REASON_MAX, type ProfileState } from '../ops/signer.js';
import { destroyOrder, discoverStacks, stackProjectName } from '../plan/workspace.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet decommission`, as typed on the command line. */
export interface DecommissionCommandOptions {
  readonly env: string;
  /** Revoke the profiles instead of canceling them. */
  readonly revoke?: boolean;
  readonly reason?: string;
  /** With `revoke`: ISO-8601 time from which signatures are invalid; default: now. */
  readonly effective?: string;
  readonly yes?: boolean;
  readonly region?: string;
}

/** What `signet decommission` needs from outside; tests replace each. */
export interface DecommissionDependencies {
  readonly clients?: AwsClientFactory;
  readonly now?: () => Date;
  readonly root?: string;
}

/** BatchDeleteImage accepts at most 100 image ids per call. */
const DELETE_BATCH = 100;

interface ProfileStep {
  readonly state: ProfileState;
  /** The mutating call, or why there is none. */
  readonly action: { readonly kind: 'cancel' | 'revoke' } | { readonly kind: 'skip'; readonly why: string };
}

function profileStep(state: ProfileState, revoke: boolean): ProfileStep {
  if (state.status === 'NotFound') return { state, action: { kind: 'skip', why: 'does not exist' } };
  if (state.status === 'Revoked') return { state, action: { kind: 'skip', why: 'already revoked' } };
  if (state.status === 'Canceled' && !revoke)
    return { state, action: { kind: 'skip', why: 'already canceled' } };
  return { state, action: { kind: revoke ? 'revoke' : 'cancel' } };
}

async function inventory(clients: AwsClients, repository: string): Promise<RepositoryInventory | undefined> {
  try {
    return await listRepository(clients.ecr, repository);
  } catch (error) {
    // The ecr stack may already be gone: then there is nothing to clean in this repository.
    if (awsErrorName(error) === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

function parseOptions(
  options: DecommissionCommandOptions,
  now: Date,
): { reason?: string; effectiveTime: Date } {
  if (options.revoke !== true) {
    for (const flag of ['reason', 'effective'] as const) {
      if (options[flag] !== undefined)
        throw new CliError(`--${flag} applies to --revoke only (the default cancels)`, ExitCode.Usage);
    }
    return { effectiveTime: now };
  }
  const reason = options.reason?.trim() ?? '';
  if (reason === '' || reason.length > REVOCATION_REASON_MAX) {
    throw new CliError(
      `--revoke needs --reason <text> (1 to ${REVOCATION_REASON_MAX} characters): it is recorded with the revocation`,
      ExitCode.Usage,
    );
  }
  if (options.effective === undefined) return { reason, effectiveTime: now };
  if (!ISO_8601_TIME.test(options.effective) || Number.isNaN(Date.parse(options.effective))) {
    throw new CliError(
      `--effective "${options.effective}" is not an ISO-8601 time; allowed: e.g. 2026-05-01T12:00:00Z`,
      ExitCode.Usage,
    );
  }
  const effectiveTime = new Date(options.effective);
  if (effectiveTime.getTime() > now.getTime()) {
    throw new CliError(
      `--effective ${options.effective} is in the future; AWS Signer accepts only an effective time in the past`,
      ExitCode.Usage,
    );
  }
  return { reason, effectiveTime };
}

/**
 * The destroy command of every stack of the workspace, in {@link destroyOrder}: derived from the
 * stacks' `nx.implicitDependencies`, so a new stack or dependency changes it without an edit here.
 */
export function destroyCommands(root: string, environment: Environment): string[] {
  return destroyOrder(discoverStacks(root)).map(
    (stack) => `pnpm nx run ${stackProjectName(stack.name)}:destroy --configuration=${environment}`,
  );
}

/**
 * `signet decommission`: cancels (or revokes) the environment's signing profiles, deletes the
 * signature and SBOM referrers from its repositories, then prints the stack destroy order. Dry run
 * unless `yes`. Resolves with 0 (done or shown); throws a {@link CliError}: 1 on an AWS failure, 2 on
 * a usage error.
 */
export async function runDecommissionCommand(
  options: DecommissionCommandOptions,
  io: CommandIo,
  deps: DecommissionDependencies = {},
): Promise<number> {
  const environment = parseEnvironment(options.env);
  const { reason, effectiveTime } = parseOptions(options, (deps.now ?? (() => new Date()))());
  const root = deps.root ?? findWorkspaceRoot(process.cwd());
  if (root === undefined)
    throw new CliError(
      `no pnpm-workspace.yaml at or above ${process.cwd()}: run inside the Signet workspace`,
      ExitCode.Usage,
    );
  const targets = environmentTargets(root, environment);
  // Read before anything changes: a stack graph that does not parse stops the command here.
  const destroy = destroyCommands(root, environment);
  const clients = (deps.clients ?? createAwsClients)(
    options.region === undefined ? {} : { region: options.region },
  );
  const act = options.yes === true;
  const verb = (now: string, later: string) => (act ? now : `would ${later}`);

  io.stdout(
    `${act ? 'Decommissioning' : 'Dry run: decommissioning'} environment ${environment}\n\n1. Signing profiles\n`,
  );
  const steps = await Promise.all(
    targets.profiles.map(async (p) =>
      profileStep(await getProfileState(clients.signer, p.profileName), options.revoke === true),
    ),
  );
  for (const { state, action } of steps) {
    if (action.kind === 'skip') {
      io.stdout(`   ${state.profileName}: ${action.why}, skipped\n`);
      continue;
    }
    if (action.kind === 'cancel') {
      if (act) {
        await callAws(
          { action: 'signer:CancelSigningProfile', resource: `profile ${state.profileName}` },
          () => clients.signer.send(new CancelSigningProfileCommand({ profileName: state.profileName })),
        );
      }
      io.stdout(
        `   ${state.profileName}: ${verb('canceled', 'cancel')} (signer:CancelSigningProfile); it signs nothing new, existing signatures stay valid until they expire\n`,
      );
      continue;
    }
    if (state.profileVersion === undefined) {
      throw new CliError(
        `signer:GetSigningProfile on profile ${state.profileName}: no profile version returned, cannot revoke`,
      );
    }
    const request = {
      profileName: state.profileName,
      profileVersion: state.profileVersion,
      reason: reason as string,
      effectiveTime,
    };
    if (act) {
      await callAws(
        {
          action: 'signer:RevokeSigningProfile',
          resource: `profile ${state.profileName} version ${state.profileVersion}`,
        },
        () => clients.signer.send(new RevokeSigningProfileCommand(request)),
      );
    }
    io.stdout(
      `   ${state.profileName}: ${verb('revoked', 'revoke')} version ${state.profileVersion} effective ${effectiveTime.toISOString()} (signer:RevokeSigningProfile); signatures made from then on are invalid\n`,
    );
  }

  io.stdout('\n2. Signature and SBOM artifacts (OCI referrers)\n');
  for (const { repository } of targets.repositories) {
    const found = await inventory(clients, repository);
    if (found === undefined) {
      io.stdout(`   ${repository}: repository does not exist, skipped\n`);
      continue;
    }
    if (found.referrers.length === 0) {
      io.stdout(`   ${repository}: no referrers\n`);
      continue;
    }
    const kinds = new Map<string, number>();
    for (const r of found.referrers) kinds.set(r.artifactType, (kinds.get(r.artifactType) ?? 0) + 1);
    const summary = [...kinds].map(([type, count]) => `${count} ${type}`).join(', ');
    if (act) {
      for (let i = 0; i < found.referrers.length; i += DELETE_BATCH) {
        const imageIds = found.referrers.slice(i, i + DELETE_BATCH).map((r) => ({ imageDigest: r.digest }));
        const result = await callAws(
          { action: 'ecr:BatchDeleteImage', resource: `repository ${repository}` },
          () => clients.ecr.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds })),
        );
        const failures = result.failures ?? [];
        if (failures.length > 0) {
          const first = failures[0];
          throw new CliError(
            `ecr:BatchDeleteImage on repository ${repository}: ${failures.length} artifact(s) not deleted, e.g. ${first?.imageId?.imageDigest ?? '?'}: ${first?.failureCode ?? '?'} ${first?.failureReason ?? ''}`.trimEnd(),
          );
        }
      }
    }
    io.stdout(
      `   ${repository}: ${verb('deleted', 'delete')} ${found.referrers.length} referrer(s) (${summary}) (ecr:BatchDeleteImage)\n`,
    );
  }

  io.stdout('\n3. Destroy the stacks, in this order:\n');
  for (const command of destroy) io.stdout(`   ${command}\n`);
  if (!act)
    io.stdout(
      '\nNothing changed. Re-run with --yes to cancel or revoke the profiles and delete the referrers.\n',
    );
  return ExitCode.Ok;
}

/** Registers `signet decommission`. */
export function registerDecommissionCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('decommission')
    .description(
      "retire an environment's signing profiles and referrers, then list the stacks to destroy; dry run unless --yes",
    )
    .requiredOption('--env <env>', `environment: ${ENVIRONMENTS.join(', ')}`)
    .option('--revoke', 'revoke the profiles instead of canceling them (needs --reason)')
    .option('--reason <text>', 'why, recorded with the revocation (with --revoke)')
    .option(
      '--effective <time>',
      'ISO-8601 time from which signatures are invalid (with --revoke; default: now)',
    )
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .option('--yes', 'act; without it, only show what would happen')
    .action((options: DecommissionCommandOptions, command: Command) =>
      run(command, () => runDecommissionCommand(options, io)),
    );
}
