// The admission objects of a planned eks stack, as the Kyverno engine tests feed them to
// `kyverno test`: the ClusterPolicy, the TLS secret the RBAC lets Kyverno read, the verifier's URL
// and the TrustPolicies; and the mocked answers of the policy's two API calls. Test support only.
import type { PlannedResource } from '@signet/platform/testing';
import type { ApiCallMock } from './kyverno-cli.js';

export interface Plan {
  readonly clusterPolicy: { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
  /** GET path of the TLS secret the RBAC lets Kyverno read (the Role's only resourceName). */
  readonly tlsSecretPath: string;
  readonly tlsSecretName: string;
  readonly verifierNamespace: string;
  /** Where the verifier's Service listens: `<service>.<namespace>.svc:<port>/checkimages`. */
  readonly verifierUrl: string;
  /** The planned TrustPolicy resources: name, scopes and identities of their one statement. */
  readonly trustPolicies: readonly { name: string; registryScopes: string[]; trustedIdentities: string[] }[];
}

export function parsed<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function planned(resources: readonly PlannedResource[], type: string, name: string): PlannedResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`the plan has no ${type} named ${name}`);
  return found;
}

/** Reads the admission objects from the planned resources of the eks stack. */
export function readAdmissionPlan(resources: readonly PlannedResource[]): Plan {
  const policy = planned(resources, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy');
  const role = planned(
    resources,
    'kubernetes:rbac.authorization.k8s.io/v1:Role',
    'admission-read-verifier-tls',
  );
  // The verifier's Service as the stack renders it (the upstream backend has no chart).
  const service = planned(resources, 'kubernetes:core/v1:Service', 'verifier-service');
  const roleMetadata = parsed<{ namespace: string }>(role.inputs['metadata']);
  const [rule] = parsed<{ resourceNames: string[] }[]>(role.inputs['rules']);
  const tlsSecretName = rule?.resourceNames[0];
  if (tlsSecretName === undefined) throw new Error('the verifier TLS Role names no secret');
  const serviceMetadata = parsed<{ name: string; namespace: string }>(service.inputs['metadata']);
  const servicePort = parsed<{ ports: { port: number }[] }>(service.inputs['spec']).ports[0]?.port;
  return {
    clusterPolicy: {
      apiVersion: String(policy.inputs['apiVersion']),
      kind: String(policy.inputs['kind']),
      metadata: parsed(policy.inputs['metadata']),
      spec: parsed(policy.inputs['spec']),
    },
    tlsSecretPath: `/api/v1/namespaces/${roleMetadata.namespace}/secrets/${tlsSecretName}`,
    tlsSecretName,
    verifierNamespace: roleMetadata.namespace,
    verifierUrl: `https://${serviceMetadata.name}.${serviceMetadata.namespace}.svc:${servicePort}/checkimages`,
    trustPolicies: resources
      .filter((r) => r.type === 'kubernetes:notation.nirmata.io/v1alpha1:TrustPolicy')
      .map((r) => {
        const spec = parsed<{ trustPolicies: { registryScopes: string[]; trustedIdentities: string[] }[] }>(
          r.inputs['spec'],
        );
        return {
          name: parsed<{ name: string }>(r.inputs['metadata']).name,
          registryScopes: spec.trustPolicies.flatMap((t) => t.registryScopes),
          trustedIdentities: spec.trustPolicies.flatMap((t) => t.trustedIdentities),
        };
      }),
  };
}

/** What the verifier, and the API server for its TLS secret, answer the policy's two calls. */
export interface VerifierAnswer {
  /** Status of the GET of the verifier's TLS secret (200 when absent). */
  readonly secretStatus?: number;
  readonly verifier: { readonly statusCode?: number; readonly body: Record<string, unknown> };
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

export function admissionMocks(p: Plan, answer: VerifierAnswer): ApiCallMock[] {
  const secret: ApiCallMock =
    answer.secretStatus === undefined
      ? {
          urlPath: p.tlsSecretPath,
          method: 'GET',
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'kubernetes.io/tls',
            metadata: { name: p.tlsSecretName, namespace: p.verifierNamespace },
            data: {
              'tls.crt': base64('-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n'),
              'tls.key': base64('stand-in'),
            },
          },
        }
      : {
          urlPath: p.tlsSecretPath,
          method: 'GET',
          statusCode: answer.secretStatus,
          body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 },
        };
  // Every call names its trust policy in the URL; each gets the same answer here (the release
  // signature's own answers are release-admission.engine.test.ts's).
  return [
    secret,
    ...p.trustPolicies.map((t): ApiCallMock => ({
      url: `${p.verifierUrl}?trustPolicy=${t.name}`,
      method: 'POST',
      ...answer.verifier,
    })),
  ];
}
