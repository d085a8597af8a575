import * as pulumi from '@pulumi/pulumi';
import type { StackContext } from '../config.js';
import type { StackOutputReader } from '../contracts.js';
import type { Environment } from '../environment.js';

/** Outputs of `signet-eks`. */
export interface EksOutputs {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** HTTPS endpoint of the API server (private, or also public for the configured CIDRs). */
  readonly clusterEndpoint: string;
  /** Security group EKS attaches to the control plane and managed nodes. */
  readonly clusterSecurityGroupId: string;
  /** IAM OIDC provider of the cluster, for IRSA roles. */
  readonly oidcProviderArn: string;
  /** Issuer URL without `https://`, the prefix of IRSA trust condition keys. */
  readonly oidcProviderUrl: string;
  /** Kubeconfig (JSON, secret): authenticates with `aws eks get-token`. */
  readonly kubeconfig: string;
  /** Namespace per app name: the namespaces whose Pods must run signed images. */
  readonly appNamespaces: Record<string, string>;
  /** Name of the Kyverno ClusterPolicy that verifies signatures at admission. */
  readonly admissionPolicyName: string;
}

const EKS_KEYS: { readonly [K in keyof EksOutputs]-?: true } = {
  clusterName: true,
  clusterArn: true,
  clusterEndpoint: true,
  clusterSecurityGroupId: true,
  oidcProviderArn: true,
  oidcProviderUrl: true,
  kubeconfig: true,
  appNamespaces: true,
  admissionPolicyName: true,
};

/** The output keys of `signet-eks`: it exports exactly these, consumers read exactly these. */
export const EKS_OUTPUT_KEYS = Object.keys(EKS_KEYS) as readonly (keyof EksOutputs & string)[];

/** The fully qualified name of the eks stack: `<org>/signet-eks/<env>`. */
export function eksStackReferenceName(org: string, environment: Environment): string {
  return `${org}/signet-eks/${environment}`;
}

/**
 * Typed reader of `signet-eks`'s outputs: `requireOutput` per key, so a missing output fails the
 * consumer with the key's name.
 */
export function readEksOutputs(
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): StackOutputReader<EksOutputs> {
  const name = eksStackReferenceName(context.org, context.environment);
  const reference = new pulumi.StackReference(name, { name }, opts);
  const outputs = Object.fromEntries(EKS_OUTPUT_KEYS.map((key) => [key, reference.requireOutput(key)]));
  return outputs as StackOutputReader<EksOutputs>;
}
