import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain } from '../kubernetes.js';

/** A Kubernetes API verb a pipeline stage may be granted. */
export type KubernetesVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/**
 * One thing a stage does with the Kubernetes API in the app's namespace, as data: the stage
 * catalog lists these next to the kubectl calls of the stage's buildspec.
 */
export interface StageKubernetesRule {
  /** API group: `''` for the core group (pods), `apps` for Deployments and ReplicaSets. */
  readonly apiGroup: string;
  /** Resource (plural, lower case), e.g. `pods`. */
  readonly resource: string;
  readonly verbs: readonly KubernetesVerb[];
  /**
   * Only the app's own object (named as the app), through the Role's `resourceNames`. RBAC cannot
   * restrict `list`, `watch` or `create` by name, so those verbs are refused here.
   * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
   */
  readonly appObjectOnly?: boolean;
}

/** Input of {@link buildStageNamespaceRbac}. */
export interface StageNamespaceRbacInput {
  /** Name of the Role and of its RoleBinding. */
  readonly name: string;
  /** The app's namespace: the only one the Role grants anything in. */
  readonly namespace: string;
  /** The app: the object name that {@link StageKubernetesRule.appObjectOnly} rules are limited to. */
  readonly app: string;
  /** Kubernetes group of the stage's EKS access entry (the RoleBinding's only subject). */
  readonly group: string;
  /** Field path of `rules` in the caller's data, for error messages. Default `rules`. */
  readonly rulesField?: string;
  readonly rules: readonly StageKubernetesRule[];
}

/** A namespaced Role with rules that may or may not name their objects. */
export interface StageRole {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'Role';
  readonly metadata: { readonly name: string; readonly namespace: string };
  // Mutable arrays, so the rules pass straight to typed Kubernetes SDK arguments.
  readonly rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
}

/** A RoleBinding of a Role to one Kubernetes group. */
export interface StageRoleBinding {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'RoleBinding';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly roleRef: {
    readonly apiGroup: 'rbac.authorization.k8s.io';
    readonly kind: 'Role';
    readonly name: string;
  };
  readonly subjects: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Group'; name: string }[];
}

/** Verbs RBAC does not restrict by `resourceNames`. */
const UNNAMED_VERBS: readonly KubernetesVerb[] = ['list', 'watch', 'create'];
// A resource, or a resource and its subresource (`pods/ephemeralcontainers`), as RBAC names them.
const RESOURCE = /^[a-z][a-z0-9]*(\/[a-z][a-z0-9]*)?$/;
const API_GROUP = /^(?:|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const GROUP = /^[A-Za-z0-9][-A-Za-z0-9_.:@]*$/;
/** Prefixes Kubernetes and EKS reserve for their own groups. */
const RESERVED_GROUP_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'];

function assertGroup(group: string): string {
  if (group.length > 255 || !GROUP.test(group)) {
    throw new PolicyInputError(
      'group',
      `${quote(group)} is not a Kubernetes group name; expected up to 255 letters, digits or "-_.:@"`,
    );
  }
  const reserved = RESERVED_GROUP_PREFIXES.find((prefix) => group.startsWith(prefix));
  if (reserved !== undefined) {
    throw new PolicyInputError(
      'group',
      `${quote(group)} starts with the reserved prefix ${quote(reserved)}; expected a Signet group such as "signet:<app>:<stage>"`,
    );
  }
  return group;
}

/**
 * The Role and RoleBinding of a pipeline stage in the app's namespace: exactly the listed rules,
 * bound to the stage's Kubernetes group only. Nothing outside the namespace, and an object by name
 * wherever RBAC can name it.
 */
export function buildStageNamespaceRbac(input: StageNamespaceRbacInput): {
  readonly role: StageRole;
  readonly roleBinding: StageRoleBinding;
} {
  const name = assertDnsSubdomain(input.name, 'name');
  const namespace = assertDnsLabel(input.namespace, 'namespace');
  const app = assertDnsSubdomain(input.app, 'app');
  const group = assertGroup(input.group);
  const field = input.rulesField ?? 'rules';
  if (input.rules.length === 0) {
    throw new PolicyInputError(field, 'is empty; list what the stage does with the Kubernetes API');
  }
  const rules = input.rules.map((rule, i) => {
    if (!API_GROUP.test(rule.apiGroup)) {
      throw new PolicyInputError(
        `${field}[${i}].apiGroup`,
        `${quote(rule.apiGroup)} is not an API group; expected "" (core) or a DNS subdomain such as "apps"`,
      );
    }
    if (!RESOURCE.test(rule.resource)) {
      throw new PolicyInputError(
        `${field}[${i}].resource`,
        `${quote(rule.resource)} is not a resource; expected a lower-case plural such as "pods", optionally with a subresource such as "pods/ephemeralcontainers"`,
      );
    }
    if (rule.verbs.length === 0) {
      throw new PolicyInputError(`${field}[${i}].verbs`, 'is empty; list the verbs the stage uses');
    }
    const unnamed = rule.appObjectOnly ? rule.verbs.filter((verb) => UNNAMED_VERBS.includes(verb)) : [];
    if (unnamed.length > 0) {
      throw new PolicyInputError(
        `${field}[${i}].verbs`,
        `${quote(unnamed.join(','))} cannot be limited to the app's object (RBAC resourceNames do not restrict ${UNNAMED_VERBS.join(', ')}); expected get, update, patch or delete, or a rule without appObjectOnly`,
      );
    }
    return {
      apiGroups: [rule.apiGroup],
      resources: [rule.resource],
      verbs: [...new Set(rule.verbs)].sort(),
      ...(rule.appObjectOnly ? { resourceNames: [app] } : {}),
    };
  });
  return {
    role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
    },
  };
}

/** Kubernetes group of the stages that read the admission ClusterPolicy (VerifyContainerSign): nothing else. */
export const ADMISSION_POLICY_READERS_GROUP = 'signet:admission-policy-readers';

/** Name of the ClusterRole and ClusterRoleBinding of {@link buildAdmissionPolicyReaderRbac}. */
export const ADMISSION_POLICY_READER_NAME = 'signet-admission-policy-reader';

/** The ClusterRole of {@link buildAdmissionPolicyReaderRbac}. */
export interface AdmissionPolicyReaderRole {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'ClusterRole';
  readonly metadata: { readonly name: string };
  // Mutable arrays, so the rules pass straight to typed Kubernetes SDK arguments.
  readonly rules: { apiGroups: string[]; resources: string[]; resourceNames: string[]; verbs: string[] }[];
}

/** The ClusterRoleBinding of {@link buildAdmissionPolicyReaderRbac}. */
export interface AdmissionPolicyReaderBinding {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'ClusterRoleBinding';
  readonly metadata: { readonly name: string };
  readonly roleRef: {
    readonly apiGroup: 'rbac.authorization.k8s.io';
    readonly kind: 'ClusterRole';
    readonly name: string;
  };
  readonly subjects: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Group'; name: string }[];
}

/**
 * RBAC of {@link ADMISSION_POLICY_READERS_GROUP}: `get` on the one ClusterPolicy, by name. The
 * ClusterPolicy is cluster-scoped, so no namespace-scoped EKS access policy can grant it, and the
 * cluster-wide managed policies (AmazonEKSViewPolicy and up) grant far more than this check needs.
 */
export function buildAdmissionPolicyReaderRbac(policyName: string): {
  readonly clusterRole: AdmissionPolicyReaderRole;
  readonly clusterRoleBinding: AdmissionPolicyReaderBinding;
} {
  const name = ADMISSION_POLICY_READER_NAME;
  return {
    clusterRole: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        {
          apiGroups: ['kyverno.io'],
          resources: ['clusterpolicies'],
          resourceNames: [assertDnsSubdomain(policyName, 'policyName')],
          verbs: ['get'],
        },
      ],
    },
    clusterRoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ADMISSION_POLICY_READERS_GROUP },
      ],
    },
  };
}
