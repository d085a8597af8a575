import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runStackProgram } from '../testing/index.js';
import {
  helmChartSource,
  KUBERNETES_API_AUDIENCE,
  KYVERNO_API_CALL_AUDIENCE,
  kyvernoApiCallAudience,
  verifierLayout,
  type VerifierSettings,
} from './charts.js';
import { EKS_OUTPUT_KEYS, eksStackReferenceName } from './contract.js';
import { buildEndpointAccess, publicAccessCidrProblem } from './endpoint.js';
import { buildKyvernoValues } from './kyverno-values.js';
import { appNamespaceLabels } from './namespaces.js';
import { buildVerifierValues } from './verifier-values.js';

const upstream: VerifierSettings = { implementation: 'upstream', cacheTtlSeconds: 7200, replicas: 1 };
const fork: VerifierSettings = {
  implementation: 'fork',
  chart: {
    repository: 'https://charts.example.org/verifier',
    name: 'notation-aws-verifier',
    version: '1.2.0',
  },
  cacheTtlSeconds: 600,
  replicas: 2,
};
const roleArn = 'arn:aws:iam::123456789012:role/signet-prod-image-verifier';

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
      apiCallAudience: KYVERNO_API_CALL_AUDIENCE,
      verifierNamespace: 'verifier',
    }) as { admissionController: Record<string, unknown> };
    expect(ha.admissionController['podDisruptionBudget']).toEqual({ enabled: true, minAvailable: 2 });
    expect(ha.admissionController['topologySpreadConstraints']).toHaveLength(1);
    const single = buildKyvernoValues({
      admissionReplicas: 1,
      spreadAcrossZones: false,
      apiCallAudience: KUBERNETES_API_AUDIENCE,
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
        apiCallAudience: 'a',
        verifierNamespace: 'v',
      }),
    ).toThrow('Kyverno admissionReplicas has value 0; allowed: a positive integer');
  });
});

describe('verifier implementations', () => {
  it('match the token audience Kyverno sends to what each verifier reviews', () => {
    expect(kyvernoApiCallAudience('upstream')).toEqual({
      kyvernoSends: KUBERNETES_API_AUDIENCE,
      verifierReviews: undefined,
    });
    expect(kyvernoApiCallAudience('fork')).toEqual({
      kyvernoSends: KYVERNO_API_CALL_AUDIENCE,
      verifierReviews: KYVERNO_API_CALL_AUDIENCE,
    });
  });

  it('name the release, service and service account after the chart', () => {
    expect(verifierLayout(upstream)).toMatchObject({
      releaseName: 'kyverno-notation-aws',
      serviceName: 'kyverno-notation-aws-svc',
      serviceAccountName: 'kyverno-notation-aws',
      namespace: 'kyverno-notation-aws',
    });
    expect(verifierLayout(fork)).toMatchObject({
      serviceName: 'notation-aws-verifier-svc',
      namespace: 'kyverno-notation-aws',
    });
  });

  it('address OCI charts by URL and index repositories through repositoryOpts', () => {
    expect(
      helmChartSource({ repository: 'oci://ghcr.io/acme/charts/', name: 'v', version: '1.0.0' }),
    ).toEqual({
      chart: 'oci://ghcr.io/acme/charts/v',
      version: '1.0.0',
    });
    expect(
      helmChartSource({ repository: 'https://acme.example/charts', name: 'v', version: '1.0.0' }),
    ).toEqual({
      chart: 'v',
      version: '1.0.0',
      repositoryOpts: { repo: 'https://acme.example/charts' },
    });
  });

  it('set region and IRSA on the upstream chart and refuse what its chart hard-codes', () => {
    expect(
      buildVerifierValues({ settings: upstream, region: 'eu-central-1', roleArn, defaultTrustPolicy: 'p' }),
    ).toMatchObject({
      region: 'eu-central-1',
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
    });
    expect(() =>
      buildVerifierValues({
        settings: { ...upstream, replicas: 2 },
        region: 'eu-west-1',
        roleArn,
        defaultTrustPolicy: 'p',
      }),
    ).toThrow(
      'verifier replicas has value 2; allowed: 1 with the upstream chart, which hard-codes it (select a fork to run more)',
    );
    expect(() =>
      buildVerifierValues({
        settings: { ...upstream, cacheTtlSeconds: 60 },
        region: 'eu-west-1',
        roleArn,
        defaultTrustPolicy: 'p',
      }),
    ).toThrow('verifier cacheTtlSeconds has value 60; allowed: 7200 with the upstream chart');
  });

  it('give a fork its replicas, PDB, cache TTL and scoped token review', () => {
    const values = buildVerifierValues({
      settings: fork,
      region: 'eu-west-1',
      roleArn,
      defaultTrustPolicy: 'signet-apps',
    });
    expect(values).toMatchObject({
      replicaCount: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      cache: { enabled: true, ttlSeconds: 600 },
      tokenReview: { enabled: true, audiences: [KYVERNO_API_CALL_AUDIENCE] },
      defaultTrustPolicy: 'signet-apps',
    });
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
