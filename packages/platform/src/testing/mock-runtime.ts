import * as pulumi from '@pulumi/pulumi';
import type { InvokeHandler } from './invokes.js';
import { builtinInvokes } from './invokes.js';
import type { PlaceholderContext } from './placeholders.js';
import { arn, partitionOf } from './placeholders.js';
import type { ComputedState, ResourceStateBuilder } from './resource-state.js';
import { builtinResourceState } from './resource-state.js';

/** The account id used when the environment names none: AWS's own documentation placeholder. */
export const PLACEHOLDER_ACCOUNT_ID = '123456789012';

/** The type token Pulumi registers a `StackReference` under. */
export const STACK_REFERENCE_TYPE = 'pulumi:pulumi:StackReference';

/** Options of {@link createMockRuntime}. */
export interface MockRuntimeOptions {
  /** AWS region every placeholder ARN and the region/AZ invokes use. */
  readonly region: string;
  /** Account id of placeholder ARNs and `getCallerIdentity`. Default {@link PLACEHOLDER_ACCOUNT_ID}. */
  readonly accountId?: string;
  /**
   * Outputs of the stacks this program may reference, by fully qualified stack name
   * (`<org>/<project>/<stack>`), or a function answering by name. A reference to a name without
   * outputs fails with {@link StackReferenceUnavailableError}; the function may throw its own error.
   */
  readonly stackReferences?: StackReferences;
  /** Extra computed attributes per type token, merged over the built-in placeholders. */
  readonly resourceState?: Readonly<Record<string, ResourceStateBuilder>>;
  /** Extra invoke answers per token, tried before the built-in ones. */
  readonly invokes?: Readonly<Record<string, InvokeHandler>>;
}

/** Resolves a fully qualified stack name to its outputs, or undefined when it is not available. */
export type StackReferenceResolver = (stackName: string) => Record<string, unknown> | undefined;

/** Referenced stacks' outputs: by fully qualified name, or through a resolver. */
export type StackReferences = Readonly<Record<string, Record<string, unknown>>> | StackReferenceResolver;

/** One resource as the program registered it, with the state the mock gave back. */
export interface RecordedResource {
  /** Pulumi type token, e.g. `aws:ecr/repository:Repository`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** Inputs as the resource received them (secrets still wrapped, see `isSecretValue`). */
  readonly inputs: Record<string, unknown>;
  /** Physical id placeholder. */
  readonly id: string | undefined;
  /** Inputs plus the computed placeholders. */
  readonly state: Record<string, unknown>;
  /** Whether the resource is managed by a provider (false for components). */
  readonly custom: boolean;
}

/** The mocks to hand to `pulumi.runtime.setMocks`, and what they recorded. */
export interface MockRuntime {
  readonly mocks: pulumi.runtime.Mocks;
  /** Registered resources in creation order. */
  readonly resources: RecordedResource[];
  /** Region, account and partition the placeholders use. */
  readonly context: PlaceholderContext;
}

/** Error thrown when a program references a stack the plan has no outputs for. */
export class StackReferenceUnavailableError extends Error {
  constructor(readonly stackName: string) {
    const project = stackName.split('/')[1] ?? stackName;
    super(
      `stack reference "${stackName}" is not available: deploy/plan ${project.replace(/^signet-/, '')} first`,
    );
    this.name = 'StackReferenceUnavailableError';
  }
}

/**
 * Creates deterministic Pulumi mocks: ids and ARNs are derived from names, region and account,
 * StackReferences answer from `stackReferences`, and only known invokes are answered.
 */
export function createMockRuntime(options: MockRuntimeOptions): MockRuntime {
  const context: PlaceholderContext = {
    region: options.region,
    accountId: options.accountId ?? PLACEHOLDER_ACCOUNT_ID,
    partition: partitionOf(options.region),
  };
  const resources: RecordedResource[] = [];
  const references = options.stackReferences ?? {};
  const lookup: StackReferenceResolver =
    typeof references === 'function'
      ? references
      : (stackName) => (Object.hasOwn(references, stackName) ? references[stackName] : undefined);
  const stateBuilders: Record<string, ResourceStateBuilder> = {
    ...builtinResourceState,
    ...options.resourceState,
  };
  const invokes: Record<string, InvokeHandler> = { ...builtinInvokes, ...options.invokes };

  const record = (
    args: pulumi.runtime.MockResourceArgs,
    inputs: Record<string, unknown>,
    computed: ComputedState,
  ): pulumi.runtime.MockResourceResult => {
    const id = computed.id ?? `${args.name}-id`;
    const state = { ...inputs, ...computed.state };
    resources.push({ type: args.type, name: args.name, inputs, id, state, custom: args.custom ?? true });
    return { id, state };
  };

  const mocks: pulumi.runtime.Mocks = {
    newResource(
      args: pulumi.runtime.MockResourceArgs,
    ): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
      const inputs = (args.inputs ?? {}) as Record<string, unknown>;
      if (args.type === STACK_REFERENCE_TYPE) {
        const stackName = String(inputs['name'] ?? args.id ?? args.name);
        const outputs = lookup(stackName);
        if (outputs === undefined) throw new StackReferenceUnavailableError(stackName);
        return stackReferenceState(outputs).then((state) =>
          record(args, inputs, { id: stackName, state: { name: stackName, ...state } }),
        );
      }
      const builder = stateBuilders[args.type];
      const ctx = { type: args.type, name: args.name, inputs, ctx: context };
      return record(args, inputs, builder ? builder(ctx) : genericState(ctx));
    },
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      const handler = invokes[args.token];
      if (!handler) throw new Error(`unsupported invoke "${args.token}" under the mock runtime`);
      return handler((args.inputs ?? {}) as Record<string, unknown>, context);
    },
  };
  return { mocks, resources, context };
}

/**
 * A StackReference's state. Outputs given as `pulumi.secret(...)` are listed in
 * `secretOutputNames`, so `requireOutput` returns them as secrets, as with a real backend.
 */
async function stackReferenceState(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const secretOutputNames: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputNames.push(key);
  }
  return { outputs, secretOutputNames };
}

/**
 * Placeholders for types without a dedicated builder: `<name>-id`, an ARN for AWS types, and a
 * `metadata.name` for Kubernetes objects (what auto-naming would have produced, without the suffix).
 */
function genericState(args: {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  ctx: PlaceholderContext;
}): ComputedState {
  const [pkg, mod = '', typeName = ''] = args.type.split(':');
  if (pkg === 'aws' && mod !== 'index') {
    const service = mod.split('/')[0] ?? mod;
    const kind = typeName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const name = typeof args.inputs['name'] === 'string' ? args.inputs['name'] : args.name;
    return { state: { arn: arn(args.ctx, service, `${kind}/${name}`) } };
  }
  if (pkg === 'kubernetes') {
    const metadata = (args.inputs['metadata'] ?? {}) as Record<string, unknown>;
    const name = typeof metadata['name'] === 'string' ? metadata['name'] : args.name;
    const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
    return {
      id: namespace ? `${namespace}/${name}` : name,
      state: { metadata: { ...metadata, name, uid: `${args.name}-uid` } },
    };
  }
  return { state: {} };
}
