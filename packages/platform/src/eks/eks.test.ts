import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runStackProgram } from '../testing/index.js';
import { EKS_OUTPUT_KEYS, eksStackReferenceName } from './contract.js';
import { buildEndpointAccess, publicAccessCidrProblem } from './endpoint.js';
import { buildKyvernoValues } from './kyverno-values.js';
import { appNamespaceLabels } from './namespaces.js';
import { KYVERNO_TEST_IMAGES } from './verifier/test-images.js';

const apiCallToken = { audience: 'kyverno-svc.kyverno.io', expirationSeconds: 600 };

beforeEach(() => {
  vi.resetModules();
});

describe('public endpoint access', () => {
  it('keeps the public endpoint off without CIDRs', () => {
    expect(buildEndpointAccess([])).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: false });
  });

  it('refuses the internet, broad networks, malformed blocks and host bits', () => {
    expect(publicAccessCidrProblem('0.0.0.0/0')).toBe(
      '"0.0.0.0/0" opens the API endpoint to the whole internet',
    );
    expect(publicAccessCidrProblem('10.0.0.0/8')).toBe('"10.0.0.0/8" opens the API endpoint to a /8 network');
    expect(publicAccessCidrProblem('300.1.1.1/32')).toBe('"300.1.1.1/32" is not an IPv4 CIDR block');
    expect(publicAccessCidrProblem('::/0')).toBe('"::/0" is not an IPv4 CIDR block');
    expect(publicAccessCidrProblem('198.51.100.7/24')).toBe('"198.51.100.7/24" has host bits set');
    expect(publicAccessCidrProblem('198.51.100.7/32')).toBeUndefined();
    expect(() => buildEndpointAccess(['0.0.0.0/0'])).toThrow(
      'publicAccessCidrs: "0.0.0.0/0" opens the API endpoint to the whole internet; allowed: IPv4 CIDR blocks',
    );
  });
});

describe('Kyverno values', () => {
  it('adds a PodDisruptionBudget and zone spread only with several replicas', () => {
    const ha = buildKyvernoValues({
      admissionReplicas: 3,
      spreadAcrossZones: true,
      apiCallToken,
      images: KYVERNO_TEST_IMAGES,
      verifierNamespace: 'verifier',
    }) as { admissionController: Record<string, unknown> };
    expect(ha.admissionController['podDisruptionBudget']).toEqual({ enabled: true, minAvailable: 2 });
    expect(ha.admissionController['topologySpreadConstraints']).toHaveLength(1);
    const single = buildKyvernoValues({
      admissionReplicas: 1,
      spreadAcrossZones: false,
      apiCallToken,
      images: KYVERNO_TEST_IMAGES,
      verifierNamespace: 'verifier',
    }) as { admissionController: Record<string, unknown> };
    expect(single.admissionController['podDisruptionBudget']).toEqual({ enabled: false });
    expect(single.admissionController['topologySpreadConstraints']).toEqual([]);
  });

  it('refuses zero replicas', () => {
    expect(() =>
      buildKyvernoValues({
        admissionReplicas: 0,
        spreadAcrossZones: false,
        apiCallToken,
        images: KYVERNO_TEST_IMAGES,
        verifierNamespace: 'v',
      }),
    ).toThrow('Kyverno admissionReplicas has value 0; allowed: a positive integer');
  });
});

describe('app namespace labels', () => {
  it('enforce Pod Security restricted at the cluster version and record the verification mode', () => {
    expect(appNamespaceLabels('shop', 'Enforce', '1.33')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'signet.dev/app': 'shop',
      'signet.dev/image-verification': 'enforce',
    });
  });
});

describe('eks output contract', () => {
  it('names the stack <org>/signet-eks/<env> and lists each key once', () => {
    expect(eksStackReferenceName('acme', 'prod')).toBe('acme/signet-eks/prod');
    expect(new Set(EKS_OUTPUT_KEYS).size).toBe(EKS_OUTPUT_KEYS.length);
    expect(EKS_OUTPUT_KEYS).toContain('clusterArn');
  });

  const stackDir = join(import.meta.dirname, 'test', 'consumer');
  const eks = {
    clusterName: 'signet-staging-cluster',
    clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/signet-staging-cluster',
    clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    clusterSecurityGroupId: 'sg-1',
    oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    oidcProviderUrl: 'oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    kubeconfig: '{}',
    appNamespaces: { shop: 'shop' },
    admissionPolicyName: 'signet-verify-images',
  };

  it('lets a consumer read the eks outputs', async () => {
    const result = await runStackProgram({
      stackDir,
      env: 'staging',
      stackReferences: { 'acme/signet-eks/staging': eks },
    });
    expect(result.outputs).toEqual({ clusterArn: eks.clusterArn, appNamespaces: { shop: 'shop' } });
  });

  it('fails the consumer, naming the key, when the eks stack does not export it', async () => {
    const { clusterArn: _omitted, ...withoutArn } = eks;
    await expect(
      runStackProgram({
        stackDir,
        env: 'staging',
        stackReferences: { 'acme/signet-eks/staging': withoutArn },
      }),
    ).rejects.toThrow(
      'signet-eks-consumer requires output "clusterArn" of stack acme/signet-eks/staging, which does not export it',
    );
  });
});
