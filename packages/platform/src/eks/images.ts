import { SignetInputError } from '@signet/core';

/**
 * Container images of the admission path (Kyverno, its hooks, the verifier), pinned by digest. A
 * tag can be moved to other bytes by whoever controls the registry; a digest cannot, so what runs
 * at admission is exactly what the config names. The tag, when given, only documents the release.
 */

/** What an image pin must look like, for error messages. */
export const IMAGE_PIN_ALLOWED =
  'an image reference pinned by digest, "<registry>/<repository>[:<tag>]@sha256:<64 lowercase hex digits>"';

/** An image reference pinned by digest. */
export interface ImagePin {
  /** Registry host, e.g. `reg.kyverno.io`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `kyverno/kyverno`. */
  readonly repository: string;
  /** The release the digest was taken from (informative only). */
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
}

const PIN =
  /^(?<registry>[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?)\/(?<repository>[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*)(:(?<tag>\w[\w.-]{0,127}))?@(?<digest>sha256:[a-f0-9]{64})$/;

/** The pin `reference` denotes, or undefined when it is not a digest-pinned reference with a registry host. */
export function parseImagePin(reference: string): ImagePin | undefined {
  const { registry, repository, tag, digest } = PIN.exec(reference)?.groups ?? {};
  if (registry === undefined || repository === undefined || digest === undefined) return undefined;
  return { registry, repository, ...(tag === undefined ? {} : { tag }), digest };
}

/** Parses a pin or throws a {@link SignetInputError} naming `path` and the value. */
export function requireImagePin(reference: string, path: string): ImagePin {
  const pin = parseImagePin(reference);
  if (pin === undefined) {
    throw new SignetInputError({ path, value: reference, allowed: IMAGE_PIN_ALLOWED });
  }
  return pin;
}

/** The reference a Pod spec uses: `<registry>/<repository>@<digest>` (the tag is dropped; the digest decides). */
export function pinnedReference(pin: ImagePin): string {
  return `${pin.registry}/${pin.repository}@${pin.digest}`;
}

/**
 * The `tag` value that makes a chart which renders `<registry>/<repository>:<tag>` pull by digest:
 * `<tag>@sha256:…` renders `<registry>/<repository>:<tag>@sha256:…`, which the container runtime
 * resolves by the digest alone.
 */
export function chartTagForPin(pin: ImagePin): string {
  return `${pin.tag ?? 'pinned'}@${pin.digest}`;
}
