import * as pulumi from '@pulumi/pulumi';
import type { StackContext } from './config.js';
import type { Environment } from './environment.js';

/** Outputs of `signet-networking`. */
export interface NetworkingOutputs {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets for nodes and interface endpoints, one per AZ, in AZ order. */
  readonly privateSubnetIds: string[];
  /** Subnets for NAT gateways and internet-facing load balancers, one per AZ, in AZ order. */
  readonly publicSubnetIds: string[];
  readonly availabilityZones: string[];
  /** Security group of the interface endpoints (443 from the VPC CIDR only). */
  readonly endpointSecurityGroupId: string;
  /** Security group of the deployer's builds: the eks stack opens the cluster endpoint to it. */
  readonly deployerSecurityGroupId: string;
}

/** One app's ECR repository. */
export interface RepositoryOutput {
  readonly name: string;
  readonly arn: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  readonly url: string;
}

/** Outputs of `signet-ecr`. */
export interface EcrOutputs {
  /** Repository per app name (the apps deployed to this environment). */
  readonly repositories: Record<string, RepositoryOutput>;
  /** The customer-managed key that encrypts every repository of the environment. */
  readonly kmsKeyArn: string;
}

/** One AWS Signer signing profile. */
export interface SigningProfileOutput {
  readonly name: string;
  /** Profile ARN: the identity notation's trust policy trusts (every version of the profile). */
  readonly arn: string;
  /** Profile-version ARN: what `notation sign --id` uses. */
  readonly versionArn: string;
}

/** The identity every app has: the one its pipeline's ApplicationSigning stage signs with. */
export const PIPELINE_IDENTITY = 'pipeline';

/** The bucket that mirrors the verified AWS Signer plugin builds, and its key. */
export interface PluginMirrorOutput {
  /** What the stages' `SIGNET_PLUGIN_MIRROR_BUCKET` holds, and where `signet mirror-plugin` writes. */
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The key that encrypts the bucket: the plugin-installing stage roles decrypt with it. */
  readonly kmsKeyArn: string;
}

/** Outputs of `signet-signer`. */
export interface SignerOutputs {
  /** Per app name, per identity name (always including {@link PIPELINE_IDENTITY}). */
  readonly profiles: Record<string, Record<string, SigningProfileOutput>>;
  /** Every profile ARN of the environment, sorted: the trusted identities of the cluster. */
  readonly trustedIdentities: string[];
  /** The AWS Signer plugin mirror every plugin-installing stage copies the plugin from. */
  readonly pluginMirror: PluginMirrorOutput;
}

/** The producing stacks and their contracts. The eks stack adds its own entry when it exists. */
export interface StackContracts {
  readonly networking: NetworkingOutputs;
  readonly ecr: EcrOutputs;
  readonly signer: SignerOutputs;
}

/** A stack that other stacks read. */
export type ProducingStack = keyof StackContracts;

type KeyList<T> = { readonly [K in keyof T]-?: true };

function keyList<T>(keys: KeyList<T>): readonly (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}

/**
 * The output keys of every producing stack: a producer must export exactly these, a consumer reads
 * exactly these. Checked by the plan and by each stack's tests.
 */
export const STACK_OUTPUT_KEYS: {
  readonly [S in ProducingStack]: readonly (keyof StackContracts[S] & string)[];
} = {
  networking: keyList<NetworkingOutputs>({
    vpcId: true,
    vpcCidr: true,
    privateSubnetIds: true,
    publicSubnetIds: true,
    availabilityZones: true,
    endpointSecurityGroupId: true,
    deployerSecurityGroupId: true,
  }),
  ecr: keyList<EcrOutputs>({ repositories: true, kmsKeyArn: true }),
  signer: keyList<SignerOutputs>({ profiles: true, trustedIdentities: true, pluginMirror: true }),
};

/** An output value a producing stack may export: plain values, promises or outputs at any depth. */
export type DeepInput<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends readonly (infer E)[]
    ? pulumi.Input<DeepInput<E>[]>
    : pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>;

/** What a producing stack's program exports: one named export per key of its contract. */
export type StackExports<T> = { readonly [K in keyof T]: DeepInput<T[K]> };

/** What a consumer gets: one output per key of the producer's contract. */
export type StackOutputReader<T> = { readonly [K in keyof T]: pulumi.Output<T[K]> };

/** The fully qualified name of a producing stack: `<org>/signet-<stack>/<env>`. */
export function stackReferenceName(org: string, stack: ProducingStack, environment: Environment): string {
  return `${org}/signet-${stack}/${environment}`;
}

/**
 * Reads a producing stack's outputs with `requireOutput` per key of its contract, so a missing
 * output fails the consumer's deployment with the key's name instead of yielding `undefined`.
 */
export function readStackOutputs<S extends ProducingStack>(
  stack: S,
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): StackOutputReader<StackContracts[S]> {
  const name = stackReferenceName(context.org, stack, context.environment);
  const reference = new pulumi.StackReference(name, { name }, opts);
  const outputs = Object.fromEntries(
    STACK_OUTPUT_KEYS[stack].map((key) => [key, reference.requireOutput(key)]),
  );
  return outputs as StackOutputReader<StackContracts[S]>;
}

/** Typed reader of `signet-networking`'s outputs. */
export function readNetworkingOutputs(
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): StackOutputReader<NetworkingOutputs> {
  return readStackOutputs('networking', context, opts);
}

/** Typed reader of `signet-ecr`'s outputs. */
export function readEcrOutputs(
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): StackOutputReader<EcrOutputs> {
  return readStackOutputs('ecr', context, opts);
}

/** Typed reader of `signet-signer`'s outputs. */
export function readSignerOutputs(
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): StackOutputReader<SignerOutputs> {
  return readStackOutputs('signer', context, opts);
}
