import { KYVERNO_ADMISSION_SERVICE_ACCOUNT, KYVERNO_NAMESPACE, KYVERNO_RELEASE_NAME } from '../charts.js';

/**
 * How the verifier knows that a call comes from Kyverno's admission controller, decided here and
 * nowhere else.
 *
 * Kyverno sends every `apiCall` with a projected token of its own audience (`kyverno-svc.kyverno.io`,
 * chart 3.9.0's `apiCallToken.audience`). The Kubernetes API server does not accept that audience, so a
 * token that leaks from a verifier cannot be replayed against the cluster. No verifier is configured to
 * ask for the API server's audience:
 * - kyverno-notation-aws v1.1 reviews tokens without audiences (the API server's default audience
 *   only), so its review is turned off (`--reviewKyvernoToken=false`). Turning it on would require
 *   Kyverno to send a token the API server accepts, which is the replayable token this rule forbids.
 * - A fork that reviews against `tokenReview.audiences` keeps its review, scoped to Kyverno's audience.
 * In both cases who may call is decided by the network: a NetworkPolicy admits traffic to the
 * verifier's Pods only from Kyverno's admission controller Pods, and the VPC CNI enforces it
 * (`enableNetworkPolicy`, see SignetCluster). The verifier's namespace holds nothing but the verifier.
 */
export interface VerifierCallerAccess {
  /** Audience of the token Kyverno puts on its calls (never the API server's). */
  readonly kyvernoTokenAudience: string;
  /** Lifetime of that token in seconds: the shortest a projected token may have. */
  readonly kyvernoTokenExpirationSeconds: number;
  /** Whether the verifier reviews the token, and against which audiences. */
  readonly tokenReview:
    { readonly enabled: false } | { readonly enabled: true; readonly audiences: string[] };
  /** The only identity allowed to call, as a username. */
  readonly allowedUser: string;
  /** The Pods allowed to reach the verifier over the network. */
  readonly allowedPods: {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
}

/** Kyverno's own audience for `apiCall` tokens (chart 3.9.0 default): useless against the API server if leaked. */
export const KYVERNO_API_CALL_AUDIENCE = 'kyverno-svc.kyverno.io';

/** The audience the Kubernetes API server accepts by default; no token for it leaves Kyverno. */
export const KUBERNETES_API_AUDIENCE = 'https://kubernetes.default.svc';

/** Shortest lifetime the API server issues a projected service account token for. */
export const MIN_PROJECTED_TOKEN_SECONDS = 600;

/** What a verifier can do with Kyverno's token. */
export const TokenReviewSupport = {
  /** Reviews without audiences (kyverno-notation-aws v1.1): cannot check Kyverno's audience. */
  ApiServerAudienceOnly: 'api-server-audience-only',
  /** Reviews against configured audiences (the fork's `tokenReview.audiences`). */
  ScopedAudiences: 'scoped-audiences',
} as const;
export type TokenReviewSupport = (typeof TokenReviewSupport)[keyof typeof TokenReviewSupport];

/** The one decision of how callers of the verifier are authenticated (see {@link VerifierCallerAccess}). */
export function verifierCallerAccess(support: TokenReviewSupport): VerifierCallerAccess {
  return {
    kyvernoTokenAudience: KYVERNO_API_CALL_AUDIENCE,
    kyvernoTokenExpirationSeconds: MIN_PROJECTED_TOKEN_SECONDS,
    tokenReview:
      support === TokenReviewSupport.ScopedAudiences
        ? { enabled: true, audiences: [KYVERNO_API_CALL_AUDIENCE] }
        : { enabled: false },
    allowedUser: `system:serviceaccount:${KYVERNO_NAMESPACE}:${KYVERNO_ADMISSION_SERVICE_ACCOUNT}`,
    allowedPods: {
      namespace: KYVERNO_NAMESPACE,
      // Chart 3.9.0's labels of the admission controller Pods.
      labels: {
        'app.kubernetes.io/component': 'admission-controller',
        'app.kubernetes.io/instance': KYVERNO_RELEASE_NAME,
      },
    },
  };
}

/** A NetworkPolicy (networking.k8s.io/v1). */
export interface NetworkPolicyManifest {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'NetworkPolicy';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
  };
  readonly spec: {
    readonly podSelector: Record<string, never>;
    readonly policyTypes: ['Ingress'];
    readonly ingress: {
      from: {
        namespaceSelector: { matchLabels: Record<string, string> };
        podSelector: { matchLabels: Record<string, string> };
      }[];
    }[];
  };
}

/**
 * Every Pod of the verifier's namespace accepts connections only from the allowed Kyverno Pods (one
 * peer: namespace and Pod labels together). Egress stays open: the verifier calls the API server,
 * ECR and AWS Signer.
 */
export function buildVerifierIngressPolicy(
  namespace: string,
  access: VerifierCallerAccess,
  labels: Record<string, string>,
): NetworkPolicyManifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'verifier-callers', namespace, labels },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              // `kubernetes.io/metadata.name` is set by the API server: no namespace can claim Kyverno's name.
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': access.allowedPods.namespace },
              },
              podSelector: { matchLabels: { ...access.allowedPods.labels } },
            },
          ],
        },
      ],
    },
  };
}
