import { execFile } from 'node:child_process';
import { CliError, ExitCode } from '../io.js';

/** Runs kubectl with `args` and resolves with its stdout; injectable so tests replay recorded answers. */
export type KubectlRunner = (args: readonly string[]) => Promise<string>;

/** The kubectl of the PATH, with the current kubeconfig context. */
export function kubectlRunner(kubectl = 'kubectl', env: NodeJS.ProcessEnv = process.env): KubectlRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(kubectl, [...args], { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else
          reject(
            new CliError(
              `kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
              (error as { code?: unknown }).code === 'ENOENT' ? ExitCode.Usage : ExitCode.Failure,
            ),
          );
      });
    });
}

/** One container that runs (or ran) in a Pod, as the kubelet reports it. */
export interface RunningContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The image as the Pod spec names it. */
  readonly image: string;
  /** The digest the kubelet resolved (`status.*ContainerStatuses[].imageID`), when it reports one. */
  readonly digest?: string;
}

interface PodList {
  readonly items?: readonly {
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly status?: Record<string, unknown>;
  }[];
}

const STATUS_KINDS = ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'] as const;
const DIGEST = /@(sha256:[0-9a-f]{64})$/;

/**
 * The containers of every Pod in `namespaces`, read with `kubectl get pods --all-namespaces -o json`:
 * init, regular and ephemeral containers, each with the digest the node actually pulled (imageID),
 * which is what runs whatever tag the spec names.
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodStatus
 */
export async function runningContainers(
  kubectl: KubectlRunner,
  namespaces: ReadonlySet<string>,
): Promise<RunningContainer[]> {
  const output = await kubectl(['get', 'pods', '--all-namespaces', '--output', 'json']);
  let list: PodList;
  try {
    list = JSON.parse(output) as PodList;
  } catch {
    throw new CliError(
      'kubectl get pods --all-namespaces --output json did not print JSON',
      ExitCode.Failure,
    );
  }
  const found: RunningContainer[] = [];
  for (const pod of list.items ?? []) {
    const namespace = pod.metadata?.namespace ?? '';
    if (!namespaces.has(namespace)) continue;
    for (const kind of STATUS_KINDS) {
      const statuses = (pod.status?.[kind] ?? []) as readonly {
        name?: string;
        image?: string;
        imageID?: string;
      }[];
      for (const status of statuses) {
        const digest = DIGEST.exec(status.imageID ?? '')?.[1];
        found.push({
          namespace,
          pod: pod.metadata?.name ?? '',
          container: status.name ?? '',
          image: status.image ?? '',
          ...(digest === undefined ? {} : { digest }),
        });
      }
    }
  }
  return found;
}

/** What one kubectl run returned. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with `args` (and `stdin`), resolving with its exit code and output whatever they are. */
export type KubectlExec = (args: readonly string[], stdin?: string) => Promise<KubectlResult>;

/** The kubectl of the PATH, as a {@link KubectlExec}. */
export function kubectlExec(kubectl = 'kubectl', env: NodeJS.ProcessEnv = process.env): KubectlExec {
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        kubectl,
        [...args],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error !== null && (error as { code?: unknown }).code === 'ENOENT') {
            reject(
              new CliError(
                `kubectl not found (${kubectl}): install it and select the cluster's context`,
                ExitCode.Usage,
              ),
            );
            return;
          }
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(stdin ?? '');
    });
}
