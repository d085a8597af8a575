import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';

/* eslint-disable @typescript-eslint/no-explicit-any -- the manifests are checked by their builders; the SDK's argument types are wider than their literal types */
const KINDS: Record<
  string,
  new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource
> = {
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Service': k8s.core.v1.Service,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': k8s.apiextensions.v1.CustomResourceDefinition,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The typed Kubernetes resource for a rendered object; an unknown kind is a programming error. */
export function applyManifest(
  name: string,
  object: object,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const manifest = object as Readonly<Record<string, unknown>>;
  const key = `${String(manifest['apiVersion'])}/${String(manifest['kind'])}`;
  const Resource = KINDS[key];
  if (Resource === undefined) throw new Error(`applyManifest ${name}: no resource type for ${key}`);
  const { apiVersion: _apiVersion, kind: _kind, ...args } = manifest;
  return new Resource(name, args, opts);
}
