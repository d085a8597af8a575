import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  environmentStackOutputs,
  plannedKyvernoValues,
  renderKyvernoChart,
  runStackProgram,
  upstreamStackOutputs,
  useAppWorkspace,
  type PlannedResource,
  type RenderedObject,
} from '@signet/platform/testing';
import { requireTestEngine } from '@signet/testing';
import { parse } from 'yaml';
import type { Manifest } from './kube.js';

/** The workspace root (tools/e2e/src → ../../..). */
export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..');
const STACK_DIR = join(WORKSPACE_ROOT, 'stacks', 'eks');

/** The environment whose plan the drill applies. */
export const DRILL_ENV = 'dev';
/**
 * The environment whose admission objects the two-signature case applies in place of dev's: it
 * promotes, and admits only with the build signature (dev's pipeline identity) and its own release
 * signature.
 */
export const RELEASE_ENV = 'staging';
/** An environment the drill plans. */
export type DrillEnv = typeof DRILL_ENV | typeof RELEASE_ENV;
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const REGISTRY_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
/** Two apps, so that "another app's repository" is a real repository of the plan. */
export const APPS = ['hello-server', 'billing'] as const;
export type App = (typeof APPS)[number];
/** A namespace of no app that lists one platform image, and the repository of that image. */
export const PLATFORM_NAMESPACE = 'monitoring';
export const PLATFORM_REPOSITORY = `${REGISTRY_HOST}/platform/agent`;
/** The shortest verifier cache the stack accepts: the delay case 5 waits for at most. */
export const DRILL_CACHE_TTL_SECONDS = 30;

/** The upstream stack outputs the plans read: two apps, in the plan's account and Region. */
const FIXTURE = { apps: APPS, account: ACCOUNT, region: REGION } as const;

/** An app's repository in `env` (default {@link DRILL_ENV}), as the ecr stack outputs it. */
export function repositoryOf(app: App, env: DrillEnv = DRILL_ENV): string {
  const repository = environmentStackOutputs(env, FIXTURE).ecr.repositories[app];
  if (repository === undefined) throw new Error(`the ${env} ecr outputs have no repository for ${app}`);
  return repository.url;
}

/**
 * The ARN of an app's signing profile of `identity` (default `pipeline`) in `env` (default
 * {@link DRILL_ENV}), as the signer stack outputs it: the identity the TrustPolicies trust.
 */
export function signingProfileArn(app: App, env: DrillEnv = DRILL_ENV, identity = 'pipeline'): string {
  const profile = environmentStackOutputs(env, FIXTURE).signer.profiles[app]?.[identity];
  if (profile === undefined)
    throw new Error(`the ${env} signer outputs have no ${identity} profile for ${app}`);
  return profile.arn;
}

/** What the eks stack renders for the cluster, as the drill applies it. */
export interface DrillPlan {
  /** Every Kubernetes object of the plan but the Helm release and the verifier's Deployment, in plan order. */
  readonly manifests: readonly Manifest[];
  readonly clusterPolicy: Manifest;
  /** The verifier URL the ClusterPolicy calls (`https://<service>.<namespace>.svc:443/checkimages`). */
  readonly verifierUrl: string;
  /** The verifier Deployment's container: its arguments and environment, as the stack renders them. */
  readonly verifierContainer: {
    readonly args: readonly string[];
    readonly env: readonly { name: string; value?: string }[];
  };
  /** The values the stack gives Kyverno's chart. */
  readonly kyvernoValues: {
    readonly config: {
      readonly webhooks: unknown;
      readonly resourceFiltersIncludeNamespaces: readonly string[];
      readonly excludeKyvernoNamespace: boolean;
    };
    readonly features: {
      readonly forceFailurePolicyIgnore: { readonly enabled: boolean };
      readonly policyExceptions: { readonly enabled: boolean };
    };
    readonly apiCallToken: { readonly audience: string; readonly expirationSeconds: number };
  };
  /**
   * Kyverno's chart 3.9.0 (from the Kyverno module) as `helm template` renders it with those
   * values: the drill applies its RBAC and runs the admission controller as its service account.
   */
  readonly kyvernoChart: readonly RenderedObject[];
  readonly kyvernoNamespace: string;
  readonly verifierNamespace: string;
  /** The verifier's TLS secret, which Kyverno reads to pin the connection. */
  readonly verifierTlsSecret: string;
}

/** Object inputs of the plan are JSON text; plain strings stay strings. */
const parsed = (value: unknown): unknown =>
  typeof value === 'string' && /^[[{]/.test(value) ? JSON.parse(value) : value;

function asManifest(resource: PlannedResource): Manifest {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource.inputs)) out[key] = parsed(value);
  return out as unknown as Manifest;
}

function find(resources: readonly PlannedResource[], type: string, name: string): PlannedResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`the eks plan has no ${type} named ${name}`);
  return found;
}

/**
 * Runs the eks stack program of `env` (default {@link DRILL_ENV}) under the mock runtime (as `pnpm
 * plan` does) with two fixture apps, one platform image and the shortest verifier cache, and
 * returns what it renders for the cluster. `platformImage` is the digest reference the platform
 * namespace lists.
 */
export async function renderDrillPlan(platformImage: string, env: DrillEnv = DRILL_ENV): Promise<DrillPlan> {
  const config = parse(readFileSync(join(STACK_DIR, `Pulumi.${env}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  const verifier = config.config['signet-eks:verifier'] as Record<string, unknown>;
  const workspace = useAppWorkspace(
    APPS.map((name) => ({
      name,
      namespace: name,
      port: 8080,
      environments: [DRILL_ENV, RELEASE_ENV],
      manifests: 'deploy',
    })),
  );
  let resources: PlannedResource[];
  try {
    resources = (
      await runStackProgram({
        stackDir: STACK_DIR,
        env,
        stackReferences: upstreamStackOutputs(env, FIXTURE),
        configOverrides: {
          'signet-eks:platformImages': { [PLATFORM_NAMESPACE]: [platformImage] },
          'signet-eks:verifier': { ...verifier, cacheTtlSeconds: DRILL_CACHE_TTL_SECONDS },
        },
      })
    ).resources;
  } finally {
    workspace.restore();
  }
  const kube = resources.filter((r) => r.type.startsWith('kubernetes:'));
  const release = find(kube, 'kubernetes:helm.sh/v3:Release', 'kyverno-release');
  const deployment = asManifest(find(kube, 'kubernetes:apps/v1:Deployment', 'verifier-deployment'));
  const policy = asManifest(find(kube, 'kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy'));
  const tlsRole = asManifest(
    find(kube, 'kubernetes:rbac.authorization.k8s.io/v1:Role', 'admission-read-verifier-tls'),
  );
  const container = (
    deployment['spec'] as { template: { spec: { containers: DrillPlan['verifierContainer'][] } } }
  ).template.spec.containers[0];
  if (container === undefined) throw new Error('the verifier Deployment of the eks plan has no container');
  const urls = JSON.stringify(policy).match(/https:\/\/[a-z0-9.-]+\.svc:\d+\/checkimages/g) ?? [];
  const verifierUrl = urls[0];
  if (verifierUrl === undefined || urls.some((u) => u !== verifierUrl))
    throw new Error(`the ClusterPolicy calls no single verifier URL: ${JSON.stringify([...new Set(urls)])}`);
  const secret = (tlsRole['rules'] as { resourceNames: string[] }[])[0]?.resourceNames[0];
  if (secret === undefined) throw new Error('the verifier TLS Role of the eks plan names no secret');
  const values = plannedKyvernoValues(resources);
  const chart = renderKyvernoChart(requireTestEngine('helm'), values, {
    kubeVersion: `${String(config.config['signet-eks:kubernetesVersion'])}.0`,
  });
  return {
    manifests: kube.filter((r) => r !== release && r.name !== 'verifier-deployment').map(asManifest),
    clusterPolicy: policy,
    verifierUrl,
    verifierContainer: container,
    kyvernoValues: values as unknown as DrillPlan['kyvernoValues'],
    kyvernoChart: chart.objects,
    kyvernoNamespace: String(release.inputs['namespace']),
    verifierNamespace: String(deployment.metadata.namespace),
    verifierTlsSecret: secret,
  };
}

/** `manifest` with every occurrence of the string `from` replaced by `to` (the verifier URL). */
export function replaceString<T>(manifest: T, from: string, to: string): T {
  return JSON.parse(JSON.stringify(manifest).split(from).join(to)) as T;
}
