import { CodeBuildVariable, DeployVariable, ExportedVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import {
  dockerLogin,
  imageDefinitions,
  installTool,
  prepareDirectories,
  requireContractVariables,
  requireVariable,
  scanSummaryCommand,
  WORK_DIR,
} from './common.js';
import {
  existingImageLookup,
  imageDigest,
  requireExistingDigestShape,
  sbomOfImage,
  unlessReusing,
  unlessSbomAttached,
} from './existing-image.js';
import { manifestsSha256Command } from './manifests.js';

/** SBOM file written by syft, attached to the image and kept as an artifact. */
export const SBOM_FILE = 'sbom.spdx.json';
/** Media type of the SBOM referrer. */
export const SBOM_MEDIA_TYPE = 'application/spdx+json';

const PUSH_LOG = `${WORK_DIR}/docker-push.log`;
const ATTACH_JSON = `${WORK_DIR}/oras-attach.json`;
/** grype's JSON report, beside its table: the scan summary the approver reads. */
export const GRYPE_JSON = `${WORK_DIR}/grype.json`;
const TAGGED = `"$${DeployVariable.RepositoryUri}:$${ExportedVariable.ImageTag}"`;

/**
 * Build: build the image, write its SBOM, stop on vulnerabilities at or above the threshold, push
 * it tagged with the commit, take the digest from the push itself, attach the SBOM as an OCI
 * referrer, and export the digest for the later stages.
 *
 * The digest comes from `docker push`'s own output (`<tag>: digest: sha256:… size: …`): it is the
 * manifest digest the registry accepted for this very upload. The blog's `docker manifest inspect`
 * asks the registry again by tag, a second lookup that can answer for another manifest (a
 * manifest list, or a tag moved in between); RepoDigests is local daemon state that can hold an
 * older digest of the same repository. The repository is IMMUTABLE, so the commit tag cannot be
 * re-pointed either.
 */
export function buildStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { app, tools, toolsDirectory } = inputs;
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash, 'exported-variables': [...contract.exports] },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...requireContractVariables(contract),
          prepareDirectories(toolsDirectory),
          ...installTool(tools.syft, 'syft', 'tar.gz', toolsDirectory),
          ...installTool(tools.grype, 'grype', 'tar.gz', toolsDirectory),
          ...installTool(tools.oras, 'oras', 'tar.gz', toolsDirectory),
          'syft version',
          'grype version',
          'oras version',
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          `export ${ExportedVariable.ImageTag}="$${CodeBuildVariable.ResolvedSourceVersion}"`,
          dockerLogin(),
          // A re-run of a commit already pushed reuses its digest (existing-image.ts).
          existingImageLookup(),
          requireExistingDigestShape(),
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          // BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile.
          unlessReusing(
            `DOCKER_BUILDKIT=1 docker build --pull --file ${q(app.dockerfile)} --build-arg GIT_COMMIT="$${ExportedVariable.ImageTag}" --tag ${TAGGED} ${q(app.buildContext)}`,
          ),
          sbomOfImage(
            `syft scan "docker:$${DeployVariable.RepositoryUri}:$${ExportedVariable.ImageTag}" --output ${q(`spdx-json=${SBOM_FILE}`)}`,
            SBOM_FILE,
            SBOM_MEDIA_TYPE,
          ),
          // The gate runs before the push: a vulnerable image never reaches the registry, so it can never be signed.
          [
            `if ! grype ${q(`sbom:${SBOM_FILE}`)} --fail-on ${q(inputs.vulnerabilityThreshold)} --output table --output ${q(`json=${GRYPE_JSON}`)}; then`,
            `  printf '%s\\n' "Vulnerability gate: grype found vulnerabilities of severity ${inputs.vulnerabilityThreshold} or higher in $${DeployVariable.RepositoryUri}:$${ExportedVariable.ImageTag} (or could not scan it); the image is neither pushed nor signed" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          scanSummaryCommand(GRYPE_JSON),
          requireVariable(ExportedVariable.ScanSummary),
          // Exactly the manifests of the commit built, as ApplicationDeployment will apply them.
          ...manifestsSha256Command(ExportedVariable.ManifestsSha256, app.manifestsPath),
          requireVariable(ExportedVariable.ManifestsSha256),
          unlessReusing(
            [
              `if docker push ${TAGGED} > ${q(PUSH_LOG)} 2>&1; then`,
              `  cat ${q(PUSH_LOG)}`,
              'else',
              `  cat ${q(PUSH_LOG)} >&2`,
              '  false',
              'fi',
            ].join('\n'),
          ),
          imageDigest(
            `${ExportedVariable.ImageDigest}="$(grep -oE 'digest: sha256:[0-9a-f]{64}' ${q(PUSH_LOG)} | tail -n 1 | cut -d ' ' -f 2)" && export ${ExportedVariable.ImageDigest}`,
          ),
          requireVariable(ExportedVariable.ImageDigest),
          `export ${ExportedVariable.ImageUri}="$${DeployVariable.RepositoryUri}@$${ExportedVariable.ImageDigest}"`,
          unlessSbomAttached(
            [
              `oras attach --artifact-type ${q(SBOM_MEDIA_TYPE)} --format json "$${ExportedVariable.ImageUri}" ${q(`${SBOM_FILE}:${SBOM_MEDIA_TYPE}`)} > ${q(ATTACH_JSON)}`,
              `${ExportedVariable.SbomDigest}="$(jq -r '.digest' ${q(ATTACH_JSON)})" && export ${ExportedVariable.SbomDigest}`,
            ].join(' && '),
          ),
          requireVariable(ExportedVariable.SbomDigest),
          imageDefinitions(app.name),
          `printf '%s\\n' "Pushed $${ExportedVariable.ImageUri} (tag $${ExportedVariable.ImageTag}) with SBOM $${ExportedVariable.SbomDigest}; manifests $${ExportedVariable.ManifestsSha256}; scan: $${ExportedVariable.ScanSummary}"`,
        ],
      },
    },
    artifacts: { files: ['imagedefinitions.json', SBOM_FILE] },
  };
}
