import { describe, expect, it } from 'vitest';
import { admissionInput } from '../test/fixtures.js';
import { buildImageVerificationClusterPolicy } from './cluster-policy.js';
import { defaultVerifierTlsSecretName } from './verifier-call.js';
import { buildVerifierTlsSecretReaderRbac } from './rbac.js';

const input = {
  verifierNamespace: 'kyverno-notation-aws',
  tlsSecretName: defaultVerifierTlsSecretName('svc', 'kyverno-notation-aws'),
  kyvernoNamespace: 'kyverno',
};

describe('buildVerifierTlsSecretReaderRbac', () => {
  it('grants get on the one TLS secret, in the verifier namespace only', () => {
    const { role } = buildVerifierTlsSecretReaderRbac(input);
    expect(role.metadata.namespace).toBe('kyverno-notation-aws');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['svc.kyverno-notation-aws.svc.tls-pair'],
        verbs: ['get'],
      },
    ]);
  });

  it("binds it to Kyverno's admission controller service account", () => {
    const { role, roleBinding } = buildVerifierTlsSecretReaderRbac(input);
    expect(roleBinding.metadata.namespace).toBe(role.metadata.namespace);
    expect(roleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    expect(roleBinding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'kyverno-admission-controller', namespace: 'kyverno' },
    ]);
  });

  it('covers exactly the secret the ClusterPolicy reads', () => {
    const policy = buildImageVerificationClusterPolicy(admissionInput());
    const urlPaths = policy.spec.rules.flatMap((r) =>
      (r.context ?? []).flatMap((c) => c.apiCall.urlPath ?? []),
    );
    const { role } = buildVerifierTlsSecretReaderRbac(input);
    const granted = role.rules.flatMap((r) =>
      r.resourceNames.map((name) => `/api/v1/namespaces/${role.metadata.namespace}/secrets/${name}`),
    );
    expect([...new Set(urlPaths)]).toEqual(granted);
    expect(urlPaths.length).toBeGreaterThan(0);
  });

  it('takes a custom service account and name', () => {
    const { roleBinding } = buildVerifierTlsSecretReaderRbac({
      ...input,
      kyvernoServiceAccount: 'kyverno',
      name: 'read-tls',
    });
    expect(roleBinding.metadata.name).toBe('read-tls');
    expect(roleBinding.subjects[0]?.name).toBe('kyverno');
  });

  it.each([
    [{ verifierNamespace: 'Notation' }, 'verifierNamespace: "Notation" is not a valid name'],
    [{ tlsSecretName: 'tls pair' }, 'tlsSecretName: "tls pair" is not a valid name'],
    [{ kyvernoNamespace: 'kyverno_ns' }, 'kyvernoNamespace: "kyverno_ns" is not a valid name'],
    [{ kyvernoServiceAccount: '' }, 'kyvernoServiceAccount: "" is not a valid name'],
  ])('rejects %j', (overrides, message) => {
    expect(() => buildVerifierTlsSecretReaderRbac({ ...input, ...overrides })).toThrow(message);
  });
});
