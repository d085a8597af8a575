import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain } from '../kubernetes.js';

/**
 * The seam between the ClusterPolicy and the verifier behind it: how Kyverno asks one verifier about a
 * request's images under a named trust policy, and how it reads the answer. The ClusterPolicy builder
 * owns matching, exclusions and failure handling; a backend owns only this call. Swapping the verifier
 * is a new implementation of this interface, not a change of the policy builder.
 */
export interface VerifierCall {
  /** Namespace the verifier runs in: never matched by the policy (a verifier must not admit itself). */
  readonly namespace: string;
  /**
   * Context entries of the signature rule for images verified under `trustPolicyName`. They must not
   * carry a `default`: a default turns a failed or refused call into an admit.
   */
  readonly context: (trustPolicyName: string) => readonly ApiCallContextEntry[];
  /** Kyverno deny conditions: true unless the verifier's answer says every image verified. */
  readonly denyConditions: unknown;
  /** The rule's message on denial, quoting the verifier's reason. */
  readonly message: string;
}

/** A Kyverno context entry loaded by an API call. */
export interface ApiCallContextEntry {
  readonly name: string;
  readonly apiCall: {
    readonly urlPath?: string;
    readonly method?: 'GET' | 'POST';
    readonly jmesPath?: string;
    readonly data?: readonly { readonly key: string; readonly value: unknown }[];
    readonly service?: { readonly url: string; readonly caBundle?: string };
  };
}

/** Where the Notation/AWS Signer verifier (kyverno-notation-aws) listens. */
export interface VerifierServiceInput {
  /** Service name. The upstream manifests call it `svc`. */
  readonly serviceName: string;
  /** Namespace of the verifier. */
  readonly namespace: string;
  /** Service port. Default 443. */
  readonly port?: number;
  /** HTTP path of the verification endpoint. Default `/checkimages`. */
  readonly path?: string;
  /**
   * Secret holding the verifier's TLS certificate. Default `<serviceName>.<namespace>.svc.tls-pair`,
   * the name the verifier gives the secret it generates.
   */
  readonly tlsSecretName?: string;
  /** Key of the PEM certificate in that secret. Default `tls.crt`. */
  readonly tlsSecretKey?: string;
}

/** The default TLS secret name the verifier creates for its service. */
export function defaultVerifierTlsSecretName(serviceName: string, namespace: string): string {
  return `${serviceName}.${namespace}.svc.tls-pair`;
}

/** The verifier's HTTPS URL as Kyverno calls it. */
export function verifierServiceUrl(verifier: VerifierServiceInput): string {
  return `https://${verifier.serviceName}.${verifier.namespace}.svc:${verifier.port ?? 443}${verifier.path ?? '/checkimages'}`;
}

/** The deny condition's key: only a JSON `true` in the verifier's `verified` field admits. */
export const VERIFIED_EXACTLY_TRUE = '{{ verification.verified == `true` }}';

/** What a denial says when the verifier gave no message. */
export const NO_VERIFIER_REASON = 'the verifier gave no reason';

function checkService(verifier: VerifierServiceInput): void {
  assertDnsLabel(verifier.namespace, 'verifier.namespace');
  assertDnsLabel(verifier.serviceName, 'verifier.serviceName');
  if (verifier.tlsSecretName !== undefined)
    assertDnsSubdomain(verifier.tlsSecretName, 'verifier.tlsSecretName');
  if (verifier.tlsSecretKey !== undefined && !/^[-._a-zA-Z0-9]+$/.test(verifier.tlsSecretKey)) {
    throw new PolicyInputError(
      'verifier.tlsSecretKey',
      `${quote(verifier.tlsSecretKey)} is not a valid secret key; expected letters, digits, "-", "_" or "."`,
    );
  }
  const port = verifier.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new PolicyInputError(
      'verifier.port',
      `${quote(port)} is not a port; expected an integer from 1 to 65535`,
    );
  }
  const path = verifier.path;
  if (path !== undefined && !/^\/[A-Za-z0-9._~/-]*$/.test(path)) {
    throw new PolicyInputError(
      'verifier.path',
      `${quote(path)} is not an absolute URL path; expected e.g. "/checkimages"`,
    );
  }
}

/**
 * The call to kyverno-notation-aws (`POST /checkimages` with the request's images and a trust policy
 * name, answered by `{verified, message}`). Kyverno first reads the verifier's certificate from its TLS
 * secret to pin the connection to it (see buildVerifierTlsSecretReaderRbac for the matching Role).
 */
export function notationAwsVerifierCall(verifier: VerifierServiceInput): VerifierCall {
  checkService(verifier);
  const tlsSecretName =
    verifier.tlsSecretName ?? defaultVerifierTlsSecretName(verifier.serviceName, verifier.namespace);
  const tlsSecretKey = verifier.tlsSecretKey ?? 'tls.crt';
  return {
    namespace: verifier.namespace,
    context: (trustPolicyName) => [
      {
        name: 'verifierCaBundle',
        apiCall: {
          urlPath: `/api/v1/namespaces/${verifier.namespace}/secrets/${tlsSecretName}`,
          jmesPath: `base64_decode(data."${tlsSecretKey}")`,
        },
      },
      {
        name: 'verification',
        apiCall: {
          method: 'POST',
          data: [
            { key: 'images', value: '{{ images }}' },
            // Every image is verified; an image no trust policy scope covers fails verification.
            { key: 'imageReferences', value: ['*'] },
            { key: 'trustPolicy', value: trustPolicyName },
          ],
          // The trust policy is named in the URL too: the verifier routes on the path only and reads
          // the policy from the body, but its access log, Kyverno's errors and the tests' mocks then
          // tell the build call from the release call of the same request.
          service: {
            url: `${verifierServiceUrl(verifier)}?trustPolicy=${trustPolicyName}`,
            caBundle: '{{ verifierCaBundle }}',
          },
        },
      },
    ],
    denyConditions: { all: [{ key: VERIFIED_EXACTLY_TRUE, operator: 'NotEquals', value: true }] },
    message: `Image signature verification failed: {{ verification.message || '${NO_VERIFIER_REASON}' }}`,
  };
}
