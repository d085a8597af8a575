import { PolicyInputError, quote } from './errors.js';

// Repository path components as the OCI distribution spec defines them.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d{1,5})?';
const REPOSITORY_URI = new RegExp(`^(${HOST})/${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

const SHAPE =
  '<registry-host>/<repository path>, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server';

/**
 * Throws unless `value` is a fully qualified repository URI without tag, digest or wildcard, the
 * only form a Notary trust policy scope (other than the global `*`) may take.
 */
export function assertRepositoryUri(value: string, field: string): string {
  if (value.includes('*')) {
    throw new PolicyInputError(
      field,
      `${quote(value)} contains "*"; a repository must be named in full (${SHAPE}), and "*" is only allowed alone as the global scope`,
    );
  }
  if (value.includes('@')) {
    throw new PolicyInputError(
      field,
      `${quote(value)} carries a digest; give the repository only (${SHAPE})`,
    );
  }
  const match = REPOSITORY_URI.exec(value);
  const host = match?.[1];
  if (host === undefined) {
    const lastSlash = value.lastIndexOf('/');
    const hint = value.slice(lastSlash + 1).includes(':') && lastSlash > 0 ? ' (tags are not allowed)' : '';
    throw new PolicyInputError(
      field,
      `${quote(value)} is not a fully qualified repository URI${hint}; expected ${SHAPE}`,
    );
  }
  // "docker.io/library/x" style: the first segment must be a registry host, not a namespace,
  // because scopes are matched without reference expansion.
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
    throw new PolicyInputError(
      field,
      `${quote(value)} does not start with a registry host; scopes are not expanded, so name the registry (${SHAPE})`,
    );
  }
  return value;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Throws unless `value` is exactly `<repository>@sha256:<64 lowercase hex>`: a fully qualified
 * repository (as {@link assertRepositoryUri}) and a digest, no tag and no wildcard, so that the
 * reference names one image and nothing else. `tagAllowed` accepts `<repository>:<tag>@sha256:…`
 * (the digest still decides what runs) for references a chart renders with both.
 */
export function assertImageByDigest(
  value: string,
  field: string,
  options: { readonly tagAllowed?: boolean } = {},
): string {
  const at = value.indexOf('@');
  const digest = at < 0 ? '' : value.slice(at + 1);
  if (at < 0 || !DIGEST.test(digest)) {
    throw new PolicyInputError(
      field,
      `${quote(value)} is not an image by digest; expected <repository>@sha256:<64 lowercase hex>, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/agent@sha256:${'0'.repeat(64)} (tags are not accepted)`,
    );
  }
  const repository = value.slice(0, at);
  const lastSlash = repository.lastIndexOf('/');
  const tagged = repository.slice(lastSlash + 1).includes(':') && lastSlash > 0;
  if (tagged && options.tagAllowed === true) {
    assertRepositoryUri(repository.slice(0, repository.lastIndexOf(':')), field);
    return value;
  }
  if (tagged) {
    throw new PolicyInputError(
      field,
      `${quote(value)} carries a tag besides its digest; give <repository>@sha256:<digest> only`,
    );
  }
  assertRepositoryUri(repository, field);
  return value;
}
