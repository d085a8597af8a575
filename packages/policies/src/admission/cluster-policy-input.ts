import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain, CLUSTER_SYSTEM_NAMESPACES } from '../kubernetes.js';
import { assertImageByDigest, assertRepositoryUri } from '../registry.js';
import type { VerifierCall } from './verifier-call.js';

/** What Kyverno does with a request that fails a rule. */
export const FailureAction = {
  /** Deny the request. */
  Enforce: 'Enforce',
  /** Admit the request and record a policy report entry. */
  Audit: 'Audit',
} as const;
export type FailureAction = (typeof FailureAction)[keyof typeof FailureAction];

/** Kyverno's API server webhook timeout bounds, in seconds. */
export const WEBHOOK_TIMEOUT_SECONDS = { min: 1, max: 30 } as const;

/** An app whose namespace runs only its own repository's images, signed by its own profiles. */
export interface AdmittedAppInput {
  /** App name: names its rules and, through `appTrustPolicyName`, its trust policy. */
  readonly name: string;
  /** The app's namespace. */
  readonly namespace: string;
  /** The app's repository (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`), the only one admitted there. */
  readonly repositoryUrl: string;
  /**
   * Images must also carry this environment's release signature: a second signature rule asks the
   * verifier under the app's release trust policy, and both rules must pass. Default false (only
   * the build signature, as in the building environment).
   */
  readonly requireReleaseSignature?: boolean;
}

/**
 * Images the platform team runs outside the apps, per namespace: each entry is exactly
 * `<repository>@sha256:<64 hex>`, admitted in that namespace only. No tags, no wildcards.
 */
export type PlatformImages = Readonly<Record<string, readonly string[]>>;

/** Input of {@link buildImageVerificationClusterPolicy}. */
export interface ImageVerificationPolicyInput {
  /** ClusterPolicy name. Default {@link DEFAULT_IMAGE_VERIFICATION_POLICY_NAME}. */
  readonly name?: string;
  /** The environment's apps: one namespace each, bound to the app's repository and trust policy. */
  readonly apps: readonly AdmittedAppInput[];
  /** Images admitted in namespaces of no app, per namespace. Default none. */
  readonly platformImages?: PlatformImages;
  /**
   * The verifier the signature rules ask, as its backend calls it (for kyverno-notation-aws:
   * {@link notationAwsVerifierCall}); its namespace is excluded by name.
   */
  readonly verifier: VerifierCall;
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

/**
 * Names of the rules. Kyverno prefixes `autogen-` (controllers) and `autogen-cronjob-` (CronJobs) to
 * the rules it derives, and a rule name has at most 63 characters, so these stay within 47.
 */
export const IMAGE_VERIFICATION_RULES = {
  /** In the app's namespace: only the app's repository, by digest. */
  repository: (app: string) => `images-${app}`,
  /** In the app's namespace: the verifier accepts every image under the app's (build) trust policy. */
  signatures: (app: string) => `signed-${app}`,
  /** In the app's namespace, where required: the verifier accepts every image under its release trust policy. */
  releaseSignatures: (app: string) => `relsig-${app}`,
  /** In a namespace with platform images: exactly those images. */
  platformImages: (namespace: string) => `platform-${namespace}`,
  /** Every other namespace outside the system ones: nothing runs. */
  unlistedNamespaces: 'no-app-namespace',
} as const;

/** Longest rule name Signet writes: 63 minus the `autogen-cronjob-` prefix of derived rules. */
export const MAX_RULE_NAME_LENGTH = 63 - 'autogen-cronjob-'.length;

/**
 * Namespaces never matched: the cluster's own, Kyverno's and the verifier's (a verifier must not
 * admit itself). The one list the ClusterPolicy, Kyverno's webhook configuration and the
 * ValidatingAdmissionPolicy backstop all read.
 */
export function excludedNamespaces(input: {
  readonly kyvernoNamespace: string;
  readonly verifier: Pick<VerifierCall, 'namespace'>;
}): string[] {
  return [...new Set([...CLUSTER_SYSTEM_NAMESPACES, input.kyvernoNamespace, input.verifier.namespace])];
}

function checkRuleName(name: string, field: string, value: string): void {
  if (name.length > MAX_RULE_NAME_LENGTH) {
    throw new PolicyInputError(
      field,
      `${quote(value)} is too long for its rule name ${quote(name)}; allowed: a rule name of at most ${MAX_RULE_NAME_LENGTH} characters (Kyverno caps names at 63 and derived CronJob rules add "autogen-cronjob-")`,
    );
  }
}

function checkApps(input: ImageVerificationPolicyInput, reserved: ReadonlySet<string>): Set<string> {
  if (input.apps.length === 0) {
    throw new PolicyInputError('apps', 'is empty; list the apps whose namespaces run signed images');
  }
  const names = new Set<string>();
  const namespaces = new Set<string>();
  const repositories = new Set<string>();
  input.apps.forEach((app, i) => {
    const at = `apps[${i}]`;
    assertDnsLabel(app.name, `${at}.name`);
    checkRuleName(IMAGE_VERIFICATION_RULES.signatures(app.name), `${at}.name`, app.name);
    checkRuleName(IMAGE_VERIFICATION_RULES.releaseSignatures(app.name), `${at}.name`, app.name);
    if (app.requireReleaseSignature !== undefined && typeof app.requireReleaseSignature !== 'boolean') {
      throw new PolicyInputError(
        `${at}.requireReleaseSignature`,
        `${quote(app.requireReleaseSignature)} is not true or false`,
      );
    }
    assertDnsLabel(app.namespace, `${at}.namespace`);
    assertRepositoryUri(app.repositoryUrl, `${at}.repositoryUrl`);
    if (reserved.has(app.namespace)) {
      throw new PolicyInputError(
        `${at}.namespace`,
        `${quote(app.namespace)} is a cluster, Kyverno or verifier namespace; those are never matched (a verifier that must admit itself would deadlock), pick an application namespace`,
      );
    }
    for (const [seen, value, field] of [
      [names, app.name, 'name'],
      [namespaces, app.namespace, 'namespace'],
      [repositories, app.repositoryUrl, 'repositoryUrl'],
    ] as const) {
      if (seen.has(value)) {
        throw new PolicyInputError(
          `${at}.${field}`,
          `${quote(value)} is used by another app; each app has its own ${field}`,
        );
      }
      seen.add(value);
    }
  });
  return namespaces;
}

function checkPlatformImages(
  platformImages: PlatformImages,
  reserved: ReadonlySet<string>,
  appNamespaces: ReadonlySet<string>,
): void {
  for (const [namespace, images] of Object.entries(platformImages)) {
    const at = `platformImages.${namespace}`;
    assertDnsLabel(namespace, at);
    checkRuleName(IMAGE_VERIFICATION_RULES.platformImages(namespace), at, namespace);
    if (reserved.has(namespace) || appNamespaces.has(namespace)) {
      throw new PolicyInputError(
        at,
        `${quote(namespace)} is ${reserved.has(namespace) ? 'a cluster, Kyverno or verifier namespace' : "an app's namespace"}; platform images go to a namespace of no app outside the system ones`,
      );
    }
    if (images.length === 0) {
      throw new PolicyInputError(
        at,
        'is empty; list at least one image as <repository>@sha256:<64 hex>, or remove the namespace',
      );
    }
    const seen = new Set<string>();
    images.forEach((image, i) => {
      assertImageByDigest(image, `${at}[${i}]`);
      if (seen.has(image)) {
        throw new PolicyInputError(`${at}[${i}]`, `${quote(image)} is listed twice; list each image once`);
      }
      seen.add(image);
    });
  }
}

/** Throws a {@link PolicyInputError} naming the first field of `input` that cannot make a sound policy. */
export function checkImageVerificationInput(input: ImageVerificationPolicyInput): void {
  if (input.name !== undefined) assertDnsSubdomain(input.name, 'name');
  assertDnsLabel(input.kyvernoNamespace, 'kyvernoNamespace');
  assertDnsLabel(input.verifier.namespace, 'verifier.namespace');
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
  const reserved = new Set(excludedNamespaces(input));
  const appNamespaces = checkApps(input, reserved);
  checkPlatformImages(input.platformImages ?? {}, reserved, appNamespaces);
}
