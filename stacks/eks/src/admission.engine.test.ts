// The admission ClusterPolicy, exactly as `pnpm plan --env <env>` renders it, run by the real
// Kyverno engine (`kyverno test`, the CLI of the Kyverno release the stack deploys). The stack
// program runs under the mock runtime for every environment; the ClusterPolicy resource's inputs,
// the Role that names the verifier's TLS secret and the verifier's Helm release are taken from that
// plan, never copied. The two API calls the policy makes are mocked per suite: the GET of the TLS
// secret and the POST to the verifier, with each answer the verifier (or the API server) can give.
import { KYVERNO_RELEASE } from '@signet/platform';
import {
  runStackProgram,
  useAppWorkspace,
  type AppWorkspace,
  pluginMirrorOutputFixture,
} from '@signet/platform/testing';
import { requireEngine } from '@signet/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  runKyvernoTest,
  type CliResult,
  type EngineReport,
  type EngineRow,
  type ExpectedResult,
  type KyvernoSuite,
} from './test/kyverno-cli.js';
import { admissionMocks, readAdmissionPlan, type Plan } from './test/admission-plan.js';

const stackDir = join(import.meta.dirname, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const APPS = ['hello-server', 'billing'] as const;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const OTHER_DIGEST = `sha256:${'fedcba9876543210'.repeat(4)}`;

/** A platform namespace of the plan and the one image (by digest) it may run. */
const PLATFORM_NAMESPACE = 'monitoring';
const PLATFORM_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/platform/agent@${OTHER_DIGEST}`;

/**
 * The rules a case is judged by, per what they decide: the app's repository and signature rules (of
 * the namespace's app; hello-server's where the namespace belongs to no app), the platform rule of
 * {@link PLATFORM_NAMESPACE}, and the rule for every other namespace.
 */
const RULE_KEYS = ['repositories', 'signatures', 'platform', 'unlisted'] as const;
type RuleKey = (typeof RULE_KEYS)[number];

function ruleName(c: Case, rule: RuleKey): string {
  const app = (APPS as readonly string[]).includes(c.namespace) ? c.namespace : 'hello-server';
  switch (rule) {
    case 'repositories':
      return `images-${app}`;
    case 'signatures':
      return `signed-${app}`;
    case 'platform':
      return `platform-${PLATFORM_NAMESPACE}`;
    case 'unlisted':
      return 'no-app-namespace';
  }
}

/** The rule keys a case states an outcome for. */
const rulesOf = (c: Case): RuleKey[] => RULE_KEYS.filter((rule) => c[rule] !== undefined);

const repositoryUrl = (env: string, app: string) =>
  `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${env}/${app}`;

function upstream(env: Env) {
  const profile = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
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
      repositories: Object.fromEntries(
        APPS.map((app) => [
          app,
          {
            name: `signet-${env}/${app}`,
            arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${app}`,
            url: repositoryUrl(env, app),
          },
        ]),
      ),
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
    [`organization/signet-signer/${env}`]: {
      pluginMirror: pluginMirrorOutputFixture(env, ACCOUNT, REGION),
      profiles: Object.fromEntries(
        APPS.map((app) => {
          const name = `signet_${env}_${app.replaceAll('-', '_')}`;
          const output = (n: string) => ({
            name: n,
            arn: profile(n),
            versionArn: `${profile(n)}/a1B2c3D4e5`,
          });
          // Staging and prod sign releases with a release profile per app (signer extraIdentities).
          return [
            app,
            { pipeline: output(name), ...(env === 'dev' ? {} : { release: output(`${name}_release`) }) },
          ];
        }),
      ),
      trustedIdentities: APPS.flatMap((app) => {
        const name = `signet_${env}_${app.replaceAll('-', '_')}`;
        return env === 'dev' ? [profile(name)] : [profile(name), profile(`${name}_release`)];
      }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads

type Kind =
  | 'Pod'
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'ReplicationController'
  | 'Job'
  | 'CronJob';

interface Images {
  readonly containers: readonly string[];
  readonly initContainers?: readonly string[];
  readonly ephemeralContainers?: readonly string[];
}

/** Where Kyverno finds the Pod spec in each kind: the derived rules shift the pattern there. */
const POD_SPEC_POINTER: Record<Kind, string> = {
  Pod: '/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  ReplicationController: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
};

/** The rule name Kyverno reports: controllers run the derived `autogen-` rules. */
function ruleAsRun(kind: Kind, rule: string): string {
  if (kind === 'Pod') return rule;
  return kind === 'CronJob' ? `autogen-cronjob-${rule}` : `autogen-${rule}`;
}

function podSpec(images: Images, restartPolicy?: string) {
  const containers = (list: readonly string[] | undefined, prefix: string) =>
    list?.map((image, i) => ({ name: `${prefix}${i}`, image }));
  return {
    ...(restartPolicy && { restartPolicy }),
    containers: containers(images.containers, 'app'),
    ...(images.initContainers && { initContainers: containers(images.initContainers, 'init') }),
    ...(images.ephemeralContainers && {
      ephemeralContainers: containers(images.ephemeralContainers, 'debug'),
    }),
  };
}

function workload(kind: Kind, name: string, namespace: string, images: Images): object {
  const metadata = { name, namespace, labels: { app: name } };
  const template = { metadata: { labels: { app: name } }, spec: podSpec(images) };
  const selector = { matchLabels: { app: name } };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata, spec: podSpec(images) };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata, spec: { selector: { app: name }, template } };
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector, template } };
    case 'StatefulSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector, serviceName: name, template } };
    case 'Job':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: { template: { ...template, spec: podSpec(images, 'Never') } },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: {
          schedule: '*/5 * * * *',
          jobTemplate: { spec: { template: { ...template, spec: podSpec(images, 'Never') } } },
        },
      };
  }
}

/** The images a case uses, for the environment whose policy runs. */
interface EnvImages {
  readonly hello: string;
  readonly billing: string;
  /** hello-server's repository of another environment (another ECR path, same account). */
  readonly helloOfOtherEnv: string;
}

function envImages(env: Env): EnvImages {
  const other = ENVIRONMENTS[(ENVIRONMENTS.indexOf(env) + 1) % ENVIRONMENTS.length] ?? 'dev';
  return {
    hello: repositoryUrl(env, 'hello-server'),
    billing: repositoryUrl(env, 'billing'),
    helloOfOtherEnv: repositoryUrl(other, 'hello-server'),
  };
}

interface Case {
  /** Resource name, unique in its suite. */
  readonly name: string;
  /** What the case shows; known gaps say so and name the change that closes them. */
  readonly title: string;
  readonly kind: Kind;
  readonly namespace: string;
  readonly images: (r: EnvImages) => Images;
  /** UPDATE: the CLI sets the old object to the same resource, i.e. it already violated. */
  readonly operation?: 'UPDATE';
  /** The digest rule: passes, is not evaluated, or fails at this container (below the Pod spec). */
  readonly repositories: 'pass' | 'excluded' | { readonly failsAt: string };
  /**
   * The signature rule: runs (its result is then the verifier answer's), is not evaluated, or errs
   * before the call because Kyverno cannot parse an image reference into `images`.
   */
  readonly signatures: 'runs' | 'excluded' | 'unparseable-image';
  /** The platform images rule: passes, is not evaluated, or fails at this container. */
  readonly platform?: 'pass' | 'excluded' | { readonly failsAt: string };
  /** The rule for namespaces of no app: denies the whole Pod, or is not evaluated. */
  readonly unlisted?: 'denied' | 'excluded';
  /** Also run under the verifier's failure answers (every case runs under verified and rejected). */
  readonly core?: true;
}

const signed = (r: EnvImages): Images => ({ containers: [`${r.hello}@${DIGEST}`] });
const byTag = (r: EnvImages): Images => ({ containers: [`${r.hello}:1.4.2`] });

const KIND_CASES: Case[] = (
  [
    'Pod',
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'ReplicaSet',
    'ReplicationController',
    'Job',
    'CronJob',
  ] as const
).flatMap((kind): Case[] => [
  {
    name: `${kind.toLowerCase()}-by-digest`,
    title: `${kind} of the app's image by digest: evaluated at creation, admitted only if the verifier says verified`,
    kind,
    namespace: 'hello-server',
    images: signed,
    repositories: 'pass',
    signatures: 'runs',
    core: true,
  },
  {
    name: `${kind.toLowerCase()}-by-tag`,
    title: `${kind} of the app's image by tag: denied at creation by the digest rule`,
    kind,
    namespace: 'hello-server',
    images: byTag,
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
    ...(kind === 'Pod' && { core: true as const }),
  },
]);

const CONTAINER_CASES: Case[] = [
  {
    name: 'pod-init-by-digest',
    title: 'Pod with an init container of the app by digest: both containers are checked and pass',
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ initContainers: [`${r.hello}@${OTHER_DIGEST}`], containers: [`${r.hello}@${DIGEST}`] }),
    repositories: 'pass',
    signatures: 'runs',
  },
  {
    name: 'pod-init-by-tag',
    title: 'Pod whose init container is by tag: denied at the init container',
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ initContainers: [`${r.hello}:migrate`], containers: [`${r.hello}@${DIGEST}`] }),
    repositories: { failsAt: 'initContainers/0' },
    signatures: 'runs',
  },
  {
    name: 'deployment-init-other-registry',
    title: 'Deployment whose init container comes from Docker Hub by digest: denied at the init container',
    kind: 'Deployment',
    namespace: 'hello-server',
    images: (r) => ({
      initContainers: [`docker.io/library/busybox@${DIGEST}`],
      containers: [`${r.hello}@${DIGEST}`],
    }),
    repositories: { failsAt: 'initContainers/0' },
    signatures: 'runs',
  },
  {
    name: 'cronjob-second-container-by-tag',
    title: 'CronJob whose second container is by tag: denied at that container',
    kind: 'CronJob',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}@${DIGEST}`, `${r.hello}:latest`] }),
    repositories: { failsAt: 'containers/1' },
    signatures: 'runs',
  },
];

const IMAGE_CASES: Case[] = [
  {
    name: 'pod-tag-and-digest',
    title: 'Pod of the app by tag and digest: denied (only <repository>@sha256:<digest> is accepted)',
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}:1.4.2@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-short-digest',
    title:
      'Pod of the app by a truncated digest: denied, and the signature rule errs on the unparseable reference',
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}@sha256:0123456789abcdef`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'unparseable-image',
    core: true,
  },
  {
    name: 'pod-other-registry',
    title: 'Pod from Docker Hub by digest: denied',
    kind: 'Pod',
    namespace: 'hello-server',
    images: () => ({ containers: [`docker.io/library/nginx@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-no-registry',
    title: 'Pod of the bare repository name by digest (resolved to Docker Hub): denied',
    kind: 'Pod',
    namespace: 'hello-server',
    images: () => ({ containers: [`hello-server@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-other-account',
    title: "Pod of the same repository path in another account's registry: denied",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello.replace(ACCOUNT, '999988887777')}@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-other-environment',
    title: "Pod of the app's repository of another environment: denied",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.helloOfOtherEnv}@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-repository-prefix',
    title: "Pod of a repository whose name only starts with the app's (hello-server-tools): denied",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}-tools@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'deployment-repository-prefix',
    title: "Deployment of a repository whose name only starts with the app's: denied at creation",
    kind: 'Deployment',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}x@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'billing-pod-by-digest',
    title: "Pod of the second app (billing) by digest in its own namespace: evaluated like the first app's",
    kind: 'Pod',
    namespace: 'billing',
    images: (r) => ({ containers: [`${r.billing}@${DIGEST}`] }),
    repositories: 'pass',
    signatures: 'runs',
  },
  {
    name: 'pod-other-app-repository',
    title:
      "cross-app: a Pod in hello-server's namespace running billing's image by digest is denied by hello-server's repository rule",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.billing}@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
    core: true,
  },
  {
    name: 'deployment-other-app-repository',
    title: "cross-app: a Deployment in billing's namespace of hello-server's image is denied at creation",
    kind: 'Deployment',
    namespace: 'billing',
    images: (r) => ({ containers: [`${r.hello}@${DIGEST}`] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'pod-copied-digest',
    title:
      "cross-app: billing's signed digest copied into hello-server's repository passes the repository rule and is verified under hello-server's trust policy only (the rejected answer denies it)",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}@${OTHER_DIGEST}`] }),
    repositories: 'pass',
    signatures: 'runs',
    unlisted: 'excluded',
    platform: 'excluded',
    core: true,
  },
];

const UPDATE_CASES: Case[] = [
  {
    name: 'pod-update-by-tag',
    title:
      'UPDATE of a Pod that already ran a tagged image, to a tagged image: denied, no existing violation carries over',
    kind: 'Pod',
    namespace: 'hello-server',
    images: byTag,
    operation: 'UPDATE',
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
    core: true,
  },
  {
    name: 'deployment-update-by-tag',
    title: 'UPDATE of a Deployment that already ran a tagged image, to a tagged image: denied at the update',
    kind: 'Deployment',
    namespace: 'hello-server',
    images: byTag,
    operation: 'UPDATE',
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
  },
  {
    name: 'deployment-update-by-digest',
    title: "UPDATE of a Deployment to the app's image by digest: verified again",
    kind: 'Deployment',
    namespace: 'hello-server',
    images: signed,
    operation: 'UPDATE',
    repositories: 'pass',
    signatures: 'runs',
  },
];

const NAMESPACE_CASES: Case[] = [
  ...(['Pod', 'Deployment', 'CronJob'] as const).map((kind): Case => ({
    name: `${kind.toLowerCase()}-in-default`,
    title: `${kind} of the app's image by digest in "default", a namespace of no app: denied`,
    kind,
    namespace: 'default',
    images: signed,
    repositories: 'excluded',
    signatures: 'excluded',
    platform: 'excluded',
    unlisted: 'denied',
    ...(kind === 'Pod' && { core: true as const }),
  })),
  {
    name: 'pod-in-new-namespace',
    title: 'Pod of an unsigned tagged image in a namespace created after the policy: denied',
    kind: 'Pod',
    namespace: 'team-x',
    images: byTag,
    repositories: 'excluded',
    signatures: 'excluded',
    unlisted: 'denied',
    core: true,
  },
  {
    name: 'platform-image-by-digest',
    title: 'the listed platform image by its digest in its namespace: admitted, no app rule applies',
    kind: 'Pod',
    namespace: PLATFORM_NAMESPACE,
    images: () => ({ containers: [PLATFORM_IMAGE] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: 'pass',
    unlisted: 'excluded',
    core: true,
  },
  {
    name: 'platform-daemonset-by-digest',
    title: 'a DaemonSet of the listed platform image in its namespace: admitted at creation',
    kind: 'DaemonSet',
    namespace: PLATFORM_NAMESPACE,
    images: () => ({ containers: [PLATFORM_IMAGE] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: 'pass',
    unlisted: 'excluded',
  },
  {
    name: 'platform-image-other-digest',
    title: 'the platform repository with another digest in its namespace: denied',
    kind: 'Pod',
    namespace: PLATFORM_NAMESPACE,
    images: () => ({ containers: [PLATFORM_IMAGE.replace(OTHER_DIGEST, DIGEST)] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: { failsAt: 'containers/0' },
    core: true,
  },
  {
    name: 'platform-image-by-tag',
    title: 'the platform repository by tag in its namespace: denied',
    kind: 'Pod',
    namespace: PLATFORM_NAMESPACE,
    images: () => ({ containers: [PLATFORM_IMAGE.replace(`@${OTHER_DIGEST}`, ':1.0')] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: { failsAt: 'containers/0' },
  },
  {
    name: 'platform-sidecar-unlisted',
    title: 'the platform image with an app image as a second container in the platform namespace: denied',
    kind: 'Pod',
    namespace: PLATFORM_NAMESPACE,
    images: (r) => ({ containers: [PLATFORM_IMAGE, `${r.hello}@${DIGEST}`] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: { failsAt: 'containers/1' },
  },
  {
    name: 'platform-image-in-default',
    title: 'the platform image in another namespace of no app: denied',
    kind: 'Pod',
    namespace: 'default',
    images: () => ({ containers: [PLATFORM_IMAGE] }),
    repositories: 'excluded',
    signatures: 'excluded',
    platform: 'excluded',
    unlisted: 'denied',
  },
  {
    name: 'platform-image-in-app-namespace',
    title: "the platform image in an app's namespace: denied by the app's repository rule",
    kind: 'Pod',
    namespace: 'hello-server',
    images: () => ({ containers: [PLATFORM_IMAGE] }),
    repositories: { failsAt: 'containers/0' },
    signatures: 'runs',
    platform: 'excluded',
    unlisted: 'excluded',
  },
  ...(['kube-system', 'kube-public', 'kube-node-lease', 'kyverno', 'kyverno-notation-aws'] as const).map(
    (namespace): Case => ({
      name: `pod-in-${namespace}`,
      title: `Pod of an unsigned tagged image in the system namespace ${namespace}: no Kyverno rule evaluates it (the verifier and Kyverno must start; the backstop covers it)`,
      kind: 'Pod',
      namespace,
      images: () => ({ containers: [`public.ecr.aws/docker/library/busybox:1.36`] }),
      repositories: 'excluded',
      signatures: 'excluded',
      platform: 'excluded',
      unlisted: 'excluded',
      core: true,
    }),
  ),
];

const WORKLOAD_CASES: Case[] = [
  ...KIND_CASES,
  ...CONTAINER_CASES,
  ...IMAGE_CASES,
  ...UPDATE_CASES,
  ...NAMESPACE_CASES,
];

// `kubectl debug` adds an ephemeral container with an UPDATE of the pods/ephemeralcontainers
// subresource whose object is the whole Pod (already running the app's image by digest).
const EPHEMERAL_CASES: Case[] = [
  {
    name: 'ephemeral-by-digest',
    title: "ephemeral container of the app's image by digest: verified like any container",
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({
      containers: [`${r.hello}@${DIGEST}`],
      ephemeralContainers: [`${r.hello}@${OTHER_DIGEST}`],
    }),
    operation: 'UPDATE',
    repositories: 'pass',
    signatures: 'runs',
    core: true,
  },
  {
    name: 'ephemeral-by-tag',
    title: 'ephemeral debug container by tag from another registry: denied at the ephemeral container',
    kind: 'Pod',
    namespace: 'hello-server',
    images: (r) => ({ containers: [`${r.hello}@${DIGEST}`], ephemeralContainers: ['busybox:1.36'] }),
    operation: 'UPDATE',
    repositories: { failsAt: 'ephemeralContainers/0' },
    signatures: 'runs',
    core: true,
  },
  {
    name: 'ephemeral-other-registry-digest',
    title: 'ephemeral debug container from Docker Hub by digest: denied at the ephemeral container',
    kind: 'Pod',
    namespace: 'billing',
    images: (r) => ({
      containers: [`${r.billing}@${DIGEST}`],
      ephemeralContainers: [`docker.io/library/busybox@${DIGEST}`],
    }),
    operation: 'UPDATE',
    repositories: { failsAt: 'ephemeralContainers/0' },
    signatures: 'runs',
    core: true,
  },
  {
    name: 'ephemeral-in-kube-system',
    title: 'ephemeral debug container in kube-system: never evaluated',
    kind: 'Pod',
    namespace: 'kube-system',
    images: () => ({
      containers: ['public.ecr.aws/eks/coredns:v1.11'],
      ephemeralContainers: ['busybox:1.36'],
    }),
    operation: 'UPDATE',
    repositories: 'excluded',
    signatures: 'excluded',
    unlisted: 'excluded',
    core: true,
  },
  {
    name: 'ephemeral-in-default',
    title: '`kubectl debug` of a Pod in "default", a namespace of no app: denied',
    kind: 'Pod',
    namespace: 'default',
    images: () => ({ containers: [PLATFORM_IMAGE], ephemeralContainers: ['busybox:1.36'] }),
    operation: 'UPDATE',
    repositories: 'excluded',
    signatures: 'excluded',
    unlisted: 'denied',
    core: true,
  },
];

// ---------------------------------------------------------------------------------------------
// What the verifier (and the API server, for the TLS secret) answer

const REJECTION = 'signature verification failed: no signature is associated with the image';

interface Answer {
  readonly name: string;
  /** Status of the GET of the verifier's TLS secret (200 when absent). */
  readonly secretStatus?: number;
  readonly verifier: { readonly statusCode?: number; readonly body: Record<string, unknown> };
  /** What the signature rule reports for a matched resource, as {@link outcome} renders it. */
  readonly signatures: string;
  /** Every case, or only the core ones (the answer decides the signature rule alone). */
  readonly cases: 'all' | 'core';
}

const ANSWERS: readonly Answer[] = [
  // The verifier answers verified: true.
  {
    name: 'verified',
    verifier: { body: { verified: true, message: '', results: [] } },
    signatures: 'pass',
    cases: 'all',
  },
  // The verifier answers verified: false with its reason.
  {
    name: 'rejected',
    verifier: { body: { verified: false, message: REJECTION, results: [] } },
    signatures: `fail: Image signature verification failed: ${REJECTION}`,
    cases: 'all',
  },
  // A verdict other than the JSON boolean true (here null) denies; a bare NotEquals admitted it.
  {
    name: 'no-verdict',
    verifier: { body: { verified: null } },
    signatures: 'fail: Image signature verification failed: the verifier gave no reason',
    cases: 'core',
  },
  // The verifier refuses with HTTP 406 (its answer for an unverified image).
  {
    name: 'refused-406',
    verifier: { statusCode: 406, body: { message: REJECTION } },
    signatures: 'error in context entry "verification"',
    cases: 'core',
  },
  // The verifier fails with HTTP 500.
  {
    name: 'verifier-failure-500',
    verifier: { statusCode: 500, body: { message: 'failed to resolve digest: context deadline exceeded' } },
    signatures: 'error in context entry "verification"',
    cases: 'core',
  },
  // The verifier's TLS secret is missing (the verifier would say verified: true).
  {
    name: 'tls-secret-missing',
    secretStatus: 404,
    verifier: { body: { verified: true, message: '', results: [] } },
    signatures: 'error in context entry "verifierCaBundle"',
    cases: 'core',
  },
];

// ---------------------------------------------------------------------------------------------
// From the plan to kyverno-test suites

async function plan(env: Env): Promise<Plan> {
  vi.resetModules();
  const result = await runStackProgram({
    stackDir,
    env,
    // Staging and prod also read the building environment's signing profiles (dev's).
    stackReferences: { ...upstream('dev'), ...upstream('staging'), ...upstream(env) },
    configOverrides: { 'signet-eks:platformImages': { [PLATFORM_NAMESPACE]: [PLATFORM_IMAGE] } },
  });
  return readAdmissionPlan(result.resources);
}

function expectedFor(c: Case, rule: RuleKey, answer: Answer): string {
  const outcome = c[rule];
  const name = ruleName(c, rule);
  if (outcome === undefined) throw new Error(`${c.name}: no outcome for ${rule}`);
  if (outcome === 'excluded') return `${name}: excluded`;
  const ran = ruleAsRun(c.kind, name);
  if (outcome === 'denied')
    return `${ran}: fail: Namespace ${c.namespace} belongs to no app and has no platform images`;
  if (outcome === 'unparseable-image') {
    // The TLS secret is read first; then `{{ images }}` fails to resolve for the verifier call.
    const entry = answer.secretStatus === undefined ? 'verification' : 'verifierCaBundle';
    return `${ran}: error in context entry "${entry}"`;
  }
  if (rule === 'signatures') return `${ran}: ${answer.signatures}`;
  if (outcome === 'pass') return `${ran}: pass`;
  if (outcome === 'runs') throw new Error(`${c.name}: the digest rule needs pass, excluded or failsAt`);
  return `${ran}: fail at ${POD_SPEC_POINTER[c.kind]}/${outcome.failsAt}/image/`;
}

function cliResult(expected: string): CliResult {
  const [, result = ''] = /^\S+: (\w+)/.exec(expected) ?? [];
  if (result === 'excluded') return 'skip';
  if (result === 'pass' || result === 'fail' || result === 'error' || result === 'skip') return result;
  throw new Error(`no CLI result for "${expected}"`);
}

/** The engine's row rendered for comparison: rule as run, result, and what the message pins down. */
function outcome(row: EngineRow): string {
  const head = `${row.rule}: ${row.result}`;
  if (row.result === 'fail' && /^(images|platform)-/.test(row.baseRule)) {
    return `${head} at ${/failed at path (\S+)$/.exec(row.message)?.[1] ?? row.message}`;
  }
  if (row.result === 'fail' && row.baseRule === 'no-app-namespace') {
    return `${head}: ${row.message.split(':')[0]}`;
  }
  if (row.result === 'fail' || row.result === 'skip') return `${head}: ${row.message}`;
  if (row.result === 'error') {
    const entry = /context entry "([^"]+)"/.exec(row.message)?.[1];
    return entry ? `${head} in context entry "${entry}"` : `${head}: ${row.message}`;
  }
  return head;
}

const appliesTo = (answer: Answer, c: Case) => answer.cases === 'all' || c.core === true;

// One suite per operation: an operation set for the whole suite runs each resource once.
const PARTS = ['create', 'update', 'ephemeral-containers'] as const;
type Part = (typeof PARTS)[number];

function casesOf(part: Part): readonly Case[] {
  if (part === 'ephemeral-containers') return EPHEMERAL_CASES;
  return WORKLOAD_CASES.filter((c) => (c.operation === 'UPDATE') === (part === 'update'));
}

const partOf = (c: Case): Part =>
  EPHEMERAL_CASES.includes(c) ? 'ephemeral-containers' : c.operation === 'UPDATE' ? 'update' : 'create';

function suitesFor(env: Env, p: Plan): KyvernoSuite[] {
  const images = envImages(env);
  const suite = (answer: Answer, part: Part): KyvernoSuite => {
    const cases = casesOf(part).filter((c) => appliesTo(answer, c));
    const results: ExpectedResult[] = [];
    for (const c of cases) {
      for (const rule of rulesOf(c)) {
        results.push({
          policy: p.clusterPolicy.metadata.name,
          rule: ruleName(c, rule),
          kind: c.kind,
          resources: [c.name],
          result: cliResult(expectedFor(c, rule, answer)),
        });
      }
    }
    return {
      name: `${env}/${answer.name}/${part}`,
      policies: [p.clusterPolicy],
      resources: cases.map((c) => workload(c.kind, c.name, c.namespace, c.images(images))),
      apiCallResponses: admissionMocks(p, answer),
      results,
      ...(part !== 'create' && { operation: 'UPDATE' as const }),
      asEphemeralContainersSubresource: part === 'ephemeral-containers',
    };
  };
  return ANSWERS.flatMap((answer) => PARTS.map((part) => suite(answer, part))).filter(
    (s) => s.resources.length > 0,
  );
}

// ---------------------------------------------------------------------------------------------

let workspace: AppWorkspace;
const plans = new Map<Env, Plan>();
let suites: KyvernoSuite[];
let report: EngineReport;

beforeAll(async () => {
  const kyverno = requireEngine('kyverno', KYVERNO_RELEASE.appVersion);
  // Two apps, so "another app's repository" is a real repository of the plan.
  workspace = useAppWorkspace(
    APPS.map((name) => ({
      name,
      namespace: name,
      port: 8080,
      environments: [...ENVIRONMENTS],
      manifests: 'deploy',
    })),
  );
  for (const env of ENVIRONMENTS) plans.set(env, await plan(env));
  suites = ENVIRONMENTS.flatMap((env) => {
    const p = plans.get(env);
    if (!p) throw new Error(`no plan for ${env}`);
    return suitesFor(env, p);
  });
  report = await runKyvernoTest(kyverno, suites);
  // Three stack programs and three CLI processes: seconds on an idle machine, more on a loaded one.
}, 300_000);

afterAll(() => {
  workspace.restore();
});

function observed(env: Env, c: Case): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const answer of ANSWERS.filter((a) => appliesTo(a, c))) {
    const rows = report.rowsOf(`${env}/${answer.name}/${partOf(c)}`, c.name);
    out[answer.name] = Object.fromEntries(
      rulesOf(c).map((rule) => [rule, (rows[ruleName(c, rule)] ?? []).map(outcome).join(' | ') || 'no row']),
    );
  }
  return out;
}

function expected(c: Case): Record<string, Record<string, string>> {
  return Object.fromEntries(
    ANSWERS.filter((a) => appliesTo(a, c)).map((answer) => [
      answer.name,
      Object.fromEntries(rulesOf(c).map((rule) => [rule, expectedFor(c, rule, answer)])),
    ]),
  );
}

describe.each(ENVIRONMENTS)(
  `%s: the planned ClusterPolicy in Kyverno ${KYVERNO_RELEASE.appVersion}`,
  (env) => {
    it('runs the policy of the plan, reading the TLS secret the RBAC grants and calling the verifier the stack installs', () => {
      const p = plans.get(env);
      expect(p?.clusterPolicy.metadata.name).toBe('signet-verify-images');
      expect(p?.tlsSecretPath).toBe(
        '/api/v1/namespaces/kyverno-notation-aws/secrets/kyverno-notation-aws-svc.kyverno-notation-aws.svc.tls-pair',
      );
      expect(p?.verifierUrl).toBe(
        'https://kyverno-notation-aws-svc.kyverno-notation-aws.svc:443/checkimages',
      );
      // The secret and verifier mocks were both used: a verified image passed the signature rule.
      expect(observed(env, KIND_CASES[0] as Case)['verified']?.['signatures']).toBe(
        'signed-hello-server: pass',
      );
    });

    it("denies a Deployment of an unsigned image at creation, with the derived rule and the verifier's reason", () => {
      const rows = report.rowsOf(`${env}/rejected/create`, 'deployment-by-digest');
      expect(rows['signed-hello-server']?.map((r) => [r.rule, r.result, r.message])).toEqual([
        ['autogen-signed-hello-server', 'fail', `Image signature verification failed: ${REJECTION}`],
      ]);
      expect(rows['images-hello-server']?.map((r) => [r.rule, r.result])).toEqual([
        ['autogen-images-hello-server', 'pass'],
      ]);
    });

    it.each(APPS)(
      "in %s's namespace, the signature rule the engine runs asks the verifier under a TrustPolicy of that app's repository and profile only",
      (appName) => {
        const p = plans.get(env);
        const rows = report.rowsOf(
          `${env}/verified/create`,
          appName === 'billing' ? 'billing-pod-by-digest' : 'pod-by-digest',
        );
        const ran = Object.keys(rows).filter((rule) => rule.startsWith('signed-'));
        expect(ran).toEqual([`signed-${appName}`]);
        const spec = p?.clusterPolicy.spec as {
          rules: { name: string; context?: { apiCall: { data?: { key: string; value: unknown }[] } }[] }[];
        };
        const rule = spec.rules.find((r) => r.name === ran[0]);
        const asked = rule?.context
          ?.flatMap((c) => c.apiCall.data ?? [])
          .find((d) => d.key === 'trustPolicy')?.value;
        const trusted = p?.trustPolicies.find((t) => t.name === asked);
        // The build signature is dev's in every environment: images are built once, in dev.
        const profile = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/signet_dev_${appName.replaceAll('-', '_')}`;
        expect(trusted).toEqual({
          name: `signet-app-${appName}`,
          registryScopes: [repositoryUrl(env, appName)],
          trustedIdentities: [profile],
        });
        const release = env === 'dev' ? [] : APPS.map((a) => `signet-app-${a}-release`);
        expect(p?.trustPolicies.map((t) => t.name).sort()).toEqual(
          [...APPS.map((a) => `signet-app-${a}`), ...release].sort(),
        );
      },
    );

    describe('workloads', () => {
      it.each(WORKLOAD_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
        expect(observed(env, c)).toEqual(expected(c));
      });
    });

    describe('ephemeral containers (pods/ephemeralcontainers)', () => {
      it.each(EPHEMERAL_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
        expect(observed(env, c)).toEqual(expected(c));
      });
    });
  },
);

it('reports every rule on every resource of every suite, one kyverno test process per environment', () => {
  expect(new Set(report.rows.map((r) => r.suite))).toEqual(new Set(suites.map((s) => s.name)));
  const resources = suites.reduce((n, s) => n + s.resources.length, 0);
  const expectedRows = suites.reduce((n, s) => n + s.results.length, 0);
  expect(resources).toBeGreaterThan(0);
  expect(report.rows).toHaveLength(expectedRows);
});
