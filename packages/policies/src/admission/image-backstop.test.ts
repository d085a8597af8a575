import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { AGENT_IMAGE, BILLING_REPO, HELLO_REPO, REGISTRY } from '../test/fixtures.js';
import { EKS_ADDON_REGISTRIES, eksAddonRegistry } from './eks-addon-registries.js';
import {
  buildImageBackstop,
  DEFAULT_IMAGE_BACKSTOP_NAME,
  type ImageBackstopInput,
} from './image-backstop.js';

const KYVERNO_IMAGE = `reg.kyverno.io/kyverno/kyverno:v1.19.0@sha256:${'12'.repeat(32)}`;
const input = (overrides: Partial<ImageBackstopInput> = {}): ImageBackstopInput => ({
  systemNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'kyverno', 'kyverno-notation-aws'],
  systemImages: [KYVERNO_IMAGE],
  addonRegistries: [eksAddonRegistry('eu-west-1')],
  repositories: [HELLO_REPO, BILLING_REPO],
  platformImages: { monitoring: [AGENT_IMAGE] },
  failureAction: 'Enforce',
  ...overrides,
});

describe('eksAddonRegistry', () => {
  it("gives AWS's add-on registry of the Region, from the one table", () => {
    expect(eksAddonRegistry('eu-west-1')).toBe('602401143452.dkr.ecr.eu-west-1.amazonaws.com');
    expect(eksAddonRegistry('us-gov-west-1')).toBe('013241004608.dkr.ecr.us-gov-west-1.amazonaws.com');
    expect(eksAddonRegistry('cn-north-1')).toBe('918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn');
    for (const [region, host] of Object.entries(EKS_ADDON_REGISTRIES)) {
      expect(host, region).toMatch(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.(com|com\.cn|eu)$/);
    }
  });

  it('refuses a Region the table does not list, naming the source to add it from', () => {
    expect(() => eksAddonRegistry('xx-east-9')).toThrow(PolicyInputError);
    expect(() => eksAddonRegistry('xx-east-9')).toThrow(
      'region: "xx-east-9" has no EKS add-on registry in the table; allowed: one of af-south-1,',
    );
  });
});

describe('buildImageBackstop', () => {
  const { policy, binding } = buildImageBackstop(input());

  it('checks every Pod and ephemeral-container update in the API server, failing closed, bound everywhere', () => {
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.metadata.name).toBe(DEFAULT_IMAGE_BACKSTOP_NAME);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers'],
      },
    ]);
    expect(binding).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'signet-image-backstop' },
      spec: { policyName: 'signet-image-backstop', validationActions: ['Deny'] },
    });
  });

  it('reads every container kind and carries the lists it allows', () => {
    const variables = Object.fromEntries(policy.spec.variables.map((v) => [v.name, v.expression]));
    for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
      expect(variables['images']).toContain(`object.spec.${field}.map(c, c.image)`);
    }
    expect(variables['systemImages']).toBe(`['${KYVERNO_IMAGE}']`);
    expect(variables['addonRegistries']).toBe("['602401143452.dkr.ecr.eu-west-1.amazonaws.com/']");
    expect(variables['repositories']).toBe(`['${HELLO_REPO}@sha256:', '${BILLING_REPO}@sha256:']`);
    expect(variables['platformImages']).toBe(`['${AGENT_IMAGE}']`);
  });

  it('only warns and audits where Kyverno audits', () => {
    expect(buildImageBackstop(input({ failureAction: 'Audit' })).binding.spec.validationActions).toEqual([
      'Warn',
      'Audit',
    ]);
  });

  it.each([
    ['no system namespace', { systemNamespaces: [] }, 'systemNamespaces: is empty'],
    [
      'a system image by tag only',
      { systemImages: ['reg.kyverno.io/kyverno/kyverno:v1.19.0'] },
      'systemImages[0]: "reg.kyverno.io/kyverno/kyverno:v1.19.0" is not an image by digest',
    ],
    [
      'an add-on registry with a path',
      { addonRegistries: ['602401143452.dkr.ecr.eu-west-1.amazonaws.com/x'] },
      'addonRegistries[0]:',
    ],
    ['no repository', { repositories: [] }, 'repositories: is empty'],
    ['a repository with a digest', { repositories: [AGENT_IMAGE] }, 'repositories[0]:'],
    [
      'a platform image by tag',
      { platformImages: { monitoring: [`${REGISTRY}/agent:1`] } },
      'platformImages.monitoring[0]:',
    ],
    ['a CEL injection in a name', { systemNamespaces: ["a' || true || '"] }, 'systemNamespaces[0]:'],
  ] as const)('refuses %s', (_case, overrides, message) => {
    expect(() => buildImageBackstop(input(overrides))).toThrow(PolicyInputError);
    expect(() => buildImageBackstop(input(overrides))).toThrow(message);
  });
});
