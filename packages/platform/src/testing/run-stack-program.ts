import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { workspaceAccounts } from '../config.js';
import { setPlanAppScope } from '../plan-scope.js';
import type { InvokeHandler } from './invokes.js';
import type { RecordedResource, StackReferences } from './mock-runtime.js';
import { createMockRuntime } from './mock-runtime.js';
import type { PlaceholderContext } from './placeholders.js';
import { renderInputs, resolveValue } from './render.js';
import type { ResourceStateBuilder } from './resource-state.js';
import type { StackConfig } from './stack-config.js';
import { StackFileError, accountIdFromConfig, readStackConfig } from './stack-config.js';

/** Options of {@link runStackProgram}. */
export interface RunStackProgramOptions {
  /** The stack's directory (holding `Pulumi.yaml`, `Pulumi.<env>.yaml` and `src/index.ts`). */
  readonly stackDir: string;
  /** Environment, i.e. the Pulumi stack name: selects `Pulumi.<env>.yaml`. */
  readonly env: string;
  /** Outputs of referenced stacks by fully qualified name (`<org>/signet-<name>/<env>`). */
  readonly stackReferences?: StackReferences;
  /** Config values set over the file's (fully qualified keys; non-strings are JSON-encoded). */
  readonly configOverrides?: Readonly<Record<string, unknown>>;
  /** Extra computed attributes per type token. */
  readonly resourceState?: Readonly<Record<string, ResourceStateBuilder>>;
  /** Extra invoke answers per token. */
  readonly invokes?: Readonly<Record<string, InvokeHandler>>;
  /** Program file relative to `stackDir`. Default `src/index.ts`. */
  readonly program?: string;
  /** The Pulumi organization the stack runs in (`pulumi.getOrganization()`). Default `organization`. */
  readonly organization?: string;
  /**
   * The account the credentials are for (what `getCallerIdentity` answers and placeholders use).
   * Default: the account the environment names in the workspace's `accounts.json` (read from the
   * current directory, as the program reads it), else `aws:allowedAccountIds` or
   * `<project>:accountId` of the config, else the placeholder account.
   */
  readonly accountId?: string;
  /**
   * The apps this run creates, by name: a share of the program's apps, for a stack planned by
   * several processes (see `appsToCreate`). Default: every app.
   */
  readonly apps?: readonly string[];
}

/** A resource of the plan, JSON-safe. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs with secrets rendered as `"[secret]"`. */
  readonly inputs: Record<string, unknown>;
}

/** What a stack program did under the mock runtime. */
export interface StackProgramResult {
  readonly project: string;
  readonly config: StackConfig;
  readonly context: PlaceholderContext;
  /** Resources in creation order, inputs with secrets as `"[secret]"`. */
  readonly resources: PlannedResource[];
  /** Resources as the mocks recorded them (raw inputs and state), for assertions. */
  readonly recorded: RecordedResource[];
  /** Stack outputs with secrets as `"[secret]"`. */
  readonly outputs: Record<string, unknown>;
  /** Stack outputs with secrets revealed: what a consumer's StackReference receives. */
  readonly rawOutputs: Record<string, unknown>;
  /** With `apps` given: whether the program read its share (`appsToCreate`). */
  readonly appsScoped: boolean;
}

/** A stack output the program required from a referenced stack that does not export it. */
export interface MissingStackOutput {
  /** Fully qualified name of the referenced stack. */
  readonly stack: string;
  /** The output key it lacks. */
  readonly key: string;
}

/** Thrown when the stack program fails; `message` is the program's own error message. */
export class StackProgramError extends Error {
  /** Set when the failure is a `requireOutput` of a key the referenced stack does not export. */
  readonly missingOutput: MissingStackOutput | undefined;

  constructor(
    message: string,
    readonly project: string,
    options?: { cause?: unknown },
  ) {
    const missing = REQUIRED_OUTPUT.exec(message);
    const missingOutput = missing ? { key: missing[1] ?? '', stack: missing[2] ?? '' } : undefined;
    super(
      missingOutput
        ? `${project} requires output "${missingOutput.key}" of stack ${missingOutput.stack}, which does not export it`
        : message,
      options,
    );
    this.name = 'StackProgramError';
    this.missingOutput = missingOutput;
  }
}

// Prefixes Pulumi's runtime puts before the cause (sdk/nodejs/runtime/resource.ts).
const PULUMI_WRAPPING =
  /^(error serializing property "[^"]*": |failed to (read|register new) resource #?\S* '[^']*' \[[^\]]*\]: |failed to register new resource \S+ \[[^\]]*\]: )/;

// The message of `StackReference.requireOutput` (sdk/nodejs/stackReference.ts).
const REQUIRED_OUTPUT = /Required output '([^']*)' does not exist on stack '([^']*)'/;

type WaitForRpcs = () => Promise<void>;

/**
 * Runs a stack program under the mock runtime with its environment's config, then resolves its
 * exports. Node caches ES modules, so a program module is evaluated once per process (or per
 * vitest file; call `vi.resetModules()` between runs in one file).
 */
export async function runStackProgram(options: RunStackProgramOptions): Promise<StackProgramResult> {
  const stackDir = resolve(options.stackDir);
  const config = readStackConfig(stackDir, options.env);
  const values = { ...config.values };
  for (const [key, value] of Object.entries(options.configOverrides ?? {})) {
    values[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const region = values['aws:region'];
  if (region === undefined) throw new StackFileError(`${config.file}: config key "aws:region" is required`);
  const named = (workspaceAccounts() as Readonly<Record<string, string>> | undefined)?.[options.env];
  const accountId = options.accountId ?? named ?? accountIdFromConfig({ ...config, values });

  const runtime = createMockRuntime({
    region,
    ...(accountId !== undefined && { accountId }),
    ...(options.stackReferences && { stackReferences: options.stackReferences }),
    ...(options.resourceState && { resourceState: options.resourceState }),
    ...(options.invokes && { invokes: options.invokes }),
  });
  await pulumi.runtime.setMocks(
    runtime.mocks,
    config.project,
    options.env,
    false,
    options.organization ?? 'organization',
  );
  pulumi.runtime.setAllConfig(values, config.secretKeys);

  const programFile = join(stackDir, options.program ?? 'src/index.ts');
  if (!existsSync(programFile)) throw new StackFileError(`${programFile} does not exist`);

  // Registration failures surface as rejections nobody awaits; catch them so the first one
  // fails the run with the program's own message instead of being lost.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    failures.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  const scope = setPlanAppScope(options.apps);
  try {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(programFile).href)) as Record<string, unknown>;
    } catch (error) {
      throw new StackProgramError(messageOf(error), config.project, { cause: error });
    }
    const program: unknown = exports['default'];
    const named = Object.fromEntries(Object.entries(exports).filter(([k]) => k !== 'default'));
    const source = typeof program === 'function' ? await (program as () => unknown)() : named;

    let resolved;
    try {
      resolved = await resolveValue(source ?? {});
      // Resources whose outputs nobody exported may still be registering: wait for all RPCs.
      await (pulumi.runtime as unknown as { waitForRPCs: WaitForRpcs }).waitForRPCs();
      // Let rejections raised during the last registrations reach the handler.
      await new Promise((r) => setImmediate(r));
    } catch (error) {
      throw new StackProgramError(messageOf(error), config.project, { cause: error });
    }
    if (failures.length > 0) {
      const [first] = failures;
      throw new StackProgramError(messageOf(first), config.project, { cause: first });
    }
    return {
      project: config.project,
      config,
      context: runtime.context,
      resources: runtime.resources.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: renderInputs(r.inputs, 'mask') as Record<string, unknown>,
      })),
      recorded: runtime.resources,
      outputs: resolved.rendered as Record<string, unknown>,
      rawOutputs: resolved.raw as Record<string, unknown>,
      appsScoped: scope?.used ?? false,
    };
  } finally {
    setPlanAppScope(undefined);
    process.off('unhandledRejection', onRejection);
  }
}

/**
 * The message of whatever a program threw, without the wrapping Pulumi adds on the way out
 * (`error serializing property "x": failed to read resource …: <cause>`), so users see the cause.
 */
export function messageOf(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (;;) {
    const stripped = message.replace(PULUMI_WRAPPING, '');
    if (stripped === message) return message;
    message = stripped;
  }
}
