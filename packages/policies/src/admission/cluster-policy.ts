import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain, CLUSTER_SYSTEM_NAMESPACES } from '../kubernetes.js';
import { assertRepositoryUri } from '../registry.js';
import type { ApiCallContextEntry, VerifierCall } from './verifier-call.js';

/** What Kyverno does with a request that fails a rule. */
export const FailureAction = {
  /** Deny the request. */
  Enforce: 'Enforce',
  /** Admit the request and record a policy report entry. */
  Audit: 'Audit',
} as const;
export type FailureAction = (typeof FailureAction)[keyof typeof FailureAction];

/** Name of the ClusterPolicy unless the input names it. */
export const DEFAULT_IMAGE_VERIFICATION_POLICY_NAME = 'signet-verify-images';

/** Kyverno's API server webhook timeout bounds, in seconds. */
export const WEBHOOK_TIMEOUT_SECONDS = { min: 1, max: 30 } as const;

/** Input of {@link buildImageVerificationClusterPolicy}. */
export interface ImageVerificationPolicyInput {
  /** ClusterPolicy name. Default {@link DEFAULT_IMAGE_VERIFICATION_POLICY_NAME}. */
  readonly name?: string;
  /** Namespaces whose Pods must run signed images. Only these are matched. */
  readonly appNamespaces: readonly string[];
  /**
   * Fully qualified repositories Pods may run images from
   * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`); images must be referenced by digest.
   */
  readonly allowedRepositories: readonly string[];
  /**
   * The verifier the signature rule asks, as its backend calls it (for kyverno-notation-aws:
   * {@link notationAwsVerifierCall}); its namespace is excluded by name.
   */
  readonly verifier: VerifierCall;
  /** Name of the `TrustPolicy` resource the verifier evaluates. */
  readonly trustPolicyName: string;
  /** Namespace Kyverno runs in (excluded by name). */
  readonly kyvernoNamespace: string;
  /** `Enforce` denies unverified Pods; `Audit` only reports them. Chosen per environment. */
  readonly failureAction: FailureAction;
  /**
   * Webhook timeout, 1 to 30 seconds. Default 30: verification calls ECR and AWS Signer, and a
   * timeout denies (fail closed), so a short timeout turns slow dependencies into outages.
   */
  readonly timeoutSeconds?: number;
}

/** A Kyverno `match`/`exclude` block (the subset Signet uses). */
export interface ResourceFilters {
  readonly any: readonly {
    readonly resources: {
      readonly kinds: readonly string[];
      readonly namespaces: readonly string[];
      readonly operations?: readonly ('CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT')[];
    };
  }[];
}

/** A validate rule of a Kyverno ClusterPolicy (the subset Signet uses). */
export interface ValidateRule {
  readonly name: string;
  readonly match: ResourceFilters;
  readonly exclude: ResourceFilters;
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

/** Names of the rules; Kyverno prefixes `autogen-` (controllers) and `autogen-cronjob-` (CronJobs). */
export const IMAGE_VERIFICATION_RULES = {
  allowedRepositories: 'allowed-repositories-by-digest',
  verifySignatures: 'verify-aws-signer-signatures',
} as const;

function checkInput(input: ImageVerificationPolicyInput): void {
  if (input.name !== undefined) assertDnsSubdomain(input.name, 'name');
  assertDnsLabel(input.kyvernoNamespace, 'kyvernoNamespace');
  assertDnsLabel(input.verifier.namespace, 'verifier.namespace');
  assertDnsSubdomain(input.trustPolicyName, 'trustPolicyName');
  if (!(Object.values(FailureAction) as string[]).includes(input.failureAction)) {
    throw new PolicyInputError(
      'failureAction',
      `${quote(input.failureAction)} is not a failure action; expected ${Object.values(FailureAction).join(' or ')}`,
    );
  }
  const timeout = input.timeoutSeconds;
  if (
    timeout !== undefined &&
    (!Number.isInteger(timeout) ||
      timeout < WEBHOOK_TIMEOUT_SECONDS.min ||
      timeout > WEBHOOK_TIMEOUT_SECONDS.max)
  ) {
    throw new PolicyInputError(
      'timeoutSeconds',
      `${quote(timeout)} is out of range; expected an integer from ${WEBHOOK_TIMEOUT_SECONDS.min} to ${WEBHOOK_TIMEOUT_SECONDS.max} seconds`,
    );
  }

  if (input.appNamespaces.length === 0) {
    throw new PolicyInputError(
      'appNamespaces',
      'is empty; list the namespaces whose Pods must run signed images',
    );
  }
  const reserved = new Set([...CLUSTER_SYSTEM_NAMESPACES, input.kyvernoNamespace, input.verifier.namespace]);
  const seen = new Set<string>();
  input.appNamespaces.forEach((ns, i) => {
    const at = `appNamespaces[${i}]`;
    assertDnsLabel(ns, at);
    if (reserved.has(ns)) {
      throw new PolicyInputError(
        at,
        `${quote(ns)} is a cluster, Kyverno or verifier namespace; those are never matched (a verifier that must admit itself would deadlock), pick an application namespace`,
      );
    }
    if (seen.has(ns))
      throw new PolicyInputError(at, `${quote(ns)} is listed twice; list each namespace once`);
    seen.add(ns);
  });

  if (input.allowedRepositories.length === 0) {
    throw new PolicyInputError(
      'allowedRepositories',
      'is empty; list the ECR repositories Pods may run images from',
    );
  }
  const repos = new Set<string>();
  input.allowedRepositories.forEach((repo, i) => {
    assertRepositoryUri(repo, `allowedRepositories[${i}]`);
    if (repos.has(repo)) {
      throw new PolicyInputError(
        `allowedRepositories[${i}]`,
        `${quote(repo)} is listed twice; list each repository once`,
      );
    }
    repos.add(repo);
  });
}

/**
 * The Kyverno ClusterPolicy that admits a Pod in an application namespace only if every image
 * (containers, initContainers, ephemeralContainers) comes from an allowed repository by digest
 * and carries an AWS Signer signature the Notation verifier accepts under `trustPolicyName`.
 * Kyverno derives the same two rules for Pod controllers ({@link AUTOGEN_CONTROLLERS}), so a
 * Deployment or CronJob with such an image is refused when it is created or updated, not at rollout.
 *
 * Fail closed throughout: `failurePolicy: Fail`, no `default` on the verifier call (an
 * unreachable verifier or an HTTP 406 answer is a rule error, which denies under `Enforce`), the
 * deny condition admits only a JSON `true` for `verified`, and an UPDATE is judged on the new
 * object alone. Cluster, Kyverno and verifier namespaces are excluded by name, never by a label a
 * workload could set.
 */
export function buildImageVerificationClusterPolicy(input: ImageVerificationPolicyInput): ClusterPolicy {
  checkInput(input);
  const { verifier } = input;
  const excludedNamespaces = [
    ...new Set([...CLUSTER_SYSTEM_NAMESPACES, input.kyvernoNamespace, verifier.namespace]),
  ];

  // Each rule gets its own objects: shared references would render as YAML anchors.
  const match = (): ResourceFilters => ({
    any: [
      {
        resources: {
          kinds: [...MATCHED_KINDS],
          namespaces: [...input.appNamespaces],
          operations: ['CREATE', 'UPDATE'],
        },
      },
    ],
  });
  const exclude = (): ResourceFilters => ({
    any: [{ resources: { kinds: [...MATCHED_KINDS], namespaces: [...excludedNamespaces] } }],
  });

  // Both rules judge the object as it will be after the request. Kyverno's default
  // (`allowExistingViolations: true`) skips an UPDATE whose old object already failed the rule, so a
  // workload admitted before the policy (or under Audit) could be switched to another unverified
  // image (https://kyverno.io/docs/policy-types/cluster-policy/validate/, pkg/engine/handlers/validation/validate_resource.go).
  const validation = () => ({ failureAction: input.failureAction, allowExistingViolations: false as const });

  const allowedImages = input.allowedRepositories.map((repo) => `${repo}${DIGEST_PATTERN}`).join(' | ');
  const imagePattern = () => [{ image: allowedImages }];

  const allowedImagesRule: ValidateRule = {
    name: IMAGE_VERIFICATION_RULES.allowedRepositories,
    match: match(),
    exclude: exclude(),
    validate: {
      ...validation(),
      message: `Every image must be referenced by digest (<repository>@sha256:<digest>) from one of: ${input.allowedRepositories.join(', ')}.`,
      pattern: {
        spec: {
          containers: imagePattern(),
          '=(initContainers)': imagePattern(),
          '=(ephemeralContainers)': imagePattern(),
        },
      },
    },
  };

  const verifySignaturesRule: ValidateRule = {
    name: IMAGE_VERIFICATION_RULES.verifySignatures,
    match: match(),
    exclude: exclude(),
    context: [...verifier.context(input.trustPolicyName)],
    validate: {
      ...validation(),
      message: verifier.message,
      deny: { conditions: verifier.denyConditions },
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
          'Pods in application namespaces, and the controllers that create them, run only images from the allowed ECR repositories, by digest, with an AWS Signer signature accepted by the Notation trust policy.',
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
      rules: [allowedImagesRule, verifySignaturesRule],
    },
  };
}
