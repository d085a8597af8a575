import { ExportedVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import {
  imageDefinitions,
  installTool,
  prepareDirectories,
  requireContractVariables,
  requireImageUriConsistent,
  updateKubeconfig,
  WORK_DIR,
} from './common.js';
import { requireManifestsHash } from './manifests.js';

/** The placeholder app manifests carry where the image goes. */
export const IMAGE_PLACEHOLDER = '__SIGNET_IMAGE__';

const RENDERED = `${WORK_DIR}/rendered`;
const RENDERED_JSON = `${WORK_DIR}/rendered.json`;
const IMAGES = `${WORK_DIR}/images.txt`;
const APPLY_ERR = `${WORK_DIR}/kubectl-apply.err`;

/** Commands shared by the stages that talk to the cluster: checks, kubectl, kubeconfig. */
export function clusterAccess(
  inputs: BuildspecInputs,
  contract: StageEnvironment,
): { install: string[]; preBuild: string[] } {
  return {
    install: [
      ...requireContractVariables(contract, [ExportedVariable.ImageUri]),
      requireImageUriConsistent(),
      prepareDirectories(inputs.toolsDirectory),
      ...installTool(inputs.tools.kubectl, 'kubectl', 'binary', inputs.toolsDirectory),
      'kubectl version --client',
    ],
    preBuild: [updateKubeconfig()],
  };
}

/**
 * ApplicationDeployment: render the app's manifests with the image by digest, refuse anything
 * left as a placeholder or a tag, apply them to the app's namespace (an admission denial fails
 * the stage with the policy's message as kubectl printed it), and wait for the rollout, rolling
 * back when it does not complete in time.
 */
export function deploymentStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { app } = inputs;
  const access = clusterAccess(inputs, contract);
  const deployment = q(`deployment/${app.name}`);
  const ns = `--namespace ${q(app.namespace)}`;
  const timeout = `${inputs.rolloutTimeoutSeconds}s`;
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: { 'on-failure': OnFailure.Abort, commands: access.install },
      pre_build: { 'on-failure': OnFailure.Abort, commands: access.preBuild },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          // Exactly the manifests Build hashed (and the build signature attests), or nothing is applied.
          ...requireManifestsHash(app.manifestsPath, ExportedVariable.ManifestsSha256, 'refusing to deploy'),
          `rm -rf ${q(RENDERED)} && mkdir -p ${q(RENDERED)} && cp ${q(app.manifestsPath)}/*.yaml ${q(RENDERED)}/`,
          // IMAGE_URI was checked at the start: repository URI and digest only, nothing sed would interpret.
          `sed -i "s|${IMAGE_PLACEHOLDER}|$${ExportedVariable.ImageUri}|g" ${q(RENDERED)}/*.yaml`,
          [
            `if grep -n ${q(IMAGE_PLACEHOLDER)} ${q(RENDERED)}/*.yaml; then`,
            `  printf '%s\\n' "The manifests above still hold ${IMAGE_PLACEHOLDER} after rendering; refusing to deploy" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `kubectl create --dry-run=client --output json --filename ${q(RENDERED)}/ > ${q(RENDERED_JSON)}`,
          `jq -r '(if .kind == "List" then .items[] else . end) | .. | objects | (.containers, .initContainers, .ephemeralContainers) | arrays | .[] | .image' ${q(RENDERED_JSON)} > ${q(IMAGES)}`,
          [
            `if ! grep -qxF "$${ExportedVariable.ImageUri}" ${q(IMAGES)}; then`,
            `  printf '%s\\n' "No container of the rendered manifests runs $${ExportedVariable.ImageUri}; refusing to deploy" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          [
            `if grep -vE '@sha256:[0-9a-f]{64}$' ${q(IMAGES)}; then`,
            `  printf '%s\\n' "The images above are not referenced by digest (a tag can be moved to another image); refusing to deploy" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          [
            `if kubectl apply ${ns} --filename ${q(RENDERED)}/ 2> ${q(APPLY_ERR)}; then`,
            `  cat ${q(APPLY_ERR)} >&2`,
            'else',
            `  cat ${q(APPLY_ERR)} >&2`,
            `  if grep -q 'admission webhook' ${q(APPLY_ERR)}; then`,
            `    printf '%s\\n' "The admission policy denied $${ExportedVariable.ImageUri}; its message is above, as the API server returned it" >&2`,
            '  fi',
            '  false',
            'fi',
          ].join('\n'),
          [
            `if ! kubectl rollout status ${deployment} ${ns} --timeout ${q(timeout)}; then`,
            `  printf '%s\\n' "deployment/${app.name} did not complete its rollout within ${timeout}; rolling back" >&2`,
            `  kubectl rollout undo ${deployment} ${ns}`,
            '  false',
            'fi',
          ].join('\n'),
          imageDefinitions(app.name),
        ],
      },
    },
    artifacts: { files: ['imagedefinitions.json'] },
  };
}
