import { notationAwsVerifierCall, defaultVerifierTlsSecretName, type VerifierCall } from '@signet/policies';
import type { HelmChartRef } from '../charts.js';
import type { ImagePin } from '../images.js';
import { TokenReviewSupport, verifierCallerAccess, type VerifierCallerAccess } from './caller-access.js';
import { buildForkChartValues } from './fork-values.js';
import { buildNotationAwsManifests } from './notation-aws-manifests.js';
import { buildTrustResourceCrds, type CrdManifest } from './trust-crds.js';

/** Namespace the verifier runs in, whichever backend is selected. */
export const VERIFIER_NAMESPACE = 'kyverno-notation-aws';

/** Which verifier the cluster runs. */
export const VerifierImplementation = {
  /** kyverno-notation-aws v1.1, its objects rendered by Signet ({@link buildNotationAwsManifests}). */
  Upstream: 'upstream',
  /**
   * A maintained fork given by chart repository, name and version, whose chart follows the values of
   * notation-aws-verifier 1.x (`image`, `replicaCount`, `cache.ttlSeconds`, `tokenReview.audiences`, PDB).
   */
  Fork: 'fork',
} as const;
export type VerifierImplementation = (typeof VerifierImplementation)[keyof typeof VerifierImplementation];

/** What every backend is configured with. */
interface CommonSettings {
  /** The verifier's image, by digest. */
  readonly image: ImagePin;
  /** Seconds a "verified" answer is cached: a revocation takes effect at admission after at most this long. */
  readonly cacheTtlSeconds: number;
  readonly replicas: number;
}

/** The verifier as configured per environment. */
export type VerifierSettings =
  | (CommonSettings & {
      readonly implementation: typeof VerifierImplementation.Upstream;
      /** Memory request and limit of each replica, MiB. */
      readonly memoryMiB: number;
    })
  | (CommonSettings & {
      readonly implementation: typeof VerifierImplementation.Fork;
      readonly chart: HelmChartRef;
    });

/** Where the selected verifier listens and under which identity it runs. */
export interface VerifierLayout {
  readonly namespace: string;
  /** Release or Deployment name. */
  readonly name: string;
  /** The Service Kyverno calls. */
  readonly serviceName: string;
  /** The ServiceAccount the IRSA role trusts. */
  readonly serviceAccountName: string;
  /** The secret holding the verifier's TLS certificate, which Kyverno reads to pin the connection. */
  readonly tlsSecretName: string;
}

/** What the deployment of a backend depends on in the stack. */
export interface VerifierDeployInput<RoleArn> {
  readonly region: string;
  readonly roleArn: RoleArn;
  readonly defaultTrustPolicy: string;
  readonly spreadAcrossZones: boolean;
}

/** How a backend is deployed: objects Signet renders, or a pinned chart with values. */
export type VerifierWorkload =
  | { readonly kind: 'manifests'; readonly manifests: readonly object[] }
  | {
      readonly kind: 'chart';
      readonly chart: HelmChartRef;
      readonly releaseName: string;
      readonly values: Record<string, unknown>;
    };

/**
 * The seam between admission and the verifier behind it. The admission component deploys
 * {@link workload}, installs {@link trustResourceCrds}, points Kyverno at {@link call} and configures
 * Kyverno's token from {@link callerAccess}; it knows nothing else about the verifier. Swapping the
 * verifier is a new implementation of this interface and one line in {@link selectVerifierBackend}.
 */
export interface VerifierBackend {
  readonly implementation: VerifierImplementation;
  readonly layout: VerifierLayout;
  /** How the verifier recognises Kyverno, and which Pods may reach it. */
  readonly callerAccess: VerifierCallerAccess;
  /** The Kyverno `apiCall` the ClusterPolicy makes. */
  readonly call: VerifierCall;
  /** CRDs of the trust resources Signet installs itself (empty when the chart installs them). */
  readonly trustResourceCrds: (labels: Record<string, string>) => readonly CrdManifest[];
  /** What to deploy, with the stack's region, the IRSA role and the default trust policy. */
  readonly workload: <RoleArn>(input: VerifierDeployInput<RoleArn>) => VerifierWorkload;
}

function layoutOf(name: string): VerifierLayout {
  const serviceName = `${name}-svc`;
  return {
    namespace: VERIFIER_NAMESPACE,
    name,
    serviceName,
    serviceAccountName: name,
    tlsSecretName: defaultVerifierTlsSecretName(serviceName, VERIFIER_NAMESPACE),
  };
}

function call(layout: VerifierLayout): VerifierCall {
  return notationAwsVerifierCall({
    serviceName: layout.serviceName,
    namespace: layout.namespace,
    tlsSecretName: layout.tlsSecretName,
  });
}

/** kyverno-notation-aws v1.1, rendered by Signet: region, replicas, cache, memory and image are all ours. */
function upstreamBackend(
  settings: Extract<VerifierSettings, { implementation: 'upstream' }>,
): VerifierBackend {
  const layout = layoutOf('kyverno-notation-aws');
  const callerAccess = verifierCallerAccess(TokenReviewSupport.ApiServerAudienceOnly);
  return {
    implementation: settings.implementation,
    layout,
    callerAccess,
    call: call(layout),
    trustResourceCrds: (labels) => Object.values(buildTrustResourceCrds(labels)),
    workload: (input) => {
      const objects = buildNotationAwsManifests({
        namespace: layout.namespace,
        name: layout.name,
        serviceName: layout.serviceName,
        image: settings.image,
        region: input.region,
        roleArn: input.roleArn,
        defaultTrustPolicy: input.defaultTrustPolicy,
        cacheTtlSeconds: settings.cacheTtlSeconds,
        replicas: settings.replicas,
        memoryMiB: settings.memoryMiB,
        spreadAcrossZones: input.spreadAcrossZones,
        callerAccess,
      });
      return {
        kind: 'manifests',
        manifests: Object.values(objects).filter((o) => o !== undefined) as object[],
      };
    },
  };
}

/** A forked chart (notation-aws-verifier 1.x values), pinned by version, its images by digest. */
function forkBackend(settings: Extract<VerifierSettings, { implementation: 'fork' }>): VerifierBackend {
  const layout = layoutOf(settings.chart.name);
  const callerAccess = verifierCallerAccess(TokenReviewSupport.ScopedAudiences);
  return {
    implementation: settings.implementation,
    layout,
    callerAccess,
    call: call(layout),
    trustResourceCrds: () => [],
    workload: (input) => ({
      kind: 'chart',
      chart: settings.chart,
      releaseName: layout.name,
      values: buildForkChartValues({ settings, layout, callerAccess, ...input }),
    }),
  };
}

/** The one selection point of the verifier backend. */
export function selectVerifierBackend(settings: VerifierSettings): VerifierBackend {
  return settings.implementation === VerifierImplementation.Upstream
    ? upstreamBackend(settings)
    : forkBackend(settings);
}
