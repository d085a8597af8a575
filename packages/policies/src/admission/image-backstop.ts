import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain } from '../kubernetes.js';
import { assertImageByDigest, assertRepositoryUri } from '../registry.js';
import { FailureAction, type PlatformImages } from './cluster-policy-input.js';

/** Name of the ValidatingAdmissionPolicy and its binding unless the input names them. */
export const DEFAULT_IMAGE_BACKSTOP_NAME = 'signet-image-backstop';

/** Input of {@link buildImageBackstop}. */
export interface ImageBackstopInput {
  /** Name of the policy and its binding. Default {@link DEFAULT_IMAGE_BACKSTOP_NAME}. */
  readonly name?: string;
  /** The namespaces Kyverno never matches (cluster, Kyverno, verifier), by exact name. */
  readonly systemNamespaces: readonly string[];
  /**
   * The only images besides the add-ons' that run in the system namespaces: Kyverno's, its hooks' and
   * the verifier's, exactly as their Pods reference them, pinned by digest (`<repository>@sha256:…`,
   * a tag before the digest allowed). Absent: the system namespaces are not checked by the backstop
   * at all (for a cluster whose admission images are not pinned yet; every image there would be denied).
   */
  readonly systemImages?: readonly string[] | undefined;
  /** Registry hosts of the EKS add-ons for the stack's Region (see `eksAddonRegistry`). */
  readonly addonRegistries: readonly string[];
  /** This environment's ECR repositories: outside the system namespaces, images come from these by digest. */
  readonly repositories: readonly string[];
  /** Platform images (by digest) also admitted outside the system namespaces. */
  readonly platformImages?: PlatformImages;
  /** `Enforce` denies; `Audit` (where the environment may audit) only warns and audits, as Kyverno does. */
  readonly failureAction: FailureAction;
}

/** A CEL validation of a ValidatingAdmissionPolicy. */
export interface CelValidation {
  readonly expression: string;
  readonly messageExpression: string;
  readonly reason: 'Forbidden';
}

/** A `ValidatingAdmissionPolicy` (admissionregistration.k8s.io/v1), typed for what Signet generates. */
export interface ValidatingAdmissionPolicy {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingAdmissionPolicy';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly failurePolicy: 'Fail';
    readonly matchConstraints: {
      readonly resourceRules: readonly {
        readonly apiGroups: readonly string[];
        readonly apiVersions: readonly string[];
        readonly operations: readonly string[];
        readonly resources: readonly string[];
      }[];
    };
    readonly variables: readonly { readonly name: string; readonly expression: string }[];
    readonly validations: readonly CelValidation[];
  };
}

/** Its `ValidatingAdmissionPolicyBinding`: every namespace, no parameters. */
export interface ValidatingAdmissionPolicyBinding {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingAdmissionPolicyBinding';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly policyName: string;
    readonly validationActions: readonly ('Deny' | 'Warn' | 'Audit')[];
  };
}

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

// A CEL string literal: single-quoted, with backslash and quote escaped.
const cel = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const celList = (values: readonly string[]) => `[${values.map(cel).join(', ')}]`;

function checkList(
  values: readonly string[],
  field: string,
  check: (value: string, at: string) => void,
): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    check(value, `${field}[${i}]`);
    if (seen.has(value)) {
      throw new PolicyInputError(`${field}[${i}]`, `${quote(value)} is listed twice; list each once`);
    }
    seen.add(value);
  });
}

function checkInput(input: ImageBackstopInput): void {
  if (input.name !== undefined) assertDnsSubdomain(input.name, 'name');
  if (input.systemNamespaces.length === 0) {
    throw new PolicyInputError('systemNamespaces', 'is empty; list the namespaces Kyverno never matches');
  }
  checkList(input.systemNamespaces, 'systemNamespaces', assertDnsLabel);
  checkList(input.systemImages ?? [], 'systemImages', (image, at) => {
    assertImageByDigest(image, at, { tagAllowed: true });
  });
  checkList(input.addonRegistries, 'addonRegistries', (host, at) => {
    if (!HOST.test(host)) {
      throw new PolicyInputError(
        at,
        `${quote(host)} is not a registry host; expected e.g. 602401143452.dkr.ecr.eu-west-1.amazonaws.com`,
      );
    }
  });
  if (input.repositories.length === 0) {
    throw new PolicyInputError('repositories', "is empty; list the environment's ECR repositories");
  }
  checkList(input.repositories, 'repositories', assertRepositoryUri);
  for (const [namespace, images] of Object.entries(input.platformImages ?? {})) {
    checkList(images, `platformImages.${namespace}`, assertImageByDigest);
  }
  if (!(Object.values(FailureAction) as string[]).includes(input.failureAction)) {
    throw new PolicyInputError(
      'failureAction',
      `${quote(input.failureAction)} is not a failure action; expected ${Object.values(FailureAction).join(' or ')}`,
    );
  }
}

/**
 * The webhook-free second layer under Kyverno: a ValidatingAdmissionPolicy evaluated by the API
 * server itself on every Pod created or updated, and on `pods/ephemeralcontainers`, in every
 * namespace (the binding selects nothing, so a new namespace is covered when it exists). It needs no
 * webhook, so it holds where Kyverno cannot: in the system namespaces, and when Kyverno is down.
 * - In the system namespaces: every image (containers, initContainers, ephemeralContainers) is one of
 *   `systemImages` exactly, or comes from an EKS add-on registry of the Region.
 * - Everywhere else: every image is `<one of the repositories>@sha256:<64 hex>`, or exactly one of the
 *   platform images.
 * `failurePolicy: Fail`: an expression error denies.
 */
export function buildImageBackstop(input: ImageBackstopInput): {
  readonly policy: ValidatingAdmissionPolicy;
  readonly binding: ValidatingAdmissionPolicyBinding;
} {
  checkInput(input);
  const name = input.name ?? DEFAULT_IMAGE_BACKSTOP_NAME;
  const platformImages = [...new Set(Object.values(input.platformImages ?? {}).flat())].sort();
  const containers = (field: string) =>
    `(has(object.spec.${field}) ? object.spec.${field}.map(c, c.image) : [])`;
  const systemValidation: CelValidation = {
    expression:
      '!variables.system || variables.images.all(i, i in variables.systemImages || variables.addonRegistries.exists(r, i.startsWith(r)))',
    messageExpression:
      "'in system namespace ' + request.namespace + ' only the pinned Kyverno and verifier images and EKS add-on images run; refused: ' + variables.images.filter(i, !(i in variables.systemImages || variables.addonRegistries.exists(r, i.startsWith(r)))).join(', ')",
    reason: 'Forbidden',
  };
  const policy: ValidatingAdmissionPolicy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['pods', 'pods/ephemeralcontainers'],
          },
        ],
      },
      variables: [
        {
          name: 'images',
          expression: ['containers', 'initContainers', 'ephemeralContainers'].map(containers).join(' + '),
        },
        { name: 'system', expression: `request.namespace in ${celList(input.systemNamespaces)}` },
        { name: 'systemImages', expression: celList(input.systemImages ?? []) },
        { name: 'addonRegistries', expression: celList(input.addonRegistries.map((host) => `${host}/`)) },
        { name: 'repositories', expression: celList(input.repositories.map((repo) => `${repo}@sha256:`)) },
        { name: 'platformImages', expression: celList(platformImages) },
      ],
      validations: [
        ...(input.systemImages === undefined ? [] : [systemValidation]),
        {
          expression:
            "variables.system || variables.images.all(i, (i.matches('^[^@]+@sha256:[a-f0-9]{64}$') && variables.repositories.exists(r, i.startsWith(r))) || i in variables.platformImages)",
          messageExpression:
            "'every image must be by digest from this environment\\'s ECR repositories, or a listed platform image; refused: ' + variables.images.filter(i, !((i.matches('^[^@]+@sha256:[a-f0-9]{64}$') && variables.repositories.exists(r, i.startsWith(r))) || i in variables.platformImages)).join(', ')",
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding: ValidatingAdmissionPolicyBinding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: {
      policyName: name,
      validationActions: input.failureAction === FailureAction.Enforce ? ['Deny'] : ['Warn', 'Audit'],
    },
  };
  return { policy, binding };
}
