import { appTrustPolicyName, SignatureKind } from '../trust/app-trust-policy.js';
import {
  checkImageVerificationInput,
  type FailureAction,
  excludedNamespaces,
  IMAGE_VERIFICATION_RULES,
  WEBHOOK_TIMEOUT_SECONDS,
  type ImageVerificationPolicyInput,
} from './cluster-policy-input.js';
import type { ApiCallContextEntry } from './verifier-call.js';

export {
  excludedNamespaces,
  FailureAction,
  IMAGE_VERIFICATION_RULES,
  MAX_RULE_NAME_LENGTH,
  WEBHOOK_TIMEOUT_SECONDS,
  type AdmittedAppInput,
  type ImageVerificationPolicyInput,
  type PlatformImages,
} from './cluster-policy-input.js';

/** Name of the ClusterPolicy unless the input names it. */
export const DEFAULT_IMAGE_VERIFICATION_POLICY_NAME = 'signet-verify-images';

/** A Kyverno `match`/`exclude` block (the subset Signet uses). */
export interface ResourceFilters {
  readonly any: readonly {
    readonly resources: {
      readonly kinds: readonly string[];
      /** Absent: every namespace. */
      readonly namespaces?: readonly string[];
      readonly operations?: readonly ('CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT')[];
    };
  }[];
}

/** A validate rule of a Kyverno ClusterPolicy (the subset Signet uses). */
export interface ValidateRule {
  readonly name: string;
  readonly match: ResourceFilters;
  readonly exclude?: ResourceFilters;
  readonly context?: readonly ApiCallContextEntry[];
  readonly validate: {
    readonly failureAction: FailureAction;
    readonly allowExistingViolations: false;
    readonly message: string;
    readonly pattern?: unknown;
    readonly deny?: { readonly conditions: unknown };
  };
}

/** A Kyverno `ClusterPolicy` (kyverno.io/v1), typed for what Signet generates. */
export interface ClusterPolicy {
  readonly apiVersion: 'kyverno.io/v1';
  readonly kind: 'ClusterPolicy';
  readonly metadata: { readonly name: string; readonly annotations: Readonly<Record<string, string>> };
  readonly spec: {
    readonly admission: true;
    readonly background: false;
    readonly webhookConfiguration: { readonly failurePolicy: 'Fail'; readonly timeoutSeconds: number };
    readonly rules: readonly ValidateRule[];
  };
}

// A digest is "sha256:" and 64 hex characters; `?` matches exactly one character in Kyverno
// patterns, so a short or empty digest is refused too.
const DIGEST_PATTERN = `@sha256:${'?'.repeat(64)}`;

/**
 * The one kind every rule matches. `Pod` alone is what makes Kyverno generate the `autogen-` and
 * `autogen-cronjob-` rules that check Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * ReplicationControllers, Jobs and CronJobs when they are created or updated: a rule that lists
 * `Pod` with any other kind (even `Pod/ephemeralcontainers`) turns autogen off for the whole policy,
 * and an unsigned Deployment is then accepted and only fails later, Pod by Pod, at rollout
 * (https://kyverno.io/docs/policy-types/cluster-policy/autogen/, `isKindOtherthanPod` in
 * pkg/autogen/v1/autogen.go). Ephemeral containers stay covered: Kyverno registers
 * `pods/ephemeralcontainers` in its webhook for every policy on Pods and matches that subresource to
 * a `Pod` rule (kyverno/kyverno#5886, `CheckKind` in pkg/utils/match/kind.go).
 */
export const MATCHED_KINDS: readonly string[] = ['Pod'];

/**
 * The Pod controllers Kyverno 1.19 generates rules for when the policy carries no
 * `pod-policies.kyverno.io/autogen-controllers` annotation (`PodControllers` in
 * pkg/autogen/v1/autogen.go). The policy sets no such annotation: naming a subset would leave the
 * other controllers unchecked at creation.
 */
export const AUTOGEN_CONTROLLERS: readonly string[] = [
  'DaemonSet',
  'Deployment',
  'Job',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
  'CronJob',
];

/**
 * The Kyverno ClusterPolicy that decides which images run in every namespace but the system ones
 * ({@link excludedNamespaces}, by exact name, never by a label a workload could set):
 * - in an app's namespace, only images of that app's repository, by digest, that the verifier
 *   accepts under that app's trust policy ({@link appTrustPolicyName}) and, where the app requires a
 *   release signature, also under its release trust policy (two rules, two calls, both must pass):
 *   another app's repository or another app's signature is refused there;
 * - in a namespace of no app with platform images, exactly those images (repository and digest);
 * - in any other namespace, including one created after this policy, no Pod at all.
 * Every container kind is checked (containers, initContainers, ephemeralContainers), and Kyverno
 * derives the same rules for Pod controllers ({@link AUTOGEN_CONTROLLERS}), so a Deployment or
 * CronJob with such an image is refused when it is created or updated, not at rollout.
 *
 * Fail closed throughout: `failurePolicy: Fail`, no `default` on the verifier call (an
 * unreachable verifier or an HTTP 406 answer is a rule error, which denies under `Enforce`), the
 * deny condition admits only a JSON `true` for `verified`, and an UPDATE is judged on the new
 * object alone.
 */
export function buildImageVerificationClusterPolicy(input: ImageVerificationPolicyInput): ClusterPolicy {
  checkImageVerificationInput(input);
  const { verifier } = input;
  const platformImages = input.platformImages ?? {};
  const platformNamespaces = Object.keys(platformImages).sort();
  const system = excludedNamespaces(input);

  // Each rule gets its own objects: shared references would render as YAML anchors.
  const match = (namespaces?: readonly string[]): ResourceFilters => ({
    any: [
      {
        resources: {
          kinds: [...MATCHED_KINDS],
          ...(namespaces && { namespaces: [...namespaces] }),
          operations: ['CREATE', 'UPDATE'],
        },
      },
    ],
  });
  const exclude = (namespaces: readonly string[]): ResourceFilters => ({
    any: [{ resources: { kinds: [...MATCHED_KINDS], namespaces: [...namespaces] } }],
  });

  // Every rule judges the object as it will be after the request. Kyverno's default
  // (`allowExistingViolations: true`) skips an UPDATE whose old object already failed the rule, so a
  // workload admitted before the policy (or under Audit) could be switched to another unverified
  // image (https://kyverno.io/docs/policy-types/cluster-policy/validate/, pkg/engine/handlers/validation/validate_resource.go).
  const validation = () => ({ failureAction: input.failureAction, allowExistingViolations: false as const });

  // Kyverno's pattern alternation: the image must equal one of the alternatives.
  const imagesPattern = (alternatives: readonly string[]) => {
    const image = () => [{ image: alternatives.join(' | ') }];
    return {
      spec: { containers: image(), '=(initContainers)': image(), '=(ephemeralContainers)': image() },
    };
  };

  const signatureRule = (name: string, trustPolicy: string, namespace: string): ValidateRule => ({
    name,
    match: match([namespace]),
    context: [...verifier.context(trustPolicy)],
    validate: {
      ...validation(),
      message: verifier.message,
      deny: { conditions: structuredClone(verifier.denyConditions) },
    },
  });

  const appRules = input.apps.flatMap((app): ValidateRule[] => [
    {
      name: IMAGE_VERIFICATION_RULES.repository(app.name),
      match: match([app.namespace]),
      validate: {
        ...validation(),
        message: `In namespace ${app.namespace}, every image must be referenced by digest from app ${app.name}'s repository: ${app.repositoryUrl}@sha256:<digest>.`,
        pattern: imagesPattern([`${app.repositoryUrl}${DIGEST_PATTERN}`]),
      },
    },
    signatureRule(IMAGE_VERIFICATION_RULES.signatures(app.name), appTrustPolicyName(app.name), app.namespace),
    // A second, independent call under the release trust policy: each rule denies on its own, so an
    // image is admitted only when both signatures verify.
    ...(app.requireReleaseSignature === true
      ? [
          signatureRule(
            IMAGE_VERIFICATION_RULES.releaseSignatures(app.name),
            appTrustPolicyName(app.name, SignatureKind.Release),
            app.namespace,
          ),
        ]
      : []),
  ]);

  const platformRules = platformNamespaces.map((namespace): ValidateRule => ({
    name: IMAGE_VERIFICATION_RULES.platformImages(namespace),
    match: match([namespace]),
    validate: {
      ...validation(),
      message: `Namespace ${namespace} belongs to no app; it runs only the platform images listed for it: ${(platformImages[namespace] ?? []).join(', ')}.`,
      pattern: imagesPattern([...new Set(platformImages[namespace])].sort()),
    },
  }));

  const handled = [...system, ...input.apps.map((app) => app.namespace), ...platformNamespaces];
  const unlistedRule: ValidateRule = {
    name: IMAGE_VERIFICATION_RULES.unlistedNamespaces,
    match: match(),
    exclude: exclude(handled),
    validate: {
      ...validation(),
      message:
        'Namespace {{ request.namespace }} belongs to no app and has no platform images: no Pod may run in it. Deploy an app through its pipeline, or list the image by digest for this namespace in the platform images.',
      // Matched only outside the handled namespaces; the condition says so again, so the rule denies
      // there even if the exclusion were lost.
      deny: {
        conditions: { any: [{ key: '{{ request.namespace }}', operator: 'AnyNotIn', value: [...handled] }] },
      },
    },
  };

  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: input.name ?? DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
      annotations: {
        'policies.kyverno.io/title': 'Signed images only',
        'policies.kyverno.io/category': 'Software Supply Chain Security',
        'policies.kyverno.io/subject': 'Pod',
        'policies.kyverno.io/description':
          "Outside the system namespaces, Pods and the controllers that create them run only their app's images, from the app's ECR repository, by digest, with an AWS Signer signature the app's Notation trust policy accepts; namespaces of no app run only the platform images listed for them, by digest.",
      },
    },
    spec: {
      admission: true,
      // The verifier is called with the admission request's images; background scans have none.
      background: false,
      webhookConfiguration: {
        failurePolicy: 'Fail',
        timeoutSeconds: input.timeoutSeconds ?? WEBHOOK_TIMEOUT_SECONDS.max,
      },
      rules: [...appRules, ...platformRules, unlistedRule],
    },
  };
}
