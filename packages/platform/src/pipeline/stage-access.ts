import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Stage, StageEntry } from '@signet/buildspec';
import {
  buildStageNamespaceRbac,
  buildStageRolePolicy,
  type IamPolicyDocument,
  type StageRolePolicyInput,
} from '@signet/policies';

/**
 * The identity policy of a stage's role: the grants its catalog entry lists, on the resources
 * given (each grant takes only the ones it needs).
 */
export function stageRolePolicy(
  entry: StageEntry<Stage>,
  resources: StageRolePolicyInput,
): IamPolicyDocument {
  return buildStageRolePolicy(entry.roleGrants, resources, `STAGE_CATALOG[${entry.name}].roleGrants`);
}

/** Resource-name suffix of each managed EKS access policy a catalog entry may name. */
const ACCESS_POLICY_SUFFIX = { AmazonEKSEditPolicy: 'edit' } as const;

/** The Kubernetes group of one app's stage: what its Role is bound to, and nothing else is. */
export function stageKubernetesGroup(app: string, entry: StageEntry<Stage>): string {
  return `signet:${app}:${entry.slug}`;
}

/** Arguments of {@link createStageClusterAccess}. */
export interface StageClusterAccessArgs {
  readonly app: string;
  readonly clusterName: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  /** The stage's role. */
  readonly principalArn: pulumi.Input<string>;
  /** The app's namespace: the only one the stage gets rights in. */
  readonly namespace: pulumi.Input<string>;
  /** The cluster, for the stage's Role (`rbac` access). */
  readonly kubernetesProvider: pulumi.ProviderResource;
  /** The group that may get the admission ClusterPolicy (`readsAdmissionPolicy`). */
  readonly admissionPolicyReadersGroup: string;
}

/**
 * A cluster-facing stage's way into Kubernetes, as its catalog entry says: an EKS access entry of
 * its role, plus either a managed access policy scoped to the app's namespace or a Role in that
 * namespace bound to the stage's own Kubernetes group. Nothing for a stage without cluster access.
 */
export function createStageClusterAccess(
  name: string,
  entry: StageEntry<Stage>,
  args: StageClusterAccessArgs,
  parent: pulumi.Resource,
): void {
  const access = entry.cluster;
  if (access === undefined) return;
  const prefix = `${name}-${entry.slug}`;
  if (access.kind === 'eks-access-policy') {
    const accessEntry = new aws.eks.AccessEntry(
      `${prefix}-access`,
      { clusterName: args.clusterName, principalArn: args.principalArn, type: 'STANDARD' },
      { parent },
    );
    new aws.eks.AccessPolicyAssociation(
      `${prefix}-namespace-${ACCESS_POLICY_SUFFIX[access.policy]}`,
      {
        clusterName: args.clusterName,
        principalArn: args.principalArn,
        policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${access.policy}`,
        accessScope: { type: 'namespace', namespaces: [args.namespace] },
      },
      { parent, dependsOn: [accessEntry] },
    );
    return;
  }
  const group = stageKubernetesGroup(args.app, entry);
  new aws.eks.AccessEntry(
    `${prefix}-access`,
    {
      clusterName: args.clusterName,
      principalArn: args.principalArn,
      type: 'STANDARD',
      kubernetesGroups: [...(access.readsAdmissionPolicy ? [args.admissionPolicyReadersGroup] : []), group],
    },
    { parent },
  );
  const rbac = pulumi.output(args.namespace).apply((namespace) =>
    buildStageNamespaceRbac({
      name: `signet-${args.app}-${entry.slug}`,
      namespace,
      app: args.app,
      group,
      rules: access.namespaceRules,
      rulesField: `STAGE_CATALOG[${entry.name}].cluster.namespaceRules`,
    }),
  );
  const k8sOpts = { parent, provider: args.kubernetesProvider };
  const role = new k8s.rbac.v1.Role(
    `${prefix}-k8s-role`,
    { metadata: rbac.role.metadata, rules: rbac.role.rules },
    k8sOpts,
  );
  new k8s.rbac.v1.RoleBinding(
    `${prefix}-k8s-role-binding`,
    {
      metadata: rbac.roleBinding.metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subjects: rbac.roleBinding.subjects,
    },
    k8sOpts,
  );
}
