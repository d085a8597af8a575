import type { Environment } from '@signet/platform';

/** Options of the `app` generator, as typed on the command line (see schema.json). */
export interface AppGeneratorSchema {
  /** App name: folder, package, ECR repository, signing profile and pipeline. */
  readonly name: string;
  /** Container port, the app declaration's port range (1024..65535). Default 8080. */
  readonly port?: number | string;
  /** Kubernetes namespace. Default: the app name. */
  readonly namespace?: string;
  /** Environments, as a list or a comma-separated string. Default: every environment. */
  readonly environments?: readonly string[] | string;
}

/** Options after validation: every value checked and every default applied. */
export interface NormalizedAppOptions {
  readonly name: string;
  readonly port: number;
  readonly namespace: string;
  readonly environments: readonly Environment[];
  /** App folder relative to the workspace root, `apps/<name>`. */
  readonly directory: string;
}
