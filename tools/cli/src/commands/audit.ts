import { ENVIRONMENTS } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { auditEnvironment, type AuditReport } from '../ops/audit-report.js';
import { createAwsClients, type AwsClientFactory } from '../ops/aws.js';
import { kubectlRunner, type KubectlRunner } from '../ops/cluster.js';
import type { BlobFetcher } from '../ops/envelope.js';
import { parseEnvironment } from '../ops/environment.js';
import { formatTable } from '../ops/table.js';
import { notationVerifier, type SignatureVerifier } from '../ops/verify.js';
import { findWorkspaceRoot } from '../workspace-root.js';

export type {
  AuditedImage,
  AuditedProfile,
  AuditedSignature,
  AuditReport,
  AuditVerdict,
  SignatureVerdict,
  StrayJob,
} from '../ops/audit-report.js';

/** Options of `signet audit`, as typed on the command line. */
export interface AuditCommandOptions {
  readonly env: string;
  readonly json?: boolean;
  readonly region?: string;
  /** Digests known to run or to be about to run. */
  readonly deployed?: readonly string[];
  /** Read the digests that run from the cluster of the current kubeconfig context. */
  readonly cluster?: boolean;
  /** The notation executable (default: `notation` on the PATH). */
  readonly notation?: string;
  /** The folder of notation's installed plugins (default: notation's own). */
  readonly notationPlugins?: string;
}

/** What `signet audit` needs from outside; tests replace each. */
export interface AuditDependencies {
  readonly clients?: AwsClientFactory;
  /** Workspace root; default: the workspace containing the cwd. */
  readonly root?: string;
  /** Downloads signature envelopes from ECR's pre-signed URLs; default: `fetch`. */
  readonly fetchBlob?: BlobFetcher;
  /** Verifies an image's signatures; default: notation verify ({@link notationVerifier}). */
  readonly verifier?: SignatureVerifier;
  /** Runs kubectl for `--cluster`; default: kubectl on the PATH. */
  readonly kubectl?: KubectlRunner;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function renderTable(report: AuditReport): string {
  const rows = report.images.map((i) => {
    const deciding = i.signatures.find((s) => s.verdict === 'valid') ?? i.signatures[0];
    return [
      i.repository,
      i.digest.slice(0, 19),
      i.tags.join(',') || '-',
      i.runningIn.length > 0 ? 'running' : i.deployable ? 'yes' : 'no',
      String(i.signatures.length),
      deciding?.jobId ?? '-',
      deciding?.profile ?? (deciding === undefined ? '-' : '(unreadable)'),
      i.verification === undefined ? '-' : i.verification.verified ? 'verified' : 'failed',
      i.verdict,
    ];
  });
  const lines = [
    formatTable(
      ['REPOSITORY', 'DIGEST', 'TAGS', 'DEPLOYABLE', 'SIGNATURES', 'JOB', 'PROFILE', 'NOTATION', 'VERDICT'],
      rows,
    ),
  ];
  for (const p of report.profiles.filter((p) => p.status === 'Canceled')) {
    lines.push(
      `Profile ${p.profileName} is canceled: it signs nothing new; its signatures stay valid until they expire.\n`,
    );
  }
  for (const job of report.strayJobs.filter((j) => j.revoked)) {
    lines.push(
      `Signing job ${job.jobId} (${job.profileName}) was requested by ${job.requestedBy}; it is revoked.\n`,
    );
  }
  for (const problem of report.problems) lines.push(`FAIL ${problem}\n`);
  lines.push(
    report.problems.length === 0
      ? `${report.images.length} image(s) audited; every deployable image verified, every signing job from the pipeline.\n`
      : `${report.problems.length} problem(s).\n`,
  );
  return lines.join('');
}

/**
 * `signet audit`: verifies every image of an environment's repositories with notation and the app's
 * trust policy, checks who requested each signing job, lists the environment's profiles by prefix and,
 * with `--cluster`, what runs. Resolves with 0 when nothing is wrong, 1 when anything is (a problem
 * line each); throws a {@link CliError}: 1 on an AWS or kubectl failure, 2 on a usage error.
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
  const verifier =
    deps.verifier ??
    notationVerifier({
      notation: options.notation ?? 'notation',
      ecr: clients.ecr,
      ...(options.notationPlugins === undefined ? {} : { pluginDir: options.notationPlugins }),
    });
  const report = await auditEnvironment({
    environment,
    root,
    clients,
    verifier,
    deployed,
    ...(options.cluster === true ? { kubectl: deps.kubectl ?? kubectlRunner() } : {}),
    ...(deps.fetchBlob === undefined ? {} : { fetchBlob: deps.fetchBlob }),
  });
  io.stdout(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return report.problems.length === 0 ? ExitCode.Ok : ExitCode.Failure;
}

/** Registers `signet audit`. */
export function registerAuditCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('audit')
    .description(
      "verify every image of an environment's repositories, who requested each signing job, and what runs",
    )
    .requiredOption('--env <env>', `environment: ${ENVIRONMENTS.join(', ')}`)
    .option('--json', 'print JSON instead of a table')
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .option('--deployed <digest...>', 'digests that run or will run; audited even if untagged')
    .option('--cluster', 'read the digests that run from the cluster (kubectl, current context)')
    .option('--notation <path>', 'the notation executable (default: notation on the PATH)')
    .option('--notation-plugins <dir>', "notation's plugin folder, with the AWS Signer plugin")
    .action((options: AuditCommandOptions, command: Command) =>
      run(command, () => runAuditCommand(options, io)),
    );
}
