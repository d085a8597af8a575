/**
 * Recording stand-ins for the tools the buildspecs call. Each is a small bash script that appends
 * its argv to the calls log (fields separated by \x1f, one call per line) and behaves as the
 * scenario file says. aws, docker and curl are "preinstalled"; the others reach the build only
 * through the pinned downloads, so they run only if the checksum gate let them through.
 */

const PRELUDE = `#!/usr/bin/env bash
set -uo pipefail
# shellcheck source=/dev/null
. "$SIGNET_SCENARIO"
__record() { local IFS=$'\\x1f'; printf '%s\\n' "\${0##*/}"$'\\x1f'"$*" >> "$SIGNET_CALLS"; }
__record "$@"
`;

const AWS = `${PRELUDE}
case "$1 \${2:-}" in
  "ecr get-login-password") printf '%s\\n' 'ecr-login-token' ;;
  "eks update-kubeconfig") echo "Updated context in $HOME/.kube/config" ;;
  *) echo "aws stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const DOCKER = `${PRELUDE}
case "$1" in
  login) token="$(cat)"; [ "$token" = ecr-login-token ] || { echo "docker: login without the ECR token" >&2; exit 1; }; echo "Login Succeeded" ;;
  build) echo "Successfully built 0123456789ab" ;;
  push)
    ref="$2"
    echo "The push refers to repository [\${ref%:*}]"
    echo "5f70bf18a086: Pushed"
    [ "$PUSH_REPORTS_DIGEST" = no ] || echo "\${ref##*:}: digest: $PUSHED_DIGEST size: 1570"
    ;;
  *) echo "docker stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const CURL = `${PRELUDE}
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --proto|--proto-redir) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
src="$SIGNET_DOWNLOADS/\${url##*/}"
if [ ! -f "$src" ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi
cp "$src" "$out"
`;

const SYFT = `${PRELUDE}
case "$1" in
  version) echo "Version: stand-in" ;;
  scan)
    target="\${4#spdx-json=}"
    printf '{"spdxVersion":"SPDX-2.3","name":"%s"}\\n' "$2" > "$target"
    ;;
  *) echo "syft stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const GRYPE = `${PRELUDE}
rank() { case "$1" in none) echo 0 ;; negligible) echo 1 ;; low) echo 2 ;; medium) echo 3 ;; high) echo 4 ;; critical) echo 5 ;; *) echo 9 ;; esac; }
case "$1" in
  version) echo "Version: stand-in" ;;
  sbom:*)
    [ -f "\${1#sbom:}" ] || { echo "grype: no SBOM at \${1#sbom:}" >&2; exit 1; }
    threshold="$3"
    if [ "$FOUND_SEVERITY" = none ]; then echo "No vulnerabilities found"; exit 0; fi
    echo "NAME     INSTALLED  FIXED-IN  TYPE  VULNERABILITY   SEVERITY"
    echo "openssl  3.0.2      3.0.15    deb   CVE-2024-00000  $FOUND_SEVERITY"
    if [ "$(rank "$FOUND_SEVERITY")" -ge "$(rank "$threshold")" ]; then
      echo "[0000] ERROR discovered vulnerabilities at or above the severity threshold" >&2
      exit 2
    fi
    ;;
  *) echo "grype stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const ORAS = `${PRELUDE}
case "$1" in
  version) echo "Version: stand-in" ;;
  attach)
    ref="$6"
    case "$ref" in *@sha256:*) ;; *) echo "oras stand-in: attach to a tag: $ref" >&2; exit 1 ;; esac
    printf '{"digest":"%s","reference":"%s@%s"}\\n' "$SBOM_DIGEST" "\${ref%@*}" "$SBOM_DIGEST"
    ;;
  *) echo "oras stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const NOTATION = `${PRELUDE}
signed="$SIGNET_STATE/notation-signed"
case "$1" in
  version) echo "Notation - a tool to sign and verify artifacts. Version: stand-in" ;;
  login) token="$(cat)"; [ "$token" = ecr-login-token ] || exit 1; echo "Login Succeeded" ;;
  plugin)
    case "$2" in
      install) [ -f "$4" ] || exit 1; echo "Successfully installed plugin com.amazonaws.signer.notation.plugin" ;;
      list) echo "com.amazonaws.signer.notation.plugin  AWS Signer plugin for Notation" ;;
    esac
    ;;
  cert) grep -q 'BEGIN CERTIFICATE' "$7" || exit 1; cp "$7" "$SIGNET_STATE/notation-root.crt"; echo "Successfully added certificate to store $6" ;;
  policy)
    case "$2" in
      import) cp "$4" "$SIGNET_STATE/notation-trustpolicy.json"; echo "Trust policy configuration imported successfully." ;;
      show) cat "$SIGNET_STATE/notation-trustpolicy.json" ;;
    esac
    ;;
  sign)
    ref="$6"
    case "$ref" in *@sha256:*) ;; *) echo "notation stand-in: signing a tag: $ref" >&2; exit 1 ;; esac
    [ "$SIGNATURES" = missing ] || printf '%s\\n' "$ref" >> "$signed"
    echo "Successfully signed $ref"
    ;;
  inspect) echo "$2"; echo "└── application/vnd.cncf.notary.signature" ;;
  verify)
    ref="$2"
    [ -f "$SIGNET_STATE/notation-trustpolicy.json" ] || { echo "Error: trust policy is not present" >&2; exit 1; }
    if ! grep -qxF "$ref" "$signed" 2>/dev/null; then
      echo "Error: signature verification failed: no signature is associated with \\"$ref\\", make sure the artifact was signed successfully" >&2
      exit 1
    fi
    if [ "$SIGNATURES" = untrusted ]; then
      echo "Error: signature verification failed for all the signatures associated with $ref" >&2
      exit 1
    fi
    echo "Successfully verified signature for $ref"
    ;;
  *) echo "notation stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

const KUBECTL = `${PRELUDE}
case "$1 \${2:-}" in
  "version --client") echo "Client Version: stand-in" ;;
  "create --dry-run=client") "$SIGNET_NODE" "$SIGNET_YAML2JSON" "$6" ;;
  "apply --namespace")
    if [ "$APPLY" = denied ]; then
      cat >&2 <<MSG
Error from server: error when creating "$5deployment.yaml": admission webhook "validate.kyverno.svc-fail" denied the request:

resource Deployment/$3/hello-server was blocked due to the following policies

signet-verify-images:
  verify-aws-signer-signatures: 'image verification failed: no signature is associated with the image'
MSG
      exit 1
    fi
    echo "deployment.apps/hello-server configured"
    touch "$SIGNET_STATE/applied"
    ;;
  "rollout status")
    if [ "$ROLLOUT" = timeout ]; then
      echo "Waiting for deployment \\"\${3#deployment/}\\" rollout to finish: 0 of 2 updated replicas are available..."
      echo "error: timed out waiting for the condition" >&2
      exit 1
    fi
    echo "deployment \\"\${3#deployment/}\\" successfully rolled out"
    ;;
  "rollout undo") echo "deployment.apps/\${3#deployment/} rolled back"; touch "$SIGNET_STATE/rolled-back" ;;
  "get deployment") cat "$SIGNET_STATE/cluster/deployment.json" ;;
  "get pods") cat "$SIGNET_STATE/cluster/pods.json" ;;
  "get clusterpolicy")
    [ -f "$SIGNET_STATE/cluster/clusterpolicy.json" ] || { echo "Error from server (NotFound): clusterpolicies.kyverno.io \\"$3\\" not found" >&2; exit 1; }
    cat "$SIGNET_STATE/cluster/clusterpolicy.json"
    ;;
  *) echo "kubectl stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

/** Stand-ins found on PATH before the build starts. */
export const PREINSTALLED: Readonly<Record<string, string>> = { aws: AWS, docker: DOCKER, curl: CURL };

/** Stand-ins delivered by the pinned downloads (inside the archives the stand-in curl serves). */
export const DOWNLOADED: Readonly<Record<string, string>> = {
  syft: SYFT,
  grype: GRYPE,
  oras: ORAS,
  notation: NOTATION,
  kubectl: KUBECTL,
};

/** Converts the YAML manifests of a folder to the JSON kubectl's client-side dry run prints. */
export function yamlToJsonScript(yamlModuleUrl: string): string {
  return `import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from ${JSON.stringify(yamlModuleUrl)};
const dir = process.argv[2];
const items = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
    const value = doc.toJS();
    if (value !== null) items.push(value);
  }
}
process.stdout.write(JSON.stringify(items.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', items }, null, 2) + '\\n');
`;
}
