import { DeployVariable, ExportedVariable, PromotionVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import { SBOM_FILE, SBOM_MEDIA_TYPE } from './build.js';
import {
  imageDefinitions,
  installTool,
  prepareDirectories,
  requireContractVariables,
  requireVariable,
  scanSummaryCommand,
  WORK_DIR,
} from './common.js';
import { MANIFESTS_METADATA_KEY } from './manifests.js';
import { addTrustStore, importTrustPolicy, installNotation, requireTrustPolicy } from './notation.js';

/**
 * The promotion request: `promotion.json` at the root of a promoting pipeline's source artifact,
 * `{"digest": "sha256:…", "commit": "<40 hex>", "manifests": "sha256:…"}` (the manifests hash Build
 * recorded), beside the app's manifests folder. `signet promote`, or the previous environment's
 * pipeline after its VerifyContainerSign, writes it; the digest is one the previous environment verified.
 */
export const PROMOTION_REQUEST_FILE = 'promotion.json';

/** The registry credentials oras reads, under $HOME (outside the source root and every artifact). */
const REGISTRY_AUTH = `"$HOME"/${q('.signet/registry-auth.json')}`;
const DISCOVER_JSON = `${WORK_DIR}/sbom-referrers.json`;
const GRYPE_JSON = `${WORK_DIR}/grype.json`;
const SBOM_DIR = `${WORK_DIR}/sbom`;

const SOURCE = `"$${DeployVariable.PromotionSourceUri}@$${PromotionVariable.PromotedDigest}"`;
const TARGET = `"$${DeployVariable.RepositoryUri}@$${PromotionVariable.PromotedDigest}"`;

/** The Region of an ECR repository URI held in `variable` (`<account>.dkr.ecr.<region>.amazonaws.com/…`). */
function regionOf(variable: string): string {
  return `$(printf '%s' "$${variable}" | sed -E 's|^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com.*$|\\1|')`;
}

/** An ECR login token for the Region of the repository in `variable`. */
function ecrPassword(variable: string): string {
  return `"$(aws ecr get-login-password --region "${regionOf(variable)}")"`;
}

/**
 * Promote: copy the exact digest the previous environment verified, with every referrer (the build
 * signatures, the SBOM and its signature), from that environment's repository into this one's, and
 * verify the build signature before anything else.
 *
 * Order: read and check the request; in the source repository, verify the build signatures of the
 * image and of its SBOM and run this environment's vulnerability gate on that SBOM (nothing is
 * copied for a digest that fails any of them); copy with `oras copy -r`, tagged with the commit,
 * unless the digest is already here (a re-run, or a rollback to a digest promoted before: its
 * referrers are copied again and nothing is re-tagged, so an IMMUTABLE repository never refuses the
 * run); verify again where it landed; export the image for the later stages under the names Build
 * exports in the building environment.
 * `notation verify` writes its own error messages to the log untouched.
 */
export function promoteStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { app, tools, toolsDirectory, trustStore } = inputs;
  const auth = `--from-registry-config ${REGISTRY_AUTH} --to-registry-config ${REGISTRY_AUTH}`;
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash, 'exported-variables': [...contract.exports] },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...requireContractVariables(contract, [DeployVariable.PromotionTrustPolicy]),
          requireTrustPolicy(DeployVariable.PromotionTrustPolicy, trustStore.name),
          prepareDirectories(toolsDirectory),
          ...installTool(tools.oras, 'oras', 'tar.gz', toolsDirectory),
          ...installTool(tools.grype, 'grype', 'tar.gz', toolsDirectory),
          'oras version',
          'grype version',
          ...installNotation({ tools, toolsDirectory }),
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          [
            `if [[ ! -f ${q(PROMOTION_REQUEST_FILE)} ]]; then`,
            `  printf '%s\\n' "No ${PROMOTION_REQUEST_FILE} in the source artifact: a promotion is started by signet promote, which writes it" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `${PromotionVariable.PromotedDigest}="$(jq -r '.digest // ""' ${q(PROMOTION_REQUEST_FILE)})" && ${PromotionVariable.PromotedCommit}="$(jq -r '.commit // ""' ${q(PROMOTION_REQUEST_FILE)})" && export ${PromotionVariable.PromotedDigest} ${PromotionVariable.PromotedCommit}`,
          `${ExportedVariable.ManifestsSha256}="$(jq -r '.manifests // ""' ${q(PROMOTION_REQUEST_FILE)})" && export ${ExportedVariable.ManifestsSha256}`,
          requireVariable(PromotionVariable.PromotedDigest),
          requireVariable(PromotionVariable.PromotedCommit),
          requireVariable(ExportedVariable.ManifestsSha256),
          `printf '%s\\n' "Promoting $${DeployVariable.PromotionSourceUri}@$${PromotionVariable.PromotedDigest} (commit $${PromotionVariable.PromotedCommit}) to $${DeployVariable.RepositoryUri}"`,
          // oras reads both registries' ECR tokens from one file; a token is per Region, not per account.
          `mkdir -p "$HOME"/.signet && jq -n --arg from "\${${DeployVariable.PromotionSourceUri}%%/*}" --arg fromAuth "$(printf 'AWS:%s' ${ecrPassword(DeployVariable.PromotionSourceUri)} | base64 -w 0)" --arg to "\${${DeployVariable.RepositoryUri}%%/*}" --arg toAuth "$(printf 'AWS:%s' ${ecrPassword(DeployVariable.RepositoryUri)} | base64 -w 0)" '{auths: {($from): {auth: $fromAuth}, ($to): {auth: $toAuth}}}' > ${REGISTRY_AUTH}`,
          ...addTrustStore(trustStore),
          ...importTrustPolicy(DeployVariable.PromotionTrustPolicy, 'promotion-trustpolicy.json'),
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          // Before anything is copied: the digest and its SBOM carry the build signature where they
          // come from, and the SBOM passes this environment's own vulnerability gate (a later
          // environment may be stricter than the one that built).
          // The request's manifests hash must be the one the build signature attests (signed into it
          // by ApplicationSigning), so a request cannot pair the digest with other manifests.
          `NOTATION_PASSWORD=${ecrPassword(DeployVariable.PromotionSourceUri)} NOTATION_USERNAME=AWS notation verify --user-metadata "${MANIFESTS_METADATA_KEY}=$${ExportedVariable.ManifestsSha256}" ${SOURCE}`,
          `oras discover --registry-config ${REGISTRY_AUTH} --artifact-type ${q(SBOM_MEDIA_TYPE)} --format json ${SOURCE} > ${q(DISCOVER_JSON)}`,
          `${ExportedVariable.SbomDigest}="$(jq -r '[(.referrers // [])[] | .digest] | if length == 1 then .[0] else "" end' ${q(DISCOVER_JSON)})" && export ${ExportedVariable.SbomDigest}`,
          requireVariable(ExportedVariable.SbomDigest),
          `NOTATION_PASSWORD=${ecrPassword(DeployVariable.PromotionSourceUri)} NOTATION_USERNAME=AWS notation verify "$${DeployVariable.PromotionSourceUri}@$${ExportedVariable.SbomDigest}"`,
          `rm -rf ${q(SBOM_DIR)} && oras pull --registry-config ${REGISTRY_AUTH} --output ${q(SBOM_DIR)} "$${DeployVariable.PromotionSourceUri}@$${ExportedVariable.SbomDigest}"`,
          [
            `if ! grype ${q(`sbom:${SBOM_DIR}/${SBOM_FILE}`)} --fail-on ${q(inputs.vulnerabilityThreshold)} --output table --output ${q(`json=${GRYPE_JSON}`)}; then`,
            `  printf '%s\\n' "Vulnerability gate: grype found vulnerabilities of severity ${inputs.vulnerabilityThreshold} or higher in $${DeployVariable.PromotionSourceUri}@$${PromotionVariable.PromotedDigest} (or could not scan its SBOM); it is not promoted" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          scanSummaryCommand(GRYPE_JSON),
          requireVariable(ExportedVariable.ScanSummary),
          [
            `if oras manifest fetch --descriptor --registry-config ${REGISTRY_AUTH} ${TARGET} > /dev/null 2>&1; then`,
            `  printf '%s\\n' "$${DeployVariable.RepositoryUri}@$${PromotionVariable.PromotedDigest} is already here (a re-run or a rollback): copying only the referrers it may lack, no tag"`,
            `  oras copy --recursive ${auth} ${SOURCE} "$${DeployVariable.RepositoryUri}"`,
            'else',
            `  oras copy --recursive ${auth} ${SOURCE} "$${DeployVariable.RepositoryUri}:$${PromotionVariable.PromotedCommit}"`,
            'fi',
          ].join('\n'),
          `export ${ExportedVariable.ImageTag}="$${PromotionVariable.PromotedCommit}" ${ExportedVariable.ImageDigest}="$${PromotionVariable.PromotedDigest}" ${ExportedVariable.ImageUri}="$${DeployVariable.RepositoryUri}@$${PromotionVariable.PromotedDigest}"`,
          // Where it landed: the same digest, with the build signatures of image and SBOM.
          `NOTATION_PASSWORD=${ecrPassword(DeployVariable.RepositoryUri)} NOTATION_USERNAME=AWS notation verify "$${ExportedVariable.ImageUri}"`,
          `NOTATION_PASSWORD=${ecrPassword(DeployVariable.RepositoryUri)} NOTATION_USERNAME=AWS notation verify "$${DeployVariable.RepositoryUri}@$${ExportedVariable.SbomDigest}"`,
          imageDefinitions(app.name),
          `printf '%s\\n' "Promoted $${ExportedVariable.ImageUri} (commit $${ExportedVariable.ImageTag}) with SBOM $${ExportedVariable.SbomDigest}; the build signature verifies here"`,
        ],
      },
    },
    artifacts: { files: ['imagedefinitions.json'] },
  };
}
