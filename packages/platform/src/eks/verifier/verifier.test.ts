import { SignetInputError } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { helmChartSource, kyvernoChart } from '../charts.js';
import { chartTagForPin, parseImagePin, pinnedReference, requireImagePin } from '../images.js';
import { KYVERNO_IMAGE_SLOTS, kyvernoImageValues } from '../kyverno-values.js';
import { selectVerifierBackend, type VerifierSettings } from './backend.js';
import {
  buildVerifierIngressPolicy,
  KUBERNETES_API_AUDIENCE,
  KYVERNO_API_CALL_AUDIENCE,
} from './caller-access.js';
import { buildNotationAwsManifests } from './notation-aws-manifests.js';
import { KYVERNO_TEST_IMAGES, testPin } from './test-images.js';

const image = testPin('nirmata/kyverno-notation-aws', 9, 'ghcr.io');
const upstream: VerifierSettings = {
  implementation: 'upstream',
  image,
  cacheTtlSeconds: 300,
  replicas: 3,
  memoryMiB: 1024,
};
const fork: VerifierSettings = {
  implementation: 'fork',
  chart: {
    repository: 'https://charts.example.org/verifier',
    name: 'notation-aws-verifier',
    version: '1.2.0',
  },
  image,
  cacheTtlSeconds: 600,
  replicas: 2,
};
const roleArn = 'arn:aws:iam::123456789012:role/signet-prod-image-verifier';
const deploy = {
  region: 'eu-central-1',
  roleArn,
  defaultTrustPolicy: 'signet-apps',
  spreadAcrossZones: true,
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered Kubernetes objects
function objects(settings: VerifierSettings, input = deploy): Obj[] {
  const workload = selectVerifierBackend(settings).workload(input);
  if (workload.kind !== 'manifests') throw new Error('expected manifests');
  return workload.manifests as Obj[];
}
const ofKind = (list: Obj[], kind: string) => list.filter((o) => o['kind'] === kind);

describe('image pins', () => {
  it('accept a reference by digest, with or without a tag, and refuse tags, short digests and bare names', () => {
    expect(parseImagePin(`reg.kyverno.io/kyverno/kyverno:v1.19.0@sha256:${'a'.repeat(64)}`)).toEqual({
      registry: 'reg.kyverno.io',
      repository: 'kyverno/kyverno',
      tag: 'v1.19.0',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(parseImagePin(`ghcr.io/x/y@sha256:${'b'.repeat(64)}`)?.tag).toBeUndefined();
    for (const bad of [
      'reg.kyverno.io/kyverno/kyverno:v1.19.0',
      'reg.kyverno.io/kyverno/kyverno:latest',
      `kyverno/kyverno@sha256:${'a'.repeat(64)}`,
      `reg.kyverno.io/kyverno/kyverno@sha256:${'a'.repeat(63)}`,
      `reg.kyverno.io/kyverno/kyverno@sha256:${'A'.repeat(64)}`,
    ]) {
      expect(parseImagePin(bad)).toBeUndefined();
    }
    expect(() => requireImagePin('ghcr.io/x/y:1', 'signet-eks:verifier.image')).toThrow(SignetInputError);
    expect(() => requireImagePin('ghcr.io/x/y:1', 'signet-eks:verifier.image')).toThrow(
      'key "signet-eks:verifier.image" has value "ghcr.io/x/y:1"; allowed: an image reference pinned by digest',
    );
  });

  it('render for a Pod without the tag and for a chart as tag@digest', () => {
    expect(pinnedReference(image)).toBe(`ghcr.io/nirmata/kyverno-notation-aws@${image.digest}`);
    expect(chartTagForPin(image)).toBe(`v1.0.0@${image.digest}`);
  });

  it('give every image slot of the Kyverno chart its digest', () => {
    const values = kyvernoImageValues(KYVERNO_TEST_IMAGES) as Obj;
    for (const path of Object.values(KYVERNO_IMAGE_SLOTS)) {
      const slot = path.reduce((node: Obj, key) => node[key], values);
      expect(slot['tag']).toMatch(/^v1\.0\.0@sha256:[0-9a-f]{64}$/);
      expect(slot['registry']).toBe('reg.example.org');
    }
    expect(values['webhooksCleanup']['image']['repository']).toBe('kyverno/readiness-checker');
    expect(values['admissionController']['initContainer']['image']['repository']).toBe('kyverno/kyvernopre');
  });
});

describe('verifier backends', () => {
  it('never hand Kyverno a token for the API server audience', () => {
    for (const settings of [upstream, fork]) {
      const access = selectVerifierBackend(settings).callerAccess;
      expect(access.kyvernoTokenAudience).toBe(KYVERNO_API_CALL_AUDIENCE);
      expect(access.kyvernoTokenAudience).not.toBe(KUBERNETES_API_AUDIENCE);
      expect(access.kyvernoTokenExpirationSeconds).toBe(600);
    }
    // The upstream verifier cannot review a scoped token: its review is off, the network decides.
    expect(selectVerifierBackend(upstream).callerAccess.tokenReview).toEqual({ enabled: false });
    expect(selectVerifierBackend(fork).callerAccess.tokenReview).toEqual({
      enabled: true,
      audiences: [KYVERNO_API_CALL_AUDIENCE],
    });
  });

  it('name the service after the verifier and call it at /checkimages with its pinned certificate', () => {
    const backend = selectVerifierBackend(upstream);
    expect(backend.layout).toEqual({
      namespace: 'kyverno-notation-aws',
      name: 'kyverno-notation-aws',
      serviceName: 'kyverno-notation-aws-svc',
      serviceAccountName: 'kyverno-notation-aws',
      tlsSecretName: 'kyverno-notation-aws-svc.kyverno-notation-aws.svc.tls-pair',
    });
    expect(JSON.stringify(backend.call.context('p'))).toContain(
      'https://kyverno-notation-aws-svc.kyverno-notation-aws.svc:443/checkimages',
    );
    expect(selectVerifierBackend(fork).layout.serviceName).toBe('notation-aws-verifier-svc');
  });

  it('render the upstream verifier in the stack region, without --debug, with the configured cache TTL', () => {
    const [deployment] = ofKind(objects(upstream), 'Deployment');
    const container = deployment?.['spec']['template']['spec']['containers'][0];
    expect(container['env']).toContainEqual({ name: 'AWS_REGION', value: 'eu-central-1' });
    expect(container['args']).not.toContain('--debug');
    expect(container['args']).toContain('--cacheTTLDurationSeconds=300');
    expect(container['args']).toContain('--reviewKyvernoToken=false');
    expect(container['image']).toBe(`ghcr.io/nirmata/kyverno-notation-aws@${image.digest}`);
    expect(container['resources']).toEqual({
      requests: { cpu: '100m', memory: '1024Mi' },
      limits: { memory: '1024Mi' },
    });
    expect(deployment?.['spec']['replicas']).toBe(3);
  });

  it('keep several replicas available and spread over zones, one replica without a PodDisruptionBudget', () => {
    const ha = objects(upstream);
    expect(ofKind(ha, 'PodDisruptionBudget')[0]?.['spec']['maxUnavailable']).toBe(1);
    const spread = ofKind(ha, 'Deployment')[0]?.['spec']['template']['spec']['topologySpreadConstraints'];
    expect(spread.map((c: Obj) => c['topologyKey'])).toContain('topology.kubernetes.io/zone');
    const single = objects({ ...upstream, replicas: 1 }, { ...deploy, spreadAcrossZones: false });
    expect(ofKind(single, 'PodDisruptionBudget')).toEqual([]);
    expect(
      ofKind(single, 'Deployment')[0]?.['spec']['template']['spec']['topologySpreadConstraints'],
    ).toBeUndefined();
  });

  it('admit connections only from Kyverno admission controller Pods', () => {
    const policy = buildVerifierIngressPolicy(
      'kyverno-notation-aws',
      selectVerifierBackend(upstream).callerAccess,
      {},
    );
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyverno' } },
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/component': 'admission-controller',
                  'app.kubernetes.io/instance': 'kyverno',
                },
              },
            },
          ],
        },
      ],
    });
  });

  it('grant the verifier only what its source calls, and no token review delegation', () => {
    const list = objects(upstream);
    const clusterRules = ofKind(list, 'ClusterRole')[0]?.['rules'] as Obj[];
    expect(clusterRules.flatMap((r) => r['verbs'])).not.toContain('create');
    expect(clusterRules.flatMap((r) => r['verbs'])).not.toContain('delete');
    const role = ofKind(list, 'Role')[0]?.['rules'] as Obj[];
    const secretReads = role.find((r) => r['resources'].includes('secrets') && r['verbs'].includes('list'));
    expect(secretReads?.['resourceNames']).toEqual([
      'kyverno-notation-aws-svc.kyverno-notation-aws.svc.tls-ca',
      'kyverno-notation-aws-svc.kyverno-notation-aws.svc.tls-pair',
    ]);
    expect(JSON.stringify(ofKind(list, 'ClusterRoleBinding'))).not.toContain('system:auth-delegator');
    expect(ofKind(list, 'ServiceAccount')[0]?.['metadata']['annotations']).toEqual({
      'eks.amazonaws.com/role-arn': roleArn,
    });
  });

  it('install the TrustPolicy and TrustStore CRDs itself, cluster-scoped; a fork chart installs its own', () => {
    const crds = selectVerifierBackend(upstream).trustResourceCrds({});
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'trustpolicies.notation.nirmata.io',
      'truststores.notation.nirmata.io',
    ]);
    expect(crds.every((c) => c.spec['scope'] === 'Cluster')).toBe(true);
    expect(selectVerifierBackend(fork).trustResourceCrds({})).toEqual([]);
  });

  it('refuse a cache TTL, replica count or memory out of range', () => {
    const base = {
      namespace: 'n',
      name: 'v',
      serviceName: 'v-svc',
      image,
      region: 'eu-west-1',
      roleArn,
      defaultTrustPolicy: 'p',
      cacheTtlSeconds: 300,
      replicas: 1,
      memoryMiB: 1024,
      spreadAcrossZones: false,
      callerAccess: selectVerifierBackend(upstream).callerAccess,
    };
    expect(() => buildNotationAwsManifests({ ...base, cacheTtlSeconds: 7200 })).toThrow(
      'key "verifier.cacheTtlSeconds" has value 7200; allowed: an integer from 30 to 3600',
    );
    expect(() => buildNotationAwsManifests({ ...base, replicas: 0 })).toThrow(
      'key "verifier.replicas" has value 0',
    );
    expect(() => buildNotationAwsManifests({ ...base, memoryMiB: 64 })).toThrow(
      'key "verifier.memoryMiB" has value 64',
    );
  });

  it('give a fork its replicas, PDB, cache TTL, image by digest and scoped token review', () => {
    const workload = selectVerifierBackend(fork).workload(deploy);
    if (workload.kind !== 'chart') throw new Error('expected a chart');
    expect(helmChartSource(workload.chart)).toEqual({
      chart: 'notation-aws-verifier',
      version: '1.2.0',
      repositoryOpts: { repo: 'https://charts.example.org/verifier' },
    });
    expect(workload.values).toMatchObject({
      region: 'eu-central-1',
      image: { repository: 'ghcr.io/nirmata/kyverno-notation-aws', tag: `v1.0.0@${image.digest}` },
      replicaCount: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      cache: { enabled: true, ttlSeconds: 600 },
      tokenReview: { enabled: true, audiences: [KYVERNO_API_CALL_AUDIENCE] },
      defaultTrustPolicy: 'signet-apps',
    });
  });

  it('address OCI charts by URL and index repositories through repositoryOpts', () => {
    expect(
      helmChartSource({ repository: 'oci://ghcr.io/acme/charts/', name: 'v', version: '1.0.0' }),
    ).toEqual({
      chart: 'oci://ghcr.io/acme/charts/v',
      version: '1.0.0',
    });
  });

  it('pull a chart pinned by digest from its OCI registry by that digest, and refuse a digest an index cannot honour', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(helmChartSource(kyvernoChart(digest))).toEqual({
      chart: `oci://ghcr.io/kyverno/charts/kyverno@${digest}`,
      version: '3.9.0',
    });
    expect(() => kyvernoChart('3.9.0')).toThrow('Kyverno chart digest has value "3.9.0"; allowed: sha256:');
    expect(() =>
      helmChartSource({ repository: 'https://charts.example.org/', name: 'v', version: '1.0.0', digest }),
    ).toThrow('allowed: a digest with an oci:// repository only');
  });
});
