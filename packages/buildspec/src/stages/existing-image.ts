import { DeployVariable, ExportedVariable } from '../contract.js';
import { shellQuote as q } from '../shell.js';
import { WORK_DIR } from './common.js';

/**
 * Re-runs with IMMUTABLE tags. "Release change" on a commit Build already pushed would fail at
 * `docker push` (ECR refuses to move an existing tag of an IMMUTABLE repository), so Build asks ECR
 * first and, when the commit's tag exists, builds nothing: it reuses that digest and its SBOM, runs
 * the vulnerability gate again on that SBOM (findings published since count), and exports what is
 * in the repository. A rebuild would not help: it is a new image under the same commit, and the
 * repository keeps the first one. The lookup failing for any reason but "no such image" stops the
 * stage: it cannot tell whether to push.
 */

/** The digest ECR holds under the commit tag, or empty: set by {@link existingImageLookup}. */
export const EXISTING_DIGEST = 'SIGNET_EXISTING_DIGEST';

const DESCRIBE_ERR = `${WORK_DIR}/describe-images.err`;
const DISCOVER_JSON = `${WORK_DIR}/existing-sbom.json`;
const SBOM_PULL_DIR = `${WORK_DIR}/existing-sbom`;
const URI = `$${DeployVariable.RepositoryUri}`;
const TAG = `$${ExportedVariable.ImageTag}`;

/**
 * `aws ecr describe-images` of the commit tag: the digest it names, empty when ECR answers
 * ImageNotFoundException, the stage stopped on any other failure (its error printed first).
 */
export function existingImageLookup(): string {
  return [
    `if signet_found="$(aws ecr describe-images --region "$AWS_REGION" --registry-id "\${${DeployVariable.RepositoryUri}%%.*}" --repository-name "\${${DeployVariable.RepositoryUri}#*/}" --image-ids imageTag="${TAG}" --query 'imageDetails[0].imageDigest' --output text 2> ${q(DESCRIBE_ERR)})"; then`,
    `  export ${EXISTING_DIGEST}="$signet_found"`,
    `elif grep -q '(ImageNotFoundException)' ${q(DESCRIBE_ERR)}; then`,
    `  export ${EXISTING_DIGEST}=""`,
    'else',
    `  cat ${q(DESCRIBE_ERR)} >&2`,
    `  printf '%s\\n' "Cannot tell whether ${URI}:${TAG} exists already (aws ecr describe-images failed, above): nothing is built or pushed, since the repository's tags are immutable and a re-run must reuse the digest it holds" >&2`,
    '  false',
    'fi',
  ].join('\n');
}

/** A command that fails unless the lookup found nothing or a well-formed digest. */
export function requireExistingDigestShape(): string {
  return [
    `if [[ -n "\${${EXISTING_DIGEST}:-}" && ! "\${${EXISTING_DIGEST}}" =~ ^sha256:[0-9a-f]{64}$ ]]; then`,
    `  printf '%s\\n' "aws ecr describe-images answered '\${${EXISTING_DIGEST}}' for ${URI}:${TAG}; expected a digest sha256:<64 lowercase hex digits>" >&2`,
    '  false',
    `elif [[ -n "\${${EXISTING_DIGEST}:-}" ]]; then`,
    `  printf '%s\\n' "${URI}:${TAG} is already in the repository as \${${EXISTING_DIGEST}} (a re-run of this commit): reusing it, nothing is built or pushed"`,
    'fi',
  ].join('\n');
}

/** `command` only when no image of this commit exists yet (a first run). */
export function unlessReusing(command: string): string {
  return [`if [[ -z "\${${EXISTING_DIGEST}:-}" ]]; then`, command, 'fi'].join('\n');
}

/**
 * The SBOM the gate reads: syft's scan of the fresh build on a first run (`scan`); on a re-run the
 * SBOM referrer Build attached to the existing digest (pulled into `sbomFile`, SBOM_DIGEST set, so
 * nothing is attached again), or, when the first run stopped before attaching one, syft's scan of the
 * existing image from the registry (SBOM_DIGEST empty: it is attached below).
 */
export function sbomOfImage(scan: string, sbomFile: string, mediaType: string): string {
  const existing = `"${URI}@\${${EXISTING_DIGEST}}"`;
  return [
    `export ${ExportedVariable.SbomDigest}=""`,
    `if [[ -z "\${${EXISTING_DIGEST}:-}" ]]; then`,
    scan,
    `elif ! oras discover --artifact-type ${q(mediaType)} --format json ${existing} > ${q(DISCOVER_JSON)}; then`,
    `  printf '%s\\n' "Cannot list the referrers of ${URI}@\${${EXISTING_DIGEST}}" >&2`,
    '  false',
    `elif [[ "$(jq '(.referrers // []) | length' ${q(DISCOVER_JSON)})" == 0 ]]; then`,
    `  printf '%s\\n' "${URI}@\${${EXISTING_DIGEST}} has no SBOM yet (the run that pushed it stopped before attaching one): scanning it in the registry"`,
    `  syft scan "registry:${URI}@\${${EXISTING_DIGEST}}" --output ${q(`spdx-json=${sbomFile}`)}`,
    `elif [[ "$(jq '(.referrers // []) | length' ${q(DISCOVER_JSON)})" != 1 ]]; then`,
    `  printf '%s\\n' "${URI}@\${${EXISTING_DIGEST}} has more than one ${mediaType} referrer; expected the one Build attached" >&2`,
    '  false',
    'else',
    `  ${ExportedVariable.SbomDigest}="$(jq -r '.referrers[0].digest' ${q(DISCOVER_JSON)})" && export ${ExportedVariable.SbomDigest} && rm -rf ${q(SBOM_PULL_DIR)} && oras pull --output ${q(SBOM_PULL_DIR)} "${URI}@$${ExportedVariable.SbomDigest}" && cp ${q(`${SBOM_PULL_DIR}/${sbomFile}`)} ${q(sbomFile)}`,
    'fi',
  ].join('\n');
}

/** IMAGE_DIGEST: the existing digest on a re-run, else `fromPush` (the digest the push reported). */
export function imageDigest(fromPush: string): string {
  return [
    `if [[ -n "\${${EXISTING_DIGEST}:-}" ]]; then`,
    `  export ${ExportedVariable.ImageDigest}="\${${EXISTING_DIGEST}}"`,
    'else',
    `  ${fromPush}`,
    'fi',
  ].join('\n');
}

/** `command` only when the image has no SBOM referrer yet (a first run, or one that stopped before attaching). */
export function unlessSbomAttached(command: string): string {
  return [`if [[ -z "\${${ExportedVariable.SbomDigest}:-}" ]]; then`, command, 'fi'].join('\n');
}
