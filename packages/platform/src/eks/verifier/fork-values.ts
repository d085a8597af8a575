import { chartTagForPin } from '../images.js';
import type { VerifierCallerAccess } from './caller-access.js';
import type { VerifierLayout, VerifierSettings } from './backend.js';

/** Input of {@link buildForkChartValues}. */
export interface ForkChartValuesInput<RoleArn> {
  readonly settings: Extract<VerifierSettings, { implementation: 'fork' }>;
  readonly layout: VerifierLayout;
  readonly callerAccess: VerifierCallerAccess;
  readonly region: string;
  readonly roleArn: RoleArn;
  readonly defaultTrustPolicy: string;
  readonly spreadAcrossZones: boolean;
}

/** Helm values of a forked verifier chart (notation-aws-verifier 1.x). */
export function buildForkChartValues<RoleArn>(input: ForkChartValuesInput<RoleArn>): Record<string, unknown> {
  const { settings, layout, callerAccess } = input;
  const ha = settings.replicas > 1;
  const review = callerAccess.tokenReview;
  return {
    region: input.region,
    fullnameOverride: layout.name,
    // `<registry>/<repository>:<tag>@sha256:…`: pulled by digest whatever the tag says.
    image: {
      repository: `${settings.image.registry}/${settings.image.repository}`,
      tag: chartTagForPin(settings.image),
    },
    serviceAccount: {
      enabled: true,
      name: layout.serviceAccountName,
      annotations: { 'eks.amazonaws.com/role-arn': input.roleArn },
    },
    crds: { install: true },
    replicaCount: settings.replicas,
    podDisruptionBudget: ha ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
    topologySpreadConstraints:
      ha && input.spreadAcrossZones
        ? [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }]
        : [],
    cache: { enabled: true, ttlSeconds: settings.cacheTtlSeconds },
    tokenReview: {
      enabled: review.enabled,
      // Only the admission controller calls the verifier: the policy runs at admission only.
      allowedUsers: [callerAccess.allowedUser],
      audiences: review.enabled ? review.audiences : [],
    },
    defaultTrustPolicy: input.defaultTrustPolicy,
    deployment: { allowInsecureRegistry: false, imagePullSecrets: {} },
  };
}
