// The ValidatingAdmissionPolicy backstop, run by the real Kyverno CLI (the release the stack deploys;
// `kyverno test` evaluates ValidatingAdmissionPolicies and their bindings with the Kubernetes CEL
// libraries). The planned policy of every environment runs on the cluster-wide matrix; the
// system-namespace half, which the stack renders once the admission images are pinned by digest, runs
// from the same builder with pinned references.
import {
  buildImageBackstop,
  eksAddonRegistry,
  excludedNamespaces,
  KYVERNO_NAMESPACE,
  KYVERNO_RELEASE,
  VERIFIER_NAMESPACE,
} from '@signet/platform';
import {
  runStackProgram,
  useAppWorkspace,
  type AppWorkspace,
  pluginMirrorOutputFixture,
} from '@signet/platform/testing';
import { requireEngine } from '@signet/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runKyvernoTest, type EngineReport, type KyvernoSuite } from './test/kyverno-cli.js';

const stackDir = join(import.meta.dirname, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const PLATFORM_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/platform/agent@${DIGEST}`;
const KYVERNO_PIN = `reg.kyverno.io/kyverno/kyverno:v1.19.0@sha256:${'12'.repeat(32)}`;
const VERIFIER_PIN = `ghcr.io/nirmata/kyverno-notation-aws@sha256:${'34'.repeat(32)}`;
const ADDONS = eksAddonRegistry(REGION);

const repositoryUrl = (env: string) =>
  `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${env}/hello-server`;

function upstream(env: Env | 'staging') {
  const profile = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/signet_${env}_hello_server`;
  return {
    [`organization/signet-networking/${env}`]: {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '10.30.0.0/16',
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb', 'subnet-0cccccccccccccccc'],
      publicSubnetIds: ['subnet-0dddddddddddddddd'],
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      endpointSecurityGroupId: 'sg-0123456789abcdef0',
      deployerSecurityGroupId: 'sg-0fedcba9876543210',
    },
    [`organization/signet-ecr/${env}`]: {
      repositories: {
        'hello-server': {
          name: `signet-${env}/hello-server`,
          arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/hello-server`,
          url: repositoryUrl(env),
        },
      },
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
    [`organization/signet-signer/${env}`]: {
      pluginMirror: pluginMirrorOutputFixture(env, ACCOUNT, REGION),
      profiles: {
        'hello-server': {
          pipeline: { name: 'p', arn: profile, versionArn: `${profile}/a1B2c3D4e5` },
          // Every environment after dev adds its release signature.
          release: { name: 'r', arn: `${profile}_release`, versionArn: `${profile}_release/a1B2c3D4e5` },
        },
      },
      trustedIdentities: [profile, `${profile}_release`],
    },
  };
}

interface Case {
  readonly name: string;
  readonly title: string;
  readonly namespace: string;
  readonly images: (env: Env) => {
    readonly containers: readonly string[];
    readonly initContainers?: readonly string[];
    readonly ephemeralContainers?: readonly string[];
  };
  readonly result: 'pass' | 'fail';
}

const app = (env: Env) => `${repositoryUrl(env)}@${DIGEST}`;
const other = (env: Env) => ENVIRONMENTS[(ENVIRONMENTS.indexOf(env) + 1) % ENVIRONMENTS.length] ?? 'dev';

/** Outside the system namespaces: the planned policy of each environment. */
const CLUSTER_CASES: readonly Case[] = [
  {
    name: 'app-by-digest',
    title: "the app's image by digest in its namespace: admitted",
    namespace: 'hello-server',
    images: (e) => ({ containers: [app(e)] }),
    result: 'pass',
  },
  {
    name: 'app-by-tag',
    title: "the app's image by tag: denied",
    namespace: 'hello-server',
    images: (e) => ({ containers: [`${repositoryUrl(e)}:1.0`] }),
    result: 'fail',
  },
  {
    name: 'app-tag-and-digest',
    title: "the app's image by tag and digest: denied",
    namespace: 'hello-server',
    images: (e) => ({ containers: [`${repositoryUrl(e)}:1.0@${DIGEST}`] }),
    result: 'fail',
  },
  {
    name: 'app-short-digest',
    title: 'a truncated digest: denied',
    namespace: 'hello-server',
    images: (e) => ({ containers: [`${repositoryUrl(e)}@sha256:0123`] }),
    result: 'fail',
  },
  {
    name: 'repository-prefix',
    title: "a repository whose name only starts with the app's: denied",
    namespace: 'hello-server',
    images: (e) => ({ containers: [`${repositoryUrl(e)}-tools@${DIGEST}`] }),
    result: 'fail',
  },
  {
    name: 'other-environment',
    title: "the app's repository of another environment: denied",
    namespace: 'hello-server',
    images: (e) => ({ containers: [`${repositoryUrl(other(e))}@${DIGEST}`] }),
    result: 'fail',
  },
  {
    name: 'docker-hub',
    title: 'Docker Hub by digest: denied',
    namespace: 'hello-server',
    images: () => ({ containers: [`docker.io/library/nginx@${DIGEST}`] }),
    result: 'fail',
  },
  {
    name: 'init-by-tag',
    title: 'an init container by tag: denied',
    namespace: 'hello-server',
    images: (e) => ({ containers: [app(e)], initContainers: ['busybox:1.36'] }),
    result: 'fail',
  },
  {
    name: 'ephemeral-by-tag',
    title: 'an ephemeral debug container by tag: denied',
    namespace: 'hello-server',
    images: (e) => ({ containers: [app(e)], ephemeralContainers: ['busybox:1.36'] }),
    result: 'fail',
  },
  {
    name: 'default-by-tag',
    title: 'a tagged image in "default": denied',
    namespace: 'default',
    images: () => ({ containers: ['nginx:latest'] }),
    result: 'fail',
  },
  {
    name: 'platform-image',
    title: 'the listed platform image by digest: admitted',
    namespace: 'monitoring',
    images: () => ({ containers: [PLATFORM_IMAGE] }),
    result: 'pass',
  },
  {
    name: 'addon-outside-system',
    title: 'an EKS add-on image outside the system namespaces: denied',
    namespace: 'default',
    images: () => ({ containers: [`${ADDONS}/eks/coredns:v1.11.4-eksbuild.2`] }),
    result: 'fail',
  },
  {
    name: 'kyverno-pin-outside-system',
    title: "Kyverno's pinned image outside the system namespaces: denied",
    namespace: 'default',
    images: () => ({ containers: [KYVERNO_PIN] }),
    result: 'fail',
  },
];

/** In the system namespaces: the policy with pinned admission images. */
const SYSTEM_CASES: readonly Case[] = [
  {
    name: 'kyverno-pinned',
    title: "Kyverno's pinned image in kyverno: admitted",
    namespace: 'kyverno',
    images: () => ({ containers: [KYVERNO_PIN] }),
    result: 'pass',
  },
  {
    name: 'verifier-pinned',
    title: "the verifier's pinned image in its namespace: admitted",
    namespace: 'kyverno-notation-aws',
    images: () => ({ containers: [VERIFIER_PIN] }),
    result: 'pass',
  },
  {
    name: 'kyverno-by-tag',
    title: "Kyverno's image by tag only: denied",
    namespace: 'kyverno',
    images: () => ({ containers: ['reg.kyverno.io/kyverno/kyverno:v1.19.0'] }),
    result: 'fail',
  },
  {
    name: 'kyverno-other-digest',
    title: "Kyverno's repository with another digest: denied",
    namespace: 'kyverno',
    images: () => ({ containers: [KYVERNO_PIN.replace('12'.repeat(32), '56'.repeat(32))] }),
    result: 'fail',
  },
  {
    name: 'addon-by-tag',
    title: "an add-on image from the Region's EKS registry, by tag (as EKS deploys it): admitted",
    namespace: 'kube-system',
    images: () => ({
      containers: [`${ADDONS}/amazon-k8s-cni:v1.19.2-eksbuild.1`],
      initContainers: [`${ADDONS}/amazon-k8s-cni-init:v1.19.2-eksbuild.1`],
    }),
    result: 'pass',
  },
  {
    name: 'addon-other-region',
    title: "an add-on image from another Region's registry: denied",
    namespace: 'kube-system',
    images: () => ({ containers: [`${eksAddonRegistry('us-east-1')}/eks/coredns:v1.11.4-eksbuild.2`] }),
    result: 'fail',
  },
  {
    name: 'addon-lookalike',
    title: 'a registry whose host only starts with the add-on registry: denied',
    namespace: 'kube-system',
    images: () => ({ containers: [`${ADDONS}.evil.example/eks/coredns:v1`] }),
    result: 'fail',
  },
  {
    name: 'busybox-kube-system',
    title: 'busybox in kube-system: denied',
    namespace: 'kube-system',
    images: () => ({ containers: ['busybox:1.36'] }),
    result: 'fail',
  },
  {
    name: 'debug-kube-system',
    title: 'an ephemeral debug container in kube-system: denied',
    namespace: 'kube-system',
    images: () => ({
      containers: [`${ADDONS}/eks/coredns:v1.11.4-eksbuild.2`],
      ephemeralContainers: ['busybox:1.36'],
    }),
    result: 'fail',
  },
  {
    name: 'app-image-kube-system',
    title: "the app's signed image in kube-system: denied (not an admission image)",
    namespace: 'kube-system',
    images: (e) => ({ containers: [app(e)] }),
    result: 'fail',
  },
];

function pod(c: Case, env: Env): object {
  const images = c.images(env);
  const list = (values: readonly string[] | undefined, prefix: string) =>
    values?.map((image, i) => ({ name: `${prefix}${i}`, image }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: c.name, namespace: c.namespace },
    spec: {
      containers: list(images.containers, 'c'),
      ...(images.initContainers && { initContainers: list(images.initContainers, 'i') }),
      ...(images.ephemeralContainers && { ephemeralContainers: list(images.ephemeralContainers, 'e') }),
    },
  };
}

interface Planned {
  readonly policy: { metadata: { name: string }; spec: unknown };
  readonly binding: { metadata: { name: string }; spec: unknown };
}

const parsed = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

async function plan(env: Env): Promise<Planned> {
  vi.resetModules();
  const result = await runStackProgram({
    stackDir,
    env,
    // Staging and prod also read the previous environment's repositories and dev's profiles.
    stackReferences: { ...upstream('dev'), ...upstream('staging'), ...upstream(env) },
    configOverrides: { 'signet-eks:platformImages': { monitoring: [PLATFORM_IMAGE] } },
  });
  const find = (type: string) => {
    const found = result.resources.find((r) => r.type === type && r.name === 'admission-image-backstop');
    if (!found) throw new Error(`the plan has no ${type} admission-image-backstop`);
    return {
      metadata: parsed<{ name: string }>(found.inputs['metadata']),
      spec: parsed(found.inputs['spec']),
    };
  };
  return {
    policy: find('kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy'),
    binding: find('kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding'),
  };
}

const asDocument = (kind: string, planned: { metadata: { name: string }; spec: unknown }) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind,
  ...planned,
});

function suite(
  name: string,
  documents: readonly object[],
  policyName: string,
  cases: readonly Case[],
  env: Env,
): KyvernoSuite {
  return {
    name,
    policies: documents,
    resources: cases.map((c) => pod(c, env)),
    apiCallResponses: [],
    results: cases.map((c) => ({
      policy: policyName,
      rule: policyName,
      kind: 'Pod',
      resources: [c.name],
      result: c.result,
    })),
  };
}

let workspace: AppWorkspace;
let report: EngineReport;
const plans = new Map<Env, Planned>();

beforeAll(async () => {
  const kyverno = requireEngine('kyverno', KYVERNO_RELEASE.appVersion);
  workspace = useAppWorkspace([
    {
      name: 'hello-server',
      namespace: 'hello-server',
      port: 8080,
      environments: [...ENVIRONMENTS],
      manifests: 'deploy',
    },
  ]);
  for (const env of ENVIRONMENTS) plans.set(env, await plan(env));
  const pinned = buildImageBackstop({
    systemNamespaces: excludedNamespaces({
      kyvernoNamespace: KYVERNO_NAMESPACE,
      verifier: { namespace: VERIFIER_NAMESPACE },
    }),
    systemImages: [KYVERNO_PIN, VERIFIER_PIN],
    addonRegistries: [ADDONS],
    repositories: [repositoryUrl('prod')],
    platformImages: { monitoring: [PLATFORM_IMAGE] },
    failureAction: 'Enforce',
  });
  const suites = [
    ...ENVIRONMENTS.map((env) => {
      const p = plans.get(env);
      if (!p) throw new Error(`no plan for ${env}`);
      const documents = [
        asDocument('ValidatingAdmissionPolicy', p.policy),
        asDocument('ValidatingAdmissionPolicyBinding', p.binding),
      ];
      return suite(`${env}/cluster`, documents, p.policy.metadata.name, CLUSTER_CASES, env);
    }),
    suite(
      'pinned/system',
      [pinned.policy, pinned.binding],
      pinned.policy.metadata.name,
      [...SYSTEM_CASES, ...CLUSTER_CASES],
      'prod',
    ),
  ];
  report = await runKyvernoTest(kyverno, suites);
}, 300_000);

afterAll(() => {
  workspace.restore();
});

const resultOf = (suiteName: string, c: Case) =>
  Object.values(report.rowsOf(suiteName, c.name))
    .flat()
    .map((row) => row.result)
    .join(' | ') || 'no row';

describe.each(ENVIRONMENTS)(
  `%s: the planned backstop in Kyverno ${KYVERNO_RELEASE.appVersion}'s CEL`,
  (env) => {
    it('is bound to deny in staging and prod, to warn and audit where Kyverno audits', () => {
      const binding = plans.get(env)?.binding.spec as { validationActions: string[] };
      expect(binding.validationActions).toEqual(['Deny']);
    });

    it.each(CLUSTER_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
      expect(resultOf(`${env}/cluster`, c)).toBe(c.result);
    });
  },
);

describe('the system namespaces with pinned admission images', () => {
  it.each([...SYSTEM_CASES, ...CLUSTER_CASES].map((c) => [c.title, c] as const))('%s', (_title, c) => {
    expect(resultOf('pinned/system', c)).toBe(c.result);
  });

  it('names the refused image in the message', () => {
    const rows = Object.values(report.rowsOf('pinned/system', 'busybox-kube-system')).flat();
    expect(rows.map((r) => r.message)).toEqual([
      'in system namespace kube-system only the pinned Kyverno and verifier images and EKS add-on images run; refused: busybox:1.36',
    ]);
  });
});
