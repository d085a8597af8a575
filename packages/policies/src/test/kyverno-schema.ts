// What the Kyverno ClusterPolicy CRD (kyverno.io/v1, Kyverno v1.19.0) declares for the fields
// Signet generates. Derived by hand from config/crds/kyverno/kyverno.io_clusterpolicies.yaml;
// `pnpm --filter @signet/policies check:crds <crd files>` re-checks this list against the CRD
// itself. Not part of the build.

/** Paths declared in the schema (`[]` = array items). A generated key outside these is pruned. */
export const CLUSTER_POLICY_DECLARED_PATHS: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'spec.admission',
  'spec.background',
  'spec.webhookConfiguration',
  'spec.webhookConfiguration.failurePolicy',
  'spec.webhookConfiguration.timeoutSeconds',
  'spec.rules',
  'spec.rules[]',
  'spec.rules[].name',
  'spec.rules[].match',
  'spec.rules[].match.any',
  'spec.rules[].match.any[]',
  'spec.rules[].match.any[].resources',
  'spec.rules[].match.any[].resources.kinds',
  'spec.rules[].match.any[].resources.kinds[]',
  'spec.rules[].match.any[].resources.namespaces',
  'spec.rules[].match.any[].resources.namespaces[]',
  'spec.rules[].match.any[].resources.operations',
  'spec.rules[].match.any[].resources.operations[]',
  'spec.rules[].exclude',
  'spec.rules[].exclude.any',
  'spec.rules[].exclude.any[]',
  'spec.rules[].exclude.any[].resources',
  'spec.rules[].exclude.any[].resources.kinds',
  'spec.rules[].exclude.any[].resources.kinds[]',
  'spec.rules[].exclude.any[].resources.namespaces',
  'spec.rules[].exclude.any[].resources.namespaces[]',
  'spec.rules[].context',
  'spec.rules[].context[]',
  'spec.rules[].context[].name',
  'spec.rules[].context[].apiCall',
  'spec.rules[].context[].apiCall.urlPath',
  'spec.rules[].context[].apiCall.method',
  'spec.rules[].context[].apiCall.jmesPath',
  'spec.rules[].context[].apiCall.data',
  'spec.rules[].context[].apiCall.data[]',
  'spec.rules[].context[].apiCall.data[].key',
  'spec.rules[].context[].apiCall.data[].value',
  'spec.rules[].context[].apiCall.service',
  'spec.rules[].context[].apiCall.service.url',
  'spec.rules[].context[].apiCall.service.caBundle',
  'spec.rules[].validate',
  'spec.rules[].validate.failureAction',
  'spec.rules[].validate.allowExistingViolations',
  'spec.rules[].validate.message',
  'spec.rules[].validate.pattern',
  'spec.rules[].validate.deny',
  'spec.rules[].validate.deny.conditions',
]);

/**
 * Paths whose content the schema keeps as is (`x-kubernetes-preserve-unknown-fields`, or
 * ObjectMeta maps): nothing below them is pruned, so the walk stops there.
 */
export const CLUSTER_POLICY_OPAQUE_PATHS: ReadonlySet<string> = new Set([
  'metadata.name',
  'metadata.annotations',
  'metadata.labels',
  'spec.rules[].context[].apiCall.data[].value',
  'spec.rules[].validate.pattern',
  'spec.rules[].validate.deny.conditions',
]);

/** Declared but deprecated since Kyverno 1.13 in favour of webhookConfiguration / failureAction. */
export const CLUSTER_POLICY_DEPRECATED_PATHS: ReadonlySet<string> = new Set([
  'spec.failurePolicy',
  'spec.validationFailureAction',
  'spec.validationFailureActionOverrides',
  'spec.webhookTimeoutSeconds',
  'spec.schemaValidation',
]);

/** Enumerations the schema declares on the paths Signet sets. */
export const CLUSTER_POLICY_ENUMS: Readonly<Record<string, readonly string[]>> = {
  'spec.webhookConfiguration.failurePolicy': ['Ignore', 'Fail'],
  'spec.rules[].validate.failureAction': ['Audit', 'Enforce'],
  'spec.rules[].context[].apiCall.method': ['GET', 'POST'],
  'spec.rules[].match.any[].resources.operations[]': ['CREATE', 'CONNECT', 'UPDATE', 'DELETE'],
};

/** A leaf or branch of a generated object, with its schema path. */
export interface SchemaPathEntry {
  readonly path: string;
  readonly value: unknown;
}

/**
 * Every key of `value` as a schema path (`a.b[].c`), stopping below opaque paths. Arrays add
 * `[]` for their items.
 */
export function schemaPaths(value: unknown, opaque: ReadonlySet<string>, prefix = ''): SchemaPathEntry[] {
  const out: SchemaPathEntry[] = [];
  if (opaque.has(prefix)) return out;
  if (Array.isArray(value)) {
    const itemPath = `${prefix}[]`;
    for (const item of value) {
      out.push({ path: itemPath, value: item });
      out.push(...schemaPaths(item, opaque, itemPath));
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.push({ path, value: child });
      out.push(...schemaPaths(child, opaque, path));
    }
  }
  return out;
}

/** Keys of a generated ClusterPolicy that the CRD does not declare (the API server would prune them). */
export function undeclaredClusterPolicyPaths(policy: unknown): string[] {
  return schemaPaths(policy, CLUSTER_POLICY_OPAQUE_PATHS)
    .map((entry) => entry.path)
    .filter((path) => !CLUSTER_POLICY_DECLARED_PATHS.has(path) && !CLUSTER_POLICY_OPAQUE_PATHS.has(path));
}
