import type { MissingStackOutput, PlannedResource } from '@signet/platform/testing';

/** An upstream stack's outputs as a consumer's StackReference receives them. */
export interface UpstreamOutputs {
  /** Folder name of the upstream stack. */
  readonly name: string;
  /** Its Pulumi project, e.g. `signet-networking`. */
  readonly project: string;
  /**
   * The environment it was planned in, when not the consumer's: a promoting environment reads the
   * repositories of the one it promotes from and the signing profiles of the one that builds.
   */
  readonly env?: string;
  /** The organization it was planned in; references must use that org. */
  readonly org: string | undefined;
  /** Raw outputs (secrets revealed), what `requireOutput` resolves to. */
  readonly outputs: Record<string, unknown>;
  /** Outputs that are secrets (wholly or in part): they reach the consumer as secrets. */
  readonly secretOutputNames: readonly string[];
}

/** What the parent asks a child to plan. */
export interface PlanRequest {
  readonly stack: string;
  readonly stackDir: string;
  /** The program to run (its bundle), relative to `stackDir`. */
  readonly program: string;
  readonly env: string;
  /** Outputs of the stacks it declares as upstreams. */
  readonly upstreams: readonly UpstreamOutputs[];
  /** Projects of every stack in the workspace, to tell "not planned yet" from "not declared". */
  readonly workspaceProjects: Readonly<Record<string, string>>;
  /** The apps this process creates, for a stack divided by app (see shards.ts). Default: all. */
  readonly apps?: readonly string[];
}

/** A child's answer. `maxRssKb` is the child's peak resident set size, `cpuMs` its CPU time (user + system). */
export type PlanResponse =
  | {
      readonly ok: true;
      readonly project: string;
      readonly org: string | undefined;
      readonly resources: PlannedResource[];
      readonly outputs: Record<string, unknown>;
      readonly rawOutputs: Record<string, unknown>;
      /** With `apps` asked for: whether the program read its share (`appsToCreate`). */
      readonly appsScoped: boolean;
      readonly maxRssKb: number;
      readonly cpuMs: number;
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly missingOutput: MissingStackOutput | undefined;
      /** A stack of another environment the program references and the parent did not plan first. */
      readonly missingReference?: string;
      readonly maxRssKb: number;
      readonly cpuMs: number;
    };
