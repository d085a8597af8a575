import { DeployVariable, ExportedVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import {
  installTool,
  prepareDirectories,
  requireContractVariables,
  requireImageUriConsistent,
  WORK_DIR,
} from './common.js';

/** The artifact type of a Notation signature referrer. */
export const NOTATION_SIGNATURE_TYPE = 'application/vnd.cncf.notary.signature';
/** The media type of the JWS envelope, the one format Signet signs with. */
const JWS_MEDIA_TYPE = 'application/jose+json';
/** Signed attributes the AWS Signer plugin puts in each envelope's protected header. */
export const SIGNING_JOB_ATTRIBUTE = 'com.amazonaws.signer.signingJob';
export const PROFILE_VERSION_ATTRIBUTE = 'com.amazonaws.signer.signingProfileVersion';
/** Promote tags each digest with its commit the first time it copies it: those tags are the released digests. */
const COMMIT_TAG = '^[0-9a-f]{40}([0-9a-f]{24})?$';

const REGISTRY_AUTH = `"$HOME"/${q('.signet/registry-auth.json')}`;
const TAGS = `${WORK_DIR}/tags.txt`;
const SUPERSEDED = `${WORK_DIR}/superseded.tsv`;
const REPO = `"$${DeployVariable.RepositoryUri}"`;
const PROFILE = `"$${DeployVariable.SigningProfileArn}"`;

/** jq: the signing job ARN of an envelope whose profile version belongs to `$profile`, else nothing. */
const JOB_OF_PROFILE = [
  '.protected | gsub("-"; "+") | gsub("_"; "/") | . as $s | $s + ("==" | .[0:((4 - (($s | length) % 4)) % 4)]) | @base64d | fromjson',
  `| select(((.[${JSON.stringify(PROFILE_VERSION_ATTRIBUTE)}] // "") | sub("/[^/]*$"; "")) == $profile)`,
  `| .[${JSON.stringify(SIGNING_JOB_ATTRIBUTE)}] // "no-job"`,
].join(' ');

/**
 * RevokeSuperseded (environments with a release signature, after VerifyContainerSign): every
 * digest this environment released before the one now verified running loses its release
 * signature, so an old build stops being admissible; the digest just deployed is never touched.
 *
 * Which: the digests of this repository that carry a commit tag (Promote tags a digest the first
 * time it copies it, so these are the digests ever promoted here), less IMAGE_DIGEST. For each, its
 * Notation signature referrers are read (`oras discover`, then the JWS envelope) and those whose
 * signed `com.amazonaws.signer.signingProfileVersion` belongs to this stage's profile (the app's
 * release profile of this environment) are revoked by their `com.amazonaws.signer.signingJob`
 * (`aws signer revoke-signature`), unless `describe-signing-job` reports the job revoked already.
 * Build signatures and other environments' release signatures copied along are not this profile's
 * and stay as they are. An envelope the stage cannot read stops it: it cannot tell whose it is.
 *
 * When: after VerifyContainerSign, so every running pod already runs the new digest and the old
 * ones are gone; revoking earlier would deny the old pods' restarts in the middle of a rollout,
 * and revoking before a failed verify would leave its rollback nothing admissible to return to.
 * Rolling back is a promotion of the older digest, which gets a new release signature after the
 * gate and then revokes the newer one's.
 */
export function revokeSupersededStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { tools, toolsDirectory } = inputs;
  const cfg = `--registry-config ${REGISTRY_AUTH}`;
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...requireContractVariables(contract, [ExportedVariable.ImageUri]),
          requireImageUriConsistent(),
          prepareDirectories(toolsDirectory),
          ...installTool(tools.oras, 'oras', 'tar.gz', toolsDirectory),
          'oras version',
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          `signet_token="$(aws ecr get-login-password --region "$AWS_REGION")" && mkdir -p "$HOME"/.signet && jq -n --arg host "\${${DeployVariable.RepositoryUri}%%/*}" --arg auth "$(printf 'AWS:%s' "$signet_token" | base64 -w 0)" '{auths: {($host): {auth: $auth}}}' > ${REGISTRY_AUTH}`,
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          `oras repo tags ${cfg} ${REPO} > ${q(TAGS)}`,
          // One line per signature of this profile on a superseded digest: digest, signature, job ARN.
          [
            `: > ${q(SUPERSEDED)}`,
            'signet_ok=true',
            `for signet_tag in $(grep -E ${q(COMMIT_TAG)} ${q(TAGS)} || true); do`,
            `  if ! signet_digest="$(oras manifest fetch --descriptor ${cfg} ${REPO}:"$signet_tag" | jq -r '.digest')"; then`,
            `    printf '%s\\n' "Cannot resolve $${DeployVariable.RepositoryUri}:$signet_tag; no signature was revoked" >&2; signet_ok=false; break`,
            '  fi',
            `  [[ "$signet_digest" != "$${ExportedVariable.ImageDigest}" ]] || continue`,
            `  if ! signet_sigs="$(oras discover ${cfg} --artifact-type ${q(NOTATION_SIGNATURE_TYPE)} --format json ${REPO}@"$signet_digest" | jq -r '(.referrers // [])[] | .digest')"; then`,
            `    printf '%s\\n' "Cannot list the signatures of $${DeployVariable.RepositoryUri}@$signet_digest; no signature was revoked" >&2; signet_ok=false; break`,
            '  fi',
            '  for signet_sig in $signet_sigs; do',
            `    signet_layer="$(oras manifest fetch ${cfg} ${REPO}@"$signet_sig" | jq -r --arg type ${q(JWS_MEDIA_TYPE)} '[(.layers // [])[] | select(.mediaType == $type) | .digest] | if length == 1 then .[0] else "" end')"`,
            `    if [[ -z "$signet_layer" ]] || ! signet_job="$(oras blob fetch ${cfg} --output - ${REPO}@"$signet_layer" | jq -r --arg profile ${PROFILE} ${q(JOB_OF_PROFILE)})"; then`,
            `      printf '%s\\n' "Signature $signet_sig of $${DeployVariable.RepositoryUri}@$signet_digest is not a readable ${JWS_MEDIA_TYPE} envelope: cannot tell whether $${DeployVariable.SigningProfileArn} made it; no signature was revoked" >&2; signet_ok=false; break 2`,
            '    fi',
            `    [[ -z "$signet_job" ]] || printf '%s\\t%s\\t%s\\n' "$signet_digest" "$signet_sig" "$signet_job" >> ${q(SUPERSEDED)}`,
            '  done',
            'done',
            '[[ "$signet_ok" == true ]]',
          ].join('\n'),
          [
            "signet_job_arn='^arn:aws[a-z-]*:signer:[a-z0-9-]+:([0-9]{12}):/signing-jobs/([A-Za-z0-9-]+)$'",
            'signet_ok=true; signet_revoked=0; signet_already=0',
            "while IFS=$'\\t' read -r signet_digest signet_sig signet_job; do",
            '  if [[ ! "$signet_job" =~ $signet_job_arn ]]; then',
            `    printf '%s\\n' "Signature $signet_sig of $${DeployVariable.RepositoryUri}@$signet_digest by $${DeployVariable.SigningProfileArn} names no signing job (${SIGNING_JOB_ATTRIBUTE} is '$signet_job'); it cannot be revoked" >&2; signet_ok=false; break`,
            '  fi',
            '  signet_owner="${BASH_REMATCH[1]}"; signet_id="${BASH_REMATCH[2]}"',
            '  if ! signet_status="$(aws signer describe-signing-job --job-id "$signet_id" --query \'revocationRecord.revokedAt\' --output text)"; then',
            `    printf '%s\\n' "Cannot read signing job $signet_id (signature $signet_sig of $${DeployVariable.RepositoryUri}@$signet_digest); it is not revoked" >&2; signet_ok=false; break`,
            '  fi',
            '  if [[ -n "$signet_status" && "$signet_status" != None ]]; then signet_already=$((signet_already + 1)); continue; fi',
            `  if ! aws signer revoke-signature --job-id "$signet_id" --job-owner "$signet_owner" --reason "Superseded in $${DeployVariable.RepositoryUri} by $${ExportedVariable.ImageDigest}"; then`,
            `    printf '%s\\n' "Revoking signing job $signet_id (signature $signet_sig of $${DeployVariable.RepositoryUri}@$signet_digest) failed" >&2; signet_ok=false; break`,
            '  fi',
            `  printf '%s\\n' "Revoked the release signature $signet_sig of $${DeployVariable.RepositoryUri}@$signet_digest (signing job $signet_id)"`,
            '  signet_revoked=$((signet_revoked + 1))',
            `done < ${q(SUPERSEDED)}`,
            `[[ "$signet_ok" == true ]] && printf '%s\\n' "Superseded by $${ExportedVariable.ImageUri}: $signet_revoked release signature(s) of $${DeployVariable.SigningProfileArn} revoked, $signet_already already revoked"`,
          ].join('\n'),
        ],
      },
    },
  };
}
