import { createHash } from 'node:crypto';
import { shellQuote as q } from '../shell.js';

/**
 * The manifests hash: what ApplicationDeployment applies is the app's `*.yaml` files at the top of
 * its manifests folder (`cp <manifests>/*.yaml`), so that is exactly what is hashed. The hash is the
 * SHA-256 of `sha256sum`'s listing of those files, by name in byte order (`LC_ALL=C sort`), one line
 * `<hex>  <name>` each, written `sha256:<hex>`. A changed, added, removed or renamed manifest changes
 * it. {@link manifestsSha256} computes it in TypeScript (`signet promote`), {@link manifestsSha256Command}
 * in bash (Build, ApplicationDeployment); a test keeps both equal.
 */
export const MANIFESTS_HASH_PREFIX = 'sha256:';

/** The build signature's user metadata key that carries the manifests hash (`notation sign --user-metadata`). */
export const MANIFESTS_METADATA_KEY = 'io.signet.manifests.sha256';

/** A manifest file name the hash accepts: no path separator, no byte sha256sum would escape. */
const MANIFEST_NAME = /^[A-Za-z0-9._-]+\.yaml$/;

/** The manifests hash of files given by name (the top-level `*.yaml` of a manifests folder) and content. */
export function manifestsSha256(files: Readonly<Record<string, string | Uint8Array>>): string {
  const names = Object.keys(files).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0) throw new Error('no manifests to hash: the folder holds no *.yaml file');
  const listing = names
    .map((name) => {
      if (!MANIFEST_NAME.test(name)) {
        throw new Error(
          `manifest "${name}" has a name the hash does not accept; allowed: ${MANIFEST_NAME.source}`,
        );
      }
      const sum = createHash('sha256')
        .update(files[name] as string | Uint8Array)
        .digest('hex');
      return `${sum}  ${name}\n`;
    })
    .join('');
  return `${MANIFESTS_HASH_PREFIX}${createHash('sha256').update(listing).digest('hex')}`;
}

/**
 * Bash commands (one CodeBuild command each: a command fails the phase by its own exit status) that set `variable` to the manifests hash of `folder` (relative to the source root), and
 * fails, naming the folder, when it holds no `*.yaml` or one cannot be read. Uses only bash,
 * coreutils, findutils and grep of the CodeBuild image.
 */
export function manifestsSha256Command(variable: string, folder: string): string[] {
  return [
    [
      `if ! signet_manifests_hash="$(set -o pipefail; cd ${q(folder)} && find . -mindepth 1 -maxdepth 1 -type f -name '*.yaml' -printf '%P\\n' | LC_ALL=C sort | grep . | xargs -d '\\n' sha256sum -- | sha256sum | cut -d ' ' -f 1)"; then`,
      `  printf '%s\\n' "Cannot hash the manifests in ${folder}: it holds no *.yaml file, or one cannot be read" >&2`,
      '  false',
      'fi',
    ].join('\n'),
    `${variable}="${MANIFESTS_HASH_PREFIX}$signet_manifests_hash" && export ${variable}`,
  ];
}

/** The variable the stages compare MANIFESTS_SHA256 with: the hash of the manifests they found. */
const FOUND_HASH = 'SIGNET_FOUND_MANIFESTS_SHA256';

/**
 * Commands that fail, naming both hashes, unless the manifests in `folder` hash to `expected` (the
 * variable holding the hash Build recorded): what ApplicationDeployment checks before applying
 * anything, and VerifyContainerSign before it hands the manifests on in a promotion request.
 */
export function requireManifestsHash(folder: string, expected: string, refusal: string): string[] {
  return [
    ...manifestsSha256Command(FOUND_HASH, folder),
    [
      `if [[ "$${FOUND_HASH}" != "$${expected}" ]]; then`,
      `  printf '%s\\n' "The manifests in ${folder} hash to $${FOUND_HASH}, but Build recorded $${expected} (${expected}) for this image: they are not the manifests that were built and approved; ${refusal}" >&2`,
      '  false',
      'fi',
    ].join('\n'),
  ];
}
