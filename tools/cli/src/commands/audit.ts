import type { SigningJob } from '@aws-sdk/client-signer';
import { ENVIRONMENTS, PIPELINE_IDENTITY, type Environment } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { createAwsClients, type AwsClientFactory } from '../ops/aws.js';
import { environmentTargets, parseEnvironment } from '../ops/environment.js';
import { readSignatureOrigins, type BlobFetcher, type SignatureOrigin } from '../ops/envelope.js';
import { listRepository, type RepositoryImage } from '../ops/inventory.js';
import { getProfileState, listRevokedJobs, type ProfileState } from '../ops/signer.js';
import { formatTable } from '../ops/table.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet audit`, as typed on the command line. */
export interface AuditCommandOptions {
  readonly env: string;
  readonly json?: boolean;
  readonly region?: string;
  /** Digests known to run or to be about to run (e.g. from `kubectl get pods -o jsonpath=…`). */
  readonly deployed?: readonly string[];
}

/** What `signet audit` needs from outside; tests replace each. */
export interface AuditDependencies {
  readonly clients?: AwsClientFactory;
  /** Workspace root; default: the workspace containing the cwd. */
  readonly root?: string;
  /** Downloads signature envelopes from ECR's pre-signed URLs; default: `fetch`. */
  readonly fetchBlob?: BlobFetcher;
}

/**
 * The audit verdict of one image: `signed` when at least one signature is valid, else the reason
 * of its first signature (see {@link SignatureVerdict}), `unsigned` when no notation signature
 * refers to it, or `not-in-registry` for a `--deployed` digest that no repository holds.
 */
export type AuditVerdict = 'signed' | 'unsigned' | Exclude<SignatureVerdict, 'valid'> | 'not-in-registry';

/**
 * One signature's verdict:
 * - `valid`: none of the following;
 * - `job-revoked`: its signing job is revoked;
 * - `profile-revoked`: its profile is revoked, effective at or before the signature was pushed;
 * - `profile-missing`: Signer has no such profile;
 * - `profile-untrusted`: signed by a profile that is not one of the environment's.
 */
export type SignatureVerdict =
  'valid' | 'job-revoked' | 'profile-revoked' | 'profile-missing' | 'profile-untrusted';

/** One notation signature of an image. */
export interface AuditedSignature {
  readonly digest: string;
  readonly jobId?: string;
  readonly profile: string;
  readonly profileVersion?: string;
  /** `envelope`: read from the signature itself; `inferred`: the app's pipeline profile. */
  readonly source: 'envelope' | 'inferred';
  /** Why the envelope could not tell, when `source` is `inferred`. */
  readonly note?: string;
  readonly verdict: SignatureVerdict;
}

/** One row of the audit. */
export interface AuditedImage {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  /** Tagged (pushed by the pipeline under its commit tag) or passed with `--deployed`. */
  readonly deployable: boolean;
  readonly signatures: readonly AuditedSignature[];
  /** Profile of the signature that decides the verdict. */
  readonly profile?: string;
  readonly profileStatus?: ProfileState['status'];
  readonly verdict: AuditVerdict;
}

/** The audit as `--json` prints it. */
export interface AuditReport {
  readonly environment: Environment;
  readonly profiles: readonly ProfileState[];
  readonly images: readonly AuditedImage[];
  /** Revoked jobs of the environment's profiles that no signature envelope named. */
  readonly unmatchedRevokedJobs: readonly string[];
  /** Deployable images whose verdict is not `signed`. */
  readonly failures: number;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function signatureVerdict(
  signature: RepositoryImage['signatures'][number],
  origin: SignatureOrigin | undefined,
  profile: ProfileState | undefined,
  trusted: boolean,
  revokedJobs: ReadonlySet<string>,
): SignatureVerdict {
  if (!trusted) return 'profile-untrusted';
  if (profile === undefined || profile.status === 'NotFound') return 'profile-missing';
  if (origin?.jobId !== undefined && revokedJobs.has(origin.jobId)) return 'job-revoked';
  if (profile.status === 'Revoked') {
    // Without both times, count the signature as revoked; with them, only one made from then on.
    const from = profile.revocationEffectiveFrom;
    const at = signature.pushedAt;
    if (from === undefined || at === undefined || at.getTime() >= from.getTime()) return 'profile-revoked';
  }
  return 'valid';
}

/** Audits every image of the environment's repositories. Throws a CliError on a failed AWS call. */
export async function auditEnvironment(
  environment: Environment,
  root: string,
  clients: ReturnType<AwsClientFactory>,
  deployed: ReadonlySet<string>,
  fetcher?: BlobFetcher,
): Promise<AuditReport> {
  const targets = environmentTargets(root, environment);
  const profiles = await Promise.all(
    targets.profiles.map((p) => getProfileState(clients.signer, p.profileName)),
  );
  const byName = new Map(profiles.map((p) => [p.profileName, p]));
  const revoked: SigningJob[] = await listRevokedJobs(clients.signer, new Set(byName.keys()));
  const revokedIds = new Set(revoked.flatMap((job) => (job.jobId === undefined ? [] : [job.jobId])));
  const matchedJobs = new Set<string>();
  const images: AuditedImage[] = [];
  for (const { app, repository } of targets.repositories) {
    const pipelineProfile = targets.profiles.find((p) => p.app === app && p.identity === PIPELINE_IDENTITY);
    const inventory = await listRepository(clients.ecr, repository);
    const origins = await readSignatureOrigins(
      clients.ecr,
      repository,
      inventory.images.flatMap((image) => image.signatures.map((s) => s.digest)),
      fetcher,
    );
    for (const image of inventory.images) {
      const signatures = image.signatures.map((signature): AuditedSignature => {
        const origin = origins.get(signature.digest);
        const fromEnvelope = origin?.profileName !== undefined;
        const profile = origin?.profileName ?? pipelineProfile?.profileName ?? '-';
        if (origin?.jobId !== undefined) matchedJobs.add(origin.jobId);
        return {
          digest: signature.digest,
          ...(origin?.jobId === undefined ? {} : { jobId: origin.jobId }),
          profile,
          ...(origin?.profileVersion === undefined ? {} : { profileVersion: origin.profileVersion }),
          source: fromEnvelope ? 'envelope' : 'inferred',
          ...(fromEnvelope ? {} : { note: origin?.note ?? 'signature envelope not available' }),
          verdict: signatureVerdict(signature, origin, byName.get(profile), byName.has(profile), revokedIds),
        };
      });
      const deciding = signatures.find((s) => s.verdict === 'valid') ?? signatures[0];
      const state =
        deciding === undefined
          ? byName.get(pipelineProfile?.profileName ?? '')
          : byName.get(deciding.profile);
      images.push({
        repository,
        digest: image.digest,
        tags: image.tags,
        deployable: image.tags.length > 0 || deployed.has(image.digest),
        signatures,
        ...(deciding === undefined && state === undefined
          ? {}
          : { profile: deciding?.profile ?? state?.profileName }),
        ...(state === undefined ? {} : { profileStatus: state.status }),
        verdict:
          deciding === undefined ? 'unsigned' : deciding.verdict === 'valid' ? 'signed' : deciding.verdict,
      });
    }
  }
  const found = new Set(images.map((i) => i.digest));
  for (const digest of [...deployed].sort()) {
    if (!found.has(digest)) {
      images.push({
        repository: '-',
        digest,
        tags: [],
        deployable: true,
        signatures: [],
        verdict: 'not-in-registry',
      });
    }
  }
  const failures = images.filter((i) => i.deployable && i.verdict !== 'signed').length;
  const unmatchedRevokedJobs = [...revokedIds].filter((id) => !matchedJobs.has(id)).sort();
  return { environment, profiles, images, unmatchedRevokedJobs, failures };
}

function renderTable(report: AuditReport): string {
  const rows = report.images.map((i) => {
    const deciding =
      i.signatures.find((s) => s.profile === i.profile && s.verdict === 'valid') ?? i.signatures[0];
    return [
      i.repository,
      i.digest.slice(0, 19),
      i.tags.join(',') || '-',
      i.deployable ? 'yes' : 'no',
      String(i.signatures.length),
      deciding?.jobId ?? '-',
      i.profile === undefined ? '-' : `${i.profile}${deciding?.source === 'envelope' ? '' : ' (inferred)'}`,
      i.profileStatus ?? '-',
      i.verdict,
    ];
  });
  const lines = [
    formatTable(
      [
        'REPOSITORY',
        'DIGEST',
        'TAGS',
        'DEPLOYABLE',
        'SIGNATURES',
        'JOB',
        'PROFILE',
        'PROFILE STATUS',
        'VERDICT',
      ],
      rows,
    ),
  ];
  if (report.images.some((i) => i.signatures.some((s) => s.source === 'inferred'))) {
    lines.push(
      "(inferred): the signature envelope did not name its profile (see --json for why); the app's pipeline profile is assumed.\n",
    );
  }
  if (report.unmatchedRevokedJobs.length > 0) {
    lines.push(
      `Revoked signing jobs no audited signature names: ${report.unmatchedRevokedJobs.join(', ')}. ` +
        'Check images with an inferred profile with `notation verify <repo>@<digest>` (it fails on a revoked signature).\n',
    );
  }
  for (const p of report.profiles.filter((p) => p.status === 'Canceled')) {
    lines.push(
      `Profile ${p.profileName} is canceled: it signs nothing new; its signatures stay valid until they expire.\n`,
    );
  }
  lines.push(
    report.failures === 0
      ? `${report.images.length} image(s) audited; every deployable image has a valid signature.\n`
      : `${report.failures} deployable image(s) without a valid signature.\n`,
  );
  return lines.join('');
}

/**
 * `signet audit`: which images of an environment are signed, by which profile, and that profile's
 * status. Resolves with 0 when every deployable image has a valid signature, 1 when one has not;
 * throws a {@link CliError}: 1 on an AWS failure, 2 on a usage error.
 */
export async function runAuditCommand(
  options: AuditCommandOptions,
  io: CommandIo,
  deps: AuditDependencies = {},
): Promise<number> {
  const environment = parseEnvironment(options.env);
  // Accept what `kubectl get pods -o jsonpath='{..imageID}'` prints: `[<prefix>]<repo>@sha256:…`.
  const deployed = new Set(
    (options.deployed ?? []).map((value) => {
      const digest = value.slice(value.lastIndexOf('@') + 1);
      if (!DIGEST.test(digest)) {
        throw new CliError(
          `--deployed "${value}" is not an image digest; allowed: sha256:<64 hex>, optionally after <repository>@`,
          ExitCode.Usage,
        );
      }
      return digest;
    }),
  );
  const root = deps.root ?? findWorkspaceRoot(process.cwd());
  if (root === undefined)
    throw new CliError(
      `no pnpm-workspace.yaml at or above ${process.cwd()}: run inside the Signet workspace`,
      ExitCode.Usage,
    );
  const clients = (deps.clients ?? createAwsClients)(
    options.region === undefined ? {} : { region: options.region },
  );
  const report = await auditEnvironment(environment, root, clients, deployed, deps.fetchBlob);
  io.stdout(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return report.failures === 0 ? ExitCode.Ok : ExitCode.Failure;
}

/** Registers `signet audit`. */
export function registerAuditCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('audit')
    .description("audit the signatures of every image in an environment's repositories")
    .requiredOption('--env <env>', `environment: ${ENVIRONMENTS.join(', ')}`)
    .option('--json', 'print JSON instead of a table')
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .option('--deployed <digest...>', 'digests that run or will run; audited even if untagged')
    .action((options: AuditCommandOptions, command: Command) =>
      run(command, () => runAuditCommand(options, io)),
    );
}
