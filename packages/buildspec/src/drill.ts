/**
 * The admission drill: what a cluster must refuse in an app's namespace, submitted as server-side
 * dry runs, so the API server runs admission (Kyverno's webhooks and the image backstop) and
 * persists nothing (https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run). The one
 * owner of the drill's cases: `signet drill` runs them, and VerifyContainerSign runs them after
 * deploying, through the script {@link renderDrillScript} writes.
 *
 * The namespace is the app's own: admission applies to the app namespaces only (excluded system
 * namespaces are exempt), so a drill elsewhere would prove nothing, and the dry run leaves no object.
 * A webhook that cannot take a dry run makes the API server refuse the request outright; that counts
 * as an error, not a denial, so the drill fails rather than pass on it.
 *
 * Ephemeral containers are a subresource of an existing Pod (`pods/ephemeralcontainers`); a dry run
 * of a patch that adds one to a running Pod of the app is what can be checked without changing it.
 */
import { createHash } from 'node:crypto';

/** The drill's cases. */
export const DrillCase = {
  /** A Pod of the app's repository by a digest no pipeline signed. */
  UnsignedDigest: 'unsigned-digest',
  /** A Pod of the app's repository by tag. */
  Tag: 'tag',
  /** A Pod of another app's signed image, by digest: the app's trust policy names other profiles. */
  OtherAppSigned: 'other-app-signed',
  /** A Deployment of the unsigned digest (Kyverno's rules for Pod controllers). */
  UnsignedDeployment: 'unsigned-deployment',
  /** An ephemeral container with the unsigned digest, patched into a running Pod of the app. */
  EphemeralContainer: 'ephemeral-container',
} as const;
export type DrillCase = (typeof DrillCase)[keyof typeof DrillCase];

/**
 * The default unsigned digest: a digest no image has (the SHA-256 of a fixed sentence), so no
 * signature can refer to it. A real unsigned image of the repository may be given instead.
 */
export const DRILL_UNSIGNED_DIGEST = `sha256:${createHash('sha256').update('signet drill: an image no pipeline signed').digest('hex')}`;

/** The tag the tag case names. */
export const DRILL_TAG = 'signet-drill';

/** Where and with what the drill runs. */
export interface DrillTarget {
  /** The app's namespace. */
  readonly namespace: string;
  /** The app's repository URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`). */
  readonly repositoryUri: string;
  /** A digest of an image no signature of the app covers (default {@link DRILL_UNSIGNED_DIGEST}). */
  readonly unsignedDigest?: string;
  /** Another app's signed image by digest; without it its case is skipped. */
  readonly otherAppImage?: string;
  /** A running Pod of the app, for the ephemeral container; without it its case is skipped. */
  readonly runningPod?: string;
}

/** One request of the drill: `kubectl <args>`, with `stdin` as input when given. */
export interface DrillRequest {
  readonly case: DrillCase;
  readonly description: string;
  readonly args: readonly string[];
  readonly stdin?: string;
}

/** A case that could not be built, and why. */
export interface SkippedDrillCase {
  readonly case: DrillCase;
  readonly reason: string;
}

const NAME = 'signet-drill';
const LABELS = { 'app.kubernetes.io/name': NAME };

function pod(image: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: NAME, labels: LABELS },
    spec: { containers: [{ name: NAME, image }] },
  };
}

function deployment(image: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, labels: LABELS },
    spec: {
      replicas: 1,
      selector: { matchLabels: LABELS },
      template: { metadata: { labels: LABELS }, spec: { containers: [{ name: NAME, image }] } },
    },
  };
}

function create(namespace: string, object: object): Pick<DrillRequest, 'args' | 'stdin'> {
  return {
    args: ['create', '--dry-run=server', '--namespace', namespace, '--filename', '-', '--output', 'name'],
    stdin: JSON.stringify(object),
  };
}

/** The drill's requests for a target, in case order, and the cases it cannot build. */
export function drillRequests(target: DrillTarget): {
  readonly requests: readonly DrillRequest[];
  readonly skipped: readonly SkippedDrillCase[];
} {
  const unsigned = `${target.repositoryUri}@${target.unsignedDigest ?? DRILL_UNSIGNED_DIGEST}`;
  const ns = target.namespace;
  const requests: DrillRequest[] = [
    { case: DrillCase.UnsignedDigest, description: `Pod ${unsigned}`, ...create(ns, pod(unsigned)) },
    {
      case: DrillCase.Tag,
      description: `Pod ${target.repositoryUri}:${DRILL_TAG}`,
      ...create(ns, pod(`${target.repositoryUri}:${DRILL_TAG}`)),
    },
  ];
  const skipped: SkippedDrillCase[] = [];
  if (target.otherAppImage === undefined) {
    skipped.push({ case: DrillCase.OtherAppSigned, reason: "no other app's signed image is known" });
  } else {
    requests.push({
      case: DrillCase.OtherAppSigned,
      description: `Pod ${target.otherAppImage}`,
      ...create(ns, pod(target.otherAppImage)),
    });
  }
  requests.push({
    case: DrillCase.UnsignedDeployment,
    description: `Deployment ${unsigned}`,
    ...create(ns, deployment(unsigned)),
  });
  if (target.runningPod === undefined) {
    skipped.push({ case: DrillCase.EphemeralContainer, reason: 'no running Pod of the app to patch' });
  } else {
    const patch = {
      spec: { ephemeralContainers: [{ name: NAME, image: unsigned, stdin: true, tty: true }] },
    };
    requests.push({
      case: DrillCase.EphemeralContainer,
      description: `ephemeral container ${unsigned} in Pod ${target.runningPod}`,
      args: [
        'patch',
        'pod',
        target.runningPod,
        '--namespace',
        ns,
        '--subresource',
        'ephemeralcontainers',
        '--type',
        'strategic',
        '--dry-run=server',
        '--patch',
        JSON.stringify(patch),
      ],
    });
  }
  return { requests, skipped };
}

/** What a drill request got from the API server. */
export const DrillOutcome = {
  Denied: 'denied',
  Admitted: 'admitted',
  /** Refused for another reason (RBAC, a webhook that takes no dry run, a bad request): not a denial. */
  Error: 'error',
} as const;
export type DrillOutcome = (typeof DrillOutcome)[keyof typeof DrillOutcome];

/**
 * Admission's denials, as the API server words them: a validating webhook's (Kyverno:
 * `admission webhook "validate.kyverno.svc-fail" denied the request: …`) and a
 * ValidatingAdmissionPolicy's (`… ValidatingAdmissionPolicy '<name>' with binding '<binding>' denied
 * request: …`, https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/).
 */
export const ADMISSION_DENIAL =
  /admission webhook "[^"]+" denied the request|ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request/;

/** Classifies kubectl's answer to a drill request. */
export function drillOutcome(exitCode: number, stderr: string): DrillOutcome {
  if (exitCode === 0) return DrillOutcome.Admitted;
  return ADMISSION_DENIAL.test(stderr) ? DrillOutcome.Denied : DrillOutcome.Error;
}
