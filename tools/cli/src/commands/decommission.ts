import { BatchDeleteImageCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { CancelSigningProfileCommand, RevokeSigningProfileCommand } from '@aws-sdk/client-signer';
import { ENVIRONMENTS, type Environment } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { createAwsClients, type AwsClients, type AwsClientFactory } from '../ops/aws.js';
import { environmentTargets, parseEnvironment } from '../ops/environment.js';
import { awsErrorName, callAws } from '../ops/errors.js';
import { listRepository, type RepositoryInventory } from '../ops/inventory.js';
import { deletionProtectionStep } from '../ops/deletion-protection.js';
import {
  listEnvironmentLeftovers,
  listEnvironmentProfiles,
  listEnvironmentRepositories,
  type EnvironmentLeftovers,
} from '../ops/leftovers.js';
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
  /** Also delete every image, so the ecr stack's destroy (which never force-deletes) can remove the repositories. */
  readonly deleteImages?: boolean;
  /** Only check what of the environment is left; exit 1 when anything is. */
  readonly check?: boolean;
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
  if (options.check === true) return checkLeftovers(clients, environment, io);
  const act = options.yes === true;
  const deleteImages = options.deleteImages === true;
  const verb = (now: string, later: string) => (act ? now : `would ${later}`);

  io.stdout(
    `${act ? 'Decommissioning' : 'Dry run: decommissioning'} environment ${environment}\n\n1. Signing profiles\n`,
  );
  // The workspace's profiles, and every other profile of the environment's prefix Signer lists: those of
  // apps removed from the workspace and of earlier generations are still trusted until canceled.
  const declared = new Set(targets.profiles.map((p) => p.profileName));
  const listed = await listEnvironmentProfiles(clients.signer, environment);
  const names = [
    ...targets.profiles.map((p) => p.profileName),
    ...listed.map((p) => p.profileName).filter((name) => !declared.has(name)),
  ];
  const steps = await Promise.all(
    names.map(async (name) =>
      profileStep(await getProfileState(clients.signer, name), options.revoke === true),
    ),
  );
  for (const { state, action } of steps) {
    const origin = declared.has(state.profileName)
      ? ''
      : ' (not in the workspace: an app removed since, or an earlier generation)';
    if (action.kind === 'skip') {
      io.stdout(`   ${state.profileName}: ${action.why}, skipped${origin}\n`);
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
        `   ${state.profileName}: ${verb('canceled', 'cancel')} (signer:CancelSigningProfile)${origin}; it signs nothing new, existing signatures stay valid until they expire\n`,
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
      `   ${state.profileName}: ${verb('revoked', 'revoke')} version ${state.profileVersion} effective ${effectiveTime.toISOString()} (signer:RevokeSigningProfile)${origin}; signatures made from then on are invalid\n`,
    );
  }

  io.stdout(
    deleteImages
      ? '\n2. Repositories: signatures, SBOMs and images (--delete-images)\n'
      : '\n2. Signature and SBOM artifacts (OCI referrers)\n',
  );
  const declaredRepositories = new Set(targets.repositories.map((r) => r.repository));
  const repositories = [
    ...targets.repositories.map((r) => r.repository),
    ...(await listEnvironmentRepositories(clients.ecr, environment)).filter(
      (r) => !declaredRepositories.has(r),
    ),
  ];
  for (const repository of repositories) {
    const found = await inventory(clients, repository);
    if (found === undefined) {
      io.stdout(`   ${repository}: repository does not exist, skipped\n`);
      continue;
    }
    await cleanRepository(
      clients,
      found,
      { act, deleteImages, stacked: declaredRepositories.has(repository) },
      io,
    );
  }

  const protection = deletionProtectionStep(root, environment);
  io.stdout(`\n3. Cluster deletion protection\n   ${protection}\n`);

  io.stdout('\n4. Destroy the stacks, in this order:\n');
  for (const command of destroy) io.stdout(`   ${command}\n`);

  io.stdout(
    `\n5. Check that nothing is left: after the destroys, \`pnpm signet decommission --env ${environment} --check\` exits 0 only when no active profile and no repository of ${environment} remain. Now:\n`,
  );
  describeLeftovers(await listEnvironmentLeftovers(clients, environment), environment, io);
  if (!act)
    io.stdout(
      `\nNothing changed. Re-run with --yes to cancel or revoke the profiles and delete the referrers${deleteImages ? ' and images' : ''}.\n`,
    );
  return ExitCode.Ok;
}

/** How much of the environment is left: active profiles and repositories (what can sign or hold images). */
function describeLeftovers(left: EnvironmentLeftovers, environment: Environment, io: CommandIo): number {
  const active = left.profiles.filter((p) => p.status === 'Active');
  const retired = left.profiles.filter((p) => p.status !== 'Active');
  for (const p of active) io.stdout(`   left: signing profile ${p.profileName} (Active)\n`);
  for (const r of left.repositories) io.stdout(`   left: repository ${r}\n`);
  if (retired.length > 0) {
    io.stdout(
      `   retired: ${retired.length} profile(s) ${retired.map((p) => `${p.profileName} (${p.status})`).join(', ')}; Signer keeps their names reserved, so re-creating ${environment} needs a new signet-signer:generation (docs/operations.md)\n`,
    );
  }
  const count = active.length + left.repositories.length;
  if (count === 0) io.stdout(`   nothing of ${environment} is left in Signer or ECR\n`);
  return count;
}

/** `--check`: lists what of the environment is left; exit 1 when an active profile or a repository is. */
async function checkLeftovers(clients: AwsClients, environment: Environment, io: CommandIo): Promise<number> {
  io.stdout(`Check: what of environment ${environment} is left\n`);
  const count = describeLeftovers(await listEnvironmentLeftovers(clients, environment), environment, io);
  if (count > 0) {
    throw new CliError(
      `${count} resource(s) of ${environment} left; run the steps \`pnpm signet decommission --env ${environment}\` lists`,
    );
  }
  return ExitCode.Ok;
}

/** Deletes in batches of {@link DELETE_BATCH}; a failure names the repository and the first image. */
async function batchDelete(
  clients: AwsClients,
  repository: string,
  digests: readonly string[],
): Promise<void> {
  for (let i = 0; i < digests.length; i += DELETE_BATCH) {
    const imageIds = digests.slice(i, i + DELETE_BATCH).map((imageDigest) => ({ imageDigest }));
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

/**
 * Deletes a repository's referrers (signatures first), and with `deleteImages` its images too: the ecr
 * stack never force-deletes, so its destroy fails on a repository that still holds an image. A
 * repository no stack declares any more (an app removed while it held images) is deleted outright.
 */
async function cleanRepository(
  clients: AwsClients,
  found: RepositoryInventory,
  how: { readonly act: boolean; readonly deleteImages: boolean; readonly stacked: boolean },
  io: CommandIo,
): Promise<void> {
  const { repository } = found;
  const verb = (now: string, later: string) => (how.act ? now : `would ${later}`);
  const origin = how.stacked ? '' : ' (not in the workspace: an app removed since)';
  if (found.referrers.length === 0) {
    io.stdout(`   ${repository}: no referrers${origin}\n`);
  } else {
    const kinds = new Map<string, number>();
    for (const r of found.referrers) kinds.set(r.artifactType, (kinds.get(r.artifactType) ?? 0) + 1);
    const summary = [...kinds].map(([type, count]) => `${count} ${type}`).join(', ');
    if (how.act)
      await batchDelete(
        clients,
        repository,
        found.referrers.map((r) => r.digest),
      );
    io.stdout(
      `   ${repository}: ${verb('deleted', 'delete')} ${found.referrers.length} referrer(s) (${summary}) (ecr:BatchDeleteImage)${origin}\n`,
    );
  }
  if (!how.deleteImages) {
    if (found.images.length > 0) {
      io.stdout(
        `   ${repository}: keeps ${found.images.length} image(s); the ecr stack never force-deletes a repository, so its destroy fails while one holds an image: re-run with --delete-images to delete them\n`,
      );
    }
    return;
  }
  if (found.images.length > 0) {
    if (how.act)
      await batchDelete(
        clients,
        repository,
        found.images.map((i) => i.digest),
      );
    io.stdout(
      `   ${repository}: ${verb('deleted', 'delete')} ${found.images.length} image(s) (ecr:BatchDeleteImage)\n`,
    );
  }
  if (!how.stacked) {
    if (how.act) {
      await callAws({ action: 'ecr:DeleteRepository', resource: `repository ${repository}` }, () =>
        clients.ecr.send(new DeleteRepositoryCommand({ repositoryName: repository, force: true })),
      );
    }
    io.stdout(
      `   ${repository}: ${verb('deleted', 'delete')} the repository (ecr:DeleteRepository): no stack declares it any more\n`,
    );
  }
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
    .option(
      '--delete-images',
      "also delete every image of the environment's repositories, so the ecr stack's destroy can remove them",
    )
    .option('--check', 'only list what of the environment is left; exit 1 when a profile or repository is')
    .option('--yes', 'act; without it, only show what would happen')
    .action((options: DecommissionCommandOptions, command: Command) =>
      run(command, () => runDecommissionCommand(options, io)),
    );
}
