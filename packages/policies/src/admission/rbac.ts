import { assertDnsLabel, assertDnsSubdomain } from '../kubernetes.js';

/** Input of {@link buildVerifierTlsSecretReaderRbac}. */
export interface VerifierTlsSecretReaderInput {
  /** Namespace of the verifier (where its TLS secret lives). */
  readonly verifierNamespace: string;
  /** The verifier's TLS secret, as the ClusterPolicy reads it. */
  readonly tlsSecretName: string;
  /** Namespace Kyverno runs in. */
  readonly kyvernoNamespace: string;
  /** Kyverno's admission controller service account. Default `kyverno-admission-controller` (chart 3.x). */
  readonly kyvernoServiceAccount?: string;
  /** Name of the Role and RoleBinding. Default `kyverno-read-verifier-tls`. */
  readonly name?: string;
}

// Arrays are mutable so the objects can be passed straight to typed Kubernetes SDK arguments.

/** A namespaced RBAC Role. */
export interface Role {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'Role';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly rules: {
    readonly apiGroups: string[];
    readonly resources: string[];
    readonly resourceNames: string[];
    readonly verbs: string[];
  }[];
}

/** A RoleBinding of a Role to service accounts. */
export interface RoleBinding {
  readonly apiVersion: 'rbac.authorization.k8s.io/v1';
  readonly kind: 'RoleBinding';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly roleRef: {
    readonly apiGroup: 'rbac.authorization.k8s.io';
    readonly kind: 'Role';
    readonly name: string;
  };
  readonly subjects: { readonly kind: 'ServiceAccount'; readonly name: string; readonly namespace: string }[];
}

/**
 * The Role and RoleBinding, in the verifier's namespace, that let Kyverno's admission controller
 * read the verifier's TLS secret (the ClusterPolicy's `urlPath` call) and nothing else.
 */
export function buildVerifierTlsSecretReaderRbac(input: VerifierTlsSecretReaderInput): {
  readonly role: Role;
  readonly roleBinding: RoleBinding;
} {
  const namespace = assertDnsLabel(input.verifierNamespace, 'verifierNamespace');
  const secret = assertDnsSubdomain(input.tlsSecretName, 'tlsSecretName');
  const kyvernoNamespace = assertDnsLabel(input.kyvernoNamespace, 'kyvernoNamespace');
  const serviceAccount = assertDnsSubdomain(
    input.kyvernoServiceAccount ?? 'kyverno-admission-controller',
    'kyvernoServiceAccount',
  );
  const name = assertDnsSubdomain(input.name ?? 'kyverno-read-verifier-tls', 'name');
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [secret],
          // Only `get`: resourceNames cannot restrict `list` or `watch` (nor `create`), so
          // granting those would expose every secret in the namespace.
          // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
          verbs: ['get'],
        },
      ],
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: kyvernoNamespace }],
    },
  };
}
