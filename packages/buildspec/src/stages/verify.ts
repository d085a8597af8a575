import type { StageKubernetesRule } from '@signet/policies';
import { DeployVariable, ExportedVariable, type StageEnvironment } from '../contract.js';
import { renderDrillScript } from '../drill-script.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import { shellQuote as q } from '../shell.js';
import { WORK_DIR } from './common.js';
import { promotionRequestCommands, promotionRequestFiles } from './promotion-request.js';
import { clusterAccess } from './deployment.js';

const DEPLOYMENT_JSON = `${WORK_DIR}/deployment.json`;
const PODS_JSON = `${WORK_DIR}/pods.json`;
const VIOLATIONS = `${WORK_DIR}/violations.txt`;
const POLICY_JSON = `${WORK_DIR}/clusterpolicy.json`;
const VERIFIED = 'SIGNET_VERIFIED';
const DRILL_POD = 'SIGNET_DRILL_POD';
const DRILL_REPORT = `${WORK_DIR}/drill.tsv`;

/** jq program listing every live pod whose app container is not the signed image. */
const POD_VIOLATIONS = [
  '.items[] | select(.metadata.deletionTimestamp == null) | . as $pod',
  '| ($pod.status.containerStatuses // []) as $statuses',
  '| (if ([$pod.spec.containers[] | select(.name == $name)] | length) == 0 then "\\($pod.metadata.name): no container named \\($name)" else empty end),',
  '  ($pod.spec.containers[] | select(.name == $name and .image != $image) | "\\($pod.metadata.name): container \\(.name) is specified as \\(.image)"),',
  '  (if ([$statuses[] | select(.name == $name)] | length) == 0 then "\\($pod.metadata.name): container \\($name) reports no image yet" else empty end),',
  '  ($statuses[] | select(.name == $name and ((.imageID // "") | endswith("@" + $digest) | not)) | "\\($pod.metadata.name): container \\(.name) runs \\(.imageID // "an unknown image")")',
].join('\n');

/** jq program: is the ClusterPolicy ready, fail-closed and (if required) enforcing on every validate rule? */
const POLICY_ENFORCING = [
  '((.status.ready == true) or any((.status.conditions // [])[]; .type == "Ready" and .status == "True"))',
  'and ((.spec.webhookConfiguration.failurePolicy // .spec.failurePolicy // "Fail") == "Fail")',
  'and ([(.spec.rules // [])[] | select(.validate != null)] | length > 0)',
  'and (($enforce | not) or (.spec.validationFailureAction as $legacy',
  '  | all((.spec.rules // [])[] | select(.validate != null); ((.validate.failureAction // $legacy // "Audit") | ascii_downcase) == "enforce")))',
].join('\n');

const POLICY_SUMMARY =
  '{ready: (.status.ready // ([(.status.conditions // [])[] | select(.type == "Ready") | .status] | first)), failurePolicy: (.spec.webhookConfiguration.failurePolicy // .spec.failurePolicy), rules: [(.spec.rules // [])[] | {name, failureAction: (.validate.failureAction // null)}]}';

/**
 * What this stage does with the Kubernetes API in the app's namespace, call by call; its Role
 * grants exactly this (the stage catalog's cluster access):
 * - `kubectl get deployment <app>`: get of the app's Deployment;
 * - `kubectl get pods --selector …`: list of Pods (RBAC cannot limit list by name);
 * - `kubectl rollout undo deployment/<app>` when verification fails: kubectl gets the Deployment,
 *   lists its ReplicaSets (its revisions) and patches the Deployment's Pod template back.
 * - the admission drill (drill.ts), after the checks: `kubectl create --dry-run=server` of Pods and
 *   a Deployment, and a dry-run patch of `pods/ephemeralcontainers` of a running Pod of the app.
 *   RBAC cannot grant a verb for dry runs only, so the role may create Pods and Deployments and add
 *   ephemeral containers in the app's namespace for real; admission still holds every such object to
 *   the app's signed images, the same bar the deploy stage's edit rights meet.
 * `kubectl get clusterpolicy <name>` is cluster-scoped: the admission-policy readers' group grants
 * `get` of that one ClusterPolicy.
 *
 * No AWS-managed access policy fits: AmazonEKSViewPolicy cannot patch (no rollback) and, scoped to
 * the namespace, cannot read the cluster-scoped ClusterPolicy; AmazonEKSEditPolicy may create,
 * change and delete most objects of the namespace (Deployments, Pods, Services, Secrets), far more
 * than a check needs. Custom RBAC bound to the access entry's Kubernetes group is what EKS
 * documents for that case (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
 */
export const VERIFY_KUBERNETES_RULES = [
  { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'patch'], appObjectOnly: true },
  { apiGroup: 'apps', resource: 'replicasets', verbs: ['list'] },
  { apiGroup: 'apps', resource: 'deployments', verbs: ['create'] },
  { apiGroup: '', resource: 'pods', verbs: ['create', 'list'] },
  { apiGroup: '', resource: 'pods/ephemeralcontainers', verbs: ['patch'] },
] as const satisfies readonly StageKubernetesRule[];

/**
 * VerifyContainerSign: after the rollout, every live pod of the Deployment (found by its own
 * selector) must run the signed digest, and the admission policy must be ready, fail-closed and,
 * where required, enforcing. Otherwise the deployment is rolled back and the stage fails. Then the
 * admission drill runs in the app's namespace (server-side dry runs, nothing created): the stage
 * fails unless admission denies every case; the deployment, verified, stays.
 */
export function verifyStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { app, admissionPolicy } = inputs;
  const access = clusterAccess(inputs, contract);
  const ns = `--namespace ${q(app.namespace)}`;
  const requirement = admissionPolicy.requireEnforce
    ? 'ready, with failurePolicy Fail and failureAction Enforce on every validate rule'
    : 'ready, with failurePolicy Fail and at least one validate rule';
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: { 'on-failure': OnFailure.Abort, commands: access.install },
      pre_build: { 'on-failure': OnFailure.Abort, commands: access.preBuild },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          `export ${VERIFIED}=false`,
          `kubectl get deployment ${q(app.name)} ${ns} --output json > ${q(DEPLOYMENT_JSON)}`,
          [
            `if ! jq -e --arg name ${q(app.name)} --arg image "$${ExportedVariable.ImageUri}" 'any(.spec.template.spec.containers[]; .name == $name and .image == $image)' ${q(DEPLOYMENT_JSON)} > /dev/null; then`,
            `  printf '%s\\n' "deployment/${app.name} does not specify container ${app.name} with $${ExportedVariable.ImageUri}" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `SIGNET_SELECTOR="$(jq -r 'if ((.spec.selector.matchExpressions // []) | length) > 0 then "" else (.spec.selector.matchLabels // {}) | to_entries | map("\\(.key)=\\(.value)") | join(",") end' ${q(DEPLOYMENT_JSON)})" && export SIGNET_SELECTOR`,
          [
            'if [[ -z "$SIGNET_SELECTOR" ]]; then',
            `  printf '%s\\n' "deployment/${app.name} has no matchLabels-only selector; cannot find its pods" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `kubectl get pods ${ns} --selector "$SIGNET_SELECTOR" --output json > ${q(PODS_JSON)}`,
          [
            `if ! jq -e '[.items[] | select(.metadata.deletionTimestamp == null)] | length > 0' ${q(PODS_JSON)} > /dev/null; then`,
            `  printf '%s\\n' "No live pod matches $SIGNET_SELECTOR in namespace ${app.namespace}" >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `jq -r --arg name ${q(app.name)} --arg image "$${ExportedVariable.ImageUri}" --arg digest "$${ExportedVariable.ImageDigest}" ${q(POD_VIOLATIONS)} ${q(PODS_JSON)} > ${q(VIOLATIONS)}`,
          [
            `if [[ -s ${q(VIOLATIONS)} ]]; then`,
            `  printf '%s\\n' "Pods of deployment/${app.name} that do not run the signed image $${ExportedVariable.ImageUri}:" >&2`,
            `  cat ${q(VIOLATIONS)} >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `kubectl get clusterpolicy ${q(admissionPolicy.name)} --output json > ${q(POLICY_JSON)}`,
          [
            `if ! jq -e --argjson enforce ${admissionPolicy.requireEnforce ? 'true' : 'false'} ${q(POLICY_ENFORCING)} ${q(POLICY_JSON)} > /dev/null; then`,
            `  printf '%s\\n' "ClusterPolicy ${admissionPolicy.name} must be ${requirement}; it is:" >&2`,
            `  jq -c ${q(POLICY_SUMMARY)} ${q(POLICY_JSON)} >&2`,
            '  false',
            'fi',
          ].join('\n'),
          `export ${VERIFIED}=true`,
          `printf '%s\\n' "Every live pod of deployment/${app.name} runs $${ExportedVariable.ImageUri}, and ClusterPolicy ${admissionPolicy.name} is ${admissionPolicy.requireEnforce ? 'enforcing' : 'active'}"`,
          `${DRILL_POD}="$(jq -r '[.items[] | select(.metadata.deletionTimestamp == null)][0].metadata.name' ${q(PODS_JSON)})" && export ${DRILL_POD}`,
          renderDrillScript({
            namespace: app.namespace,
            repositoryVariable: DeployVariable.RepositoryUri,
            podVariable: DRILL_POD,
            reportFile: DRILL_REPORT,
          }),
          // Verified and drilled: the promotion request for this digest (written onwards only where
          // the environment is promoted from).
          ...promotionRequestCommands(app.manifestsPath),
        ],
        finally: [
          [
            `if [[ "\${${VERIFIED}:-false}" != true ]]; then`,
            `  printf '%s\\n' "Verification failed: rolling back deployment/${app.name}" >&2`,
            `  kubectl rollout undo ${q(`deployment/${app.name}`)} ${ns}`,
            '  false',
            'fi',
          ].join('\n'),
        ],
      },
    },
    artifacts: { files: promotionRequestFiles(app.manifestsPath) },
  };
}
