import { ADMISSION_DENIAL, drillRequests } from './drill.js';
import { shellQuote as q } from './shell.js';

/** Values the script reads from its environment, standing in the drill's requests until run time. */
const PLACEHOLDERS = {
  repositoryUri: '@SIGNET_DRILL_REPOSITORY@',
  runningPod: '@SIGNET_DRILL_POD@',
} as const;

/** Inputs of {@link renderDrillScript}. */
export interface DrillScriptInput {
  /** The app's namespace. */
  readonly namespace: string;
  /** The variable holding the app's repository URI. */
  readonly repositoryVariable: string;
  /** The variable holding the name of a running Pod of the app. */
  readonly podVariable: string;
  /** Where the script writes its table. */
  readonly reportFile: string;
}

/** A single-quoted word in which each placeholder becomes its variable, double-quoted. */
function quoted(value: string, input: DrillScriptInput): string {
  return q(value)
    .replaceAll(PLACEHOLDERS.repositoryUri, `'"$${input.repositoryVariable}"'`)
    .replaceAll(PLACEHOLDERS.runningPod, `'"$${input.podVariable}"'`);
}

/**
 * The drill of `drillRequests` as one bash command for a buildspec: each request through kubectl,
 * its outcome classified as `drillOutcome` does (exit 0: admitted; an admission denial: denied;
 * anything else: error), a table of case, expected, got and message, and a failure unless every
 * case was denied. The other-app case is left out: a stage reaches only its own app.
 */
export function renderDrillScript(input: DrillScriptInput): string {
  const { requests } = drillRequests({
    namespace: input.namespace,
    repositoryUri: PLACEHOLDERS.repositoryUri,
    runningPod: PLACEHOLDERS.runningPod,
  });
  const report = q(input.reportFile);
  const lines = [
    'signet_drill_failed=0',
    `printf '%s\\t%s\\t%s\\t%s\\n' CASE EXPECTED GOT MESSAGE > ${report}`,
    'signet_drill_case() {',
    '  local got=error',
    '  if [[ "$2" == 0 ]]; then',
    '    got=admitted',
    `  elif grep -qE ${q(ADMISSION_DENIAL.source)} <<< "$3"; then`,
    '    got=denied',
    '  fi',
    '  if [[ "$got" != denied ]]; then signet_drill_failed=$((signet_drill_failed + 1)); fi',
    `  printf '%s\\t%s\\t%s\\t%s\\n' "$1" denied "$got" "$(head -n 1 <<< "$3")" >> ${report}`,
    '}',
  ];
  for (const request of requests) {
    const kubectl = `kubectl ${request.args.map((arg) => quoted(arg, input)).join(' ')}`;
    const command =
      request.stdin === undefined ? kubectl : `printf '%s' ${quoted(request.stdin, input)} | ${kubectl}`;
    lines.push(
      'signet_drill_status=0',
      `signet_drill_out="$(${command} 2>&1)" || signet_drill_status=$?`,
      `signet_drill_case ${q(request.case)} "$signet_drill_status" "$signet_drill_out"`,
    );
  }
  lines.push(
    `column -t -s $'\\t' ${report} || cat ${report}`,
    'if (( signet_drill_failed > 0 )); then',
    `  printf '%s\\n' "Admission drill: $signet_drill_failed case(s) in namespace ${input.namespace} were not denied by admission" >&2`,
    '  false',
    'fi',
  );
  return lines.join('\n');
}
