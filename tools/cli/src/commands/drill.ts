import {
  DrillOutcome,
  drillOutcome,
  drillRequests,
  type DrillCase,
  type DrillTarget,
} from '@signet/buildspec';
import { appsForEnvironment, discoverApps, ENVIRONMENTS } from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { kubectlExec, type KubectlExec } from '../ops/cluster.js';
import { parseEnvironment } from '../ops/environment.js';
import { formatTable } from '../ops/table.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet drill`. */
export interface DrillCommandOptions {
  readonly env: string;
  /** Only this app (default: every app of the environment). */
  readonly app?: string;
  /** A real unsigned image digest of the app's repository (default: a digest no image has). */
  readonly unsignedDigest?: string;
  readonly json?: boolean;
}

/** What `signet drill` needs from outside; tests replace each. */
export interface DrillDependencies {
  readonly root?: string;
  readonly kubectl?: KubectlExec;
}

/** One row of the drill. */
export interface DrillResult {
  readonly app: string;
  readonly case: DrillCase;
  readonly description: string;
  readonly expected: 'denied';
  /** `skipped` when the case could not be built. */
  readonly got: DrillOutcome | 'skipped';
  readonly message: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

interface PodList {
  readonly items?: readonly {
    readonly metadata?: { readonly name?: string; readonly deletionTimestamp?: string };
    readonly status?: {
      readonly phase?: string;
      readonly containerStatuses?: readonly { readonly name?: string; readonly imageID?: string }[];
    };
  }[];
}

/** The running Pods of a namespace with the digests their node pulled. */
async function runningPods(
  kubectl: KubectlExec,
  namespace: string,
): Promise<{ pod: string; images: string[] }[]> {
  const result = await kubectl(['get', 'pods', '--namespace', namespace, '--output', 'json']);
  if (result.code !== 0) {
    throw new CliError(
      `kubectl get pods --namespace ${namespace} failed: ${result.stderr.trim()}`,
      ExitCode.Failure,
    );
  }
  const list = JSON.parse(result.stdout) as PodList;
  return (list.items ?? [])
    .filter((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined)
    .map((p) => ({
      pod: p.metadata?.name ?? '',
      images: (p.status?.containerStatuses ?? [])
        .map((c) => (c.imageID ?? '').replace(/^docker-pullable:\/\//, ''))
        .filter((image) => /@sha256:[0-9a-f]{64}$/.test(image)),
    }))
    .filter((p) => p.images.length > 0);
}

/**
 * Runs the drill against the cluster of kubectl's current context: per app, every case of
 * `drillRequests` in the app's namespace, as server-side dry runs.
 */
export async function runDrill(
  options: DrillCommandOptions,
  root: string,
  kubectl: KubectlExec,
): Promise<DrillResult[]> {
  const environment = parseEnvironment(options.env);
  const apps = appsForEnvironment(discoverApps(root), environment).filter(
    (a) => options.app === undefined || a.name === options.app,
  );
  if (apps.length === 0) {
    throw new CliError(
      options.app === undefined
        ? `no app is deployed to ${environment}`
        : `--app "${options.app}" is not an app of ${environment}`,
      ExitCode.Usage,
    );
  }
  // Every app namespace once: its running Pods give the app's repository, a Pod to patch, and the
  // signed image another app's drill submits.
  const all = appsForEnvironment(discoverApps(root), environment);
  const pods = new Map(
    await Promise.all(all.map(async (a) => [a.name, await runningPods(kubectl, a.namespace)] as const)),
  );
  const results: DrillResult[] = [];
  for (const app of apps) {
    const own = pods.get(app.name) ?? [];
    const first = own[0];
    const image = first?.images[0];
    if (first === undefined || image === undefined) {
      throw new CliError(
        `no running Pod of ${app.name} in namespace ${app.namespace}: the drill needs the app deployed (its repository and a Pod for the ephemeral container)`,
        ExitCode.Failure,
      );
    }
    const other = all.filter((a) => a.name !== app.name).flatMap((a) => pods.get(a.name) ?? [])[0]?.images[0];
    const target: DrillTarget = {
      namespace: app.namespace,
      repositoryUri: image.slice(0, image.indexOf('@')),
      runningPod: first.pod,
      ...(other === undefined ? {} : { otherAppImage: other }),
      ...(options.unsignedDigest === undefined ? {} : { unsignedDigest: options.unsignedDigest }),
    };
    const { requests, skipped } = drillRequests(target);
    for (const request of requests) {
      const result = await kubectl(request.args, request.stdin);
      const got = drillOutcome(result.code, result.stderr);
      const message =
        (got === DrillOutcome.Admitted ? result.stdout : result.stderr).trim().split('\n')[0] ?? '';
      results.push({
        app: app.name,
        case: request.case,
        description: request.description,
        expected: 'denied',
        got,
        message,
      });
    }
    for (const s of skipped) {
      results.push({
        app: app.name,
        case: s.case,
        description: '-',
        expected: 'denied',
        got: 'skipped',
        message: s.reason,
      });
    }
  }
  return results;
}

/**
 * `signet drill`: proves on the cluster that admission refuses what it must. Resolves with 0 when
 * every case that ran was denied, 1 when one was admitted or failed otherwise; throws a
 * {@link CliError}: 1 when the cluster cannot be read, 2 on a usage error.
 */
export async function runDrillCommand(
  options: DrillCommandOptions,
  io: CommandIo,
  deps: DrillDependencies = {},
): Promise<number> {
  parseEnvironment(options.env);
  if (options.unsignedDigest !== undefined && !DIGEST.test(options.unsignedDigest)) {
    throw new CliError(
      `--unsigned-digest "${options.unsignedDigest}" is not a digest; allowed: sha256:<64 hex>`,
      ExitCode.Usage,
    );
  }
  const root = deps.root ?? findWorkspaceRoot(process.cwd());
  if (root === undefined) {
    throw new CliError(
      `no pnpm-workspace.yaml at or above ${process.cwd()}: run inside the Signet workspace`,
      ExitCode.Usage,
    );
  }
  const results = await runDrill(options, root, deps.kubectl ?? kubectlExec());
  const failed = results.filter((r) => r.got !== DrillOutcome.Denied && r.got !== 'skipped');
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ results, failed: failed.length }, null, 2)}\n`);
  } else {
    io.stdout(
      formatTable(
        ['APP', 'CASE', 'EXPECTED', 'GOT', 'MESSAGE'],
        results.map((r) => [r.app, r.case, r.expected, r.got, r.message]),
      ),
    );
    io.stdout(
      failed.length === 0
        ? `Admission denied every case (${results.filter((r) => r.got === 'skipped').length} skipped).\n`
        : `${failed.length} case(s) not denied by admission.\n`,
    );
  }
  return failed.length === 0 ? ExitCode.Ok : ExitCode.Failure;
}

/** Registers `signet drill`. */
export function registerDrillCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  program
    .command('drill')
    .description(
      "prove on the cluster that admission denies unsigned, tagged and other apps' images (server-side dry runs)",
    )
    .requiredOption('--env <env>', `environment: ${ENVIRONMENTS.join(', ')}`)
    .option('--app <name>', 'only this app (default: every app of the environment)')
    .option('--unsigned-digest <digest>', "a real unsigned image digest of the app's repository")
    .option('--json', 'print JSON instead of a table')
    .action((options: DrillCommandOptions, command: Command) =>
      run(command, () => runDrillCommand(options, io)),
    );
}
