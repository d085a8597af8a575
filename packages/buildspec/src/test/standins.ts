import { DEFAULT_IMAGE_VERIFICATION_POLICY_NAME, IMAGE_VERIFICATION_RULES } from '@signet/policies';

/**
 * Recording stand-ins for the tools the buildspecs call that cannot run here for real. Each is a
 * small bash script that appends its argv to the calls log (fields separated by \x1f, one call per
 * line) and behaves as the scenario file says. docker and curl are "preinstalled"; syft, grype and
 * kubectl reach the build only through the pinned downloads, so they run only if the checksum gate
 * let them through. notation, oras and the AWS CLI are the real tools (see pipeline.ts); `aws` is
 * a recording wrapper that execs the real CLI.
 */

const PRELUDE = `#!/usr/bin/env bash
set -uo pipefail
# shellcheck source=/dev/null
. "$SIGNET_SCENARIO"
__record() { local IFS=$'\\x1f'; printf '%s\\n' "\${0##*/}"$'\\x1f'"$*" >> "$SIGNET_CALLS"; }
__record "$@"
`;

/**
 * Records the call, then runs the real AWS CLI (its path is appended by the harness) against moto,
 * except for the two AWS Signer calls moto 5.2 does not implement (`describe-signing-job`,
 * `revoke-signature`): those answer from the signing jobs the plugin stand-in recorded under
 * $SIGNET_SIGNER_STATE (jobs/<id>, revoked/<id>), with the AWS CLI's output and error shapes, and
 * the plugin stand-in's revocation check reads the same folder, as the real plugin asks AWS Signer.
 * SIGNER_REVOKE=denied answers revoke-signature with AccessDeniedException, and
 * DESCRIBE_IMAGES=denied `ecr describe-images` likewise.
 */
export const AWS_WRAPPER = `${PRELUDE}
if [ "\${1:-} \${2:-}" = "ecr describe-images" ] && [ "\${DESCRIBE_IMAGES:-ok}" = denied ]; then
  echo "" >&2
  echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation: User: arn:aws:sts::123456789012:assumed-role/signet-dev-hello-server-build/AWSCodeBuild is not authorized to perform: ecr:DescribeImages" >&2
  exit 255
fi
if [ "\${1:-}" = signer ] && { [ "\${2:-}" = describe-signing-job ] || [ "\${2:-}" = revoke-signature ]; }; then
  op="$2"; job=""; query=""; output=""
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --job-id) job="$2"; shift 2 ;;
      --query) query="$2"; shift 2 ;;
      --output) output="$2"; shift 2 ;;
      --job-owner|--reason) shift 2 ;;
      *) echo "aws signer stand-in: unexpected argument $1" >&2; exit 2 ;;
    esac
  done
  name=DescribeSigningJob; [ "$op" = describe-signing-job ] || name=RevokeSignature
  if [ ! -f "$SIGNET_SIGNER_STATE/jobs/$job" ]; then
    echo "" >&2
    echo "An error occurred (ResourceNotFoundException) when calling the $name operation: The signing job $job does not exist" >&2
    exit 255
  fi
  if [ "$op" = describe-signing-job ]; then
    [ "$query" = revocationRecord.revokedAt ] && [ "$output" = text ] || { echo "aws signer stand-in: only --query revocationRecord.revokedAt --output text is answered" >&2; exit 2; }
    if [ -f "$SIGNET_SIGNER_STATE/revoked/$job" ]; then cat "$SIGNET_SIGNER_STATE/revoked/$job"; else echo None; fi
    exit 0
  fi
  if [ "\${SIGNER_REVOKE:-ok}" = denied ]; then
    echo "" >&2
    echo "An error occurred (AccessDeniedException) when calling the RevokeSignature operation: User: arn:aws:sts::123456789012:assumed-role/signet-prod-hello-server-revoke/AWSCodeBuild is not authorized to perform: signer:RevokeSignature" >&2
    exit 255
  fi
  mkdir -p "$SIGNET_SIGNER_STATE/revoked"
  date -u +%Y-%m-%dT%H:%M:%S+00:00 > "$SIGNET_SIGNER_STATE/revoked/$job"
  exit 0
fi
exec `;

/**
 * docker without a daemon. `login` stores the credentials as docker does without a credential
 * store (base64 user:password under auths in ~/.docker/config.json, which crane and oras read
 * too); it does not check them, as the daemon would: the push that follows does. `build` writes
 * one layer (the Dockerfile, the build arguments and this run's state folder, so every run's
 * image has its own digest). `push` pushes that layer as a real OCI image with crane and prints
 * docker's lines with the digest and size of the manifest the registry accepted.
 */
const DOCKER = `${PRELUDE}
images="$SIGNET_STATE/docker-images"
case "$1" in
  login)
    user=""; host=""
    while [ $# -gt 1 ]; do
      shift
      case "$1" in
        --username) user="$2"; shift ;;
        --password-stdin) ;;
        *) host="$1" ;;
      esac
    done
    token="$(cat)"
    [ -n "$token" ] || { echo "Error: Password Required" >&2; exit 1; }
    mkdir -p "$HOME/.docker"
    printf '{"auths":{"%s":{"auth":"%s"}}}\\n' "$host" "$(printf '%s:%s' "$user" "$token" | base64 -w0)" > "$HOME/.docker/config.json"
    echo "WARNING! Your password will be stored unencrypted in $HOME/.docker/config.json."
    echo "Login Succeeded"
    ;;
  build)
    tag=""; dockerfile=""; args=""
    while [ $# -gt 1 ]; do
      shift
      case "$1" in
        --tag) tag="$2"; shift ;;
        --file) dockerfile="$2"; shift ;;
        --build-arg) args="$args$2"$'\\n'; shift ;;
      esac
    done
    [ -f "$dockerfile" ] || { echo "ERROR: failed to solve: failed to read dockerfile: open $dockerfile: no such file or directory" >&2; exit 1; }
    layer="$images/$(printf '%s' "$tag" | sha256sum | cut -c1-16)"
    mkdir -p "$layer/content/etc"
    cp "$dockerfile" "$layer/content/Dockerfile"
    printf '%sSIGNET_RUN=%s\\n' "$args" "$SIGNET_STATE" > "$layer/content/etc/signet-build"
    tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$layer/content" -cf "$layer/layer.tar" .
    echo "naming to $tag done"
    ;;
  push)
    ref="$2"
    layer="$images/$(printf '%s' "$ref" | sha256sum | cut -c1-16)"
    [ -f "$layer/layer.tar" ] || { echo "An image does not exist locally with the tag: \${ref%:*}" >&2; exit 1; }
    echo "The push refers to repository [\${ref%:*}]"
    # ECR keeps the tags (moto stands for it): an IMMUTABLE repository refuses a tag it holds already.
    repo="\${ref%:*}"; repo="\${repo#*/}"; tag="\${ref##*:}"
    if "$SIGNET_AWS" ecr describe-images --repository-name "$repo" --image-ids imageTag="$tag" > /dev/null 2>&1; then
      echo "tag invalid: The image tag '$tag' already exists in the '$repo' repository and cannot be overwritten because the repository is immutable." >&2
      exit 1
    fi
    if ! pushed="$("$SIGNET_CRANE" append --oci-empty-base --new_layer "$layer/layer.tar" --new_tag "$ref" 2> "$layer/crane.log")"; then
      cat "$layer/crane.log" >&2
      exit 1
    fi
    "$SIGNET_AWS" ecr put-image --repository-name "$repo" --image-tag "$tag" --image-digest "\${pushed##*@}" --image-manifest "$("$SIGNET_CRANE" manifest "$pushed")" > /dev/null || exit 1
    size="$("$SIGNET_CRANE" manifest "$pushed" | wc -c)"
    echo "$(sha256sum < "$layer/layer.tar" | cut -c1-12): Pushed"
    [ "$PUSH_REPORTS_DIGEST" = no ] || echo "\${ref##*:}: digest: \${pushed##*@} size: $size"
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
# A run's own copy (a tampered download) first, then the files every run shares.
src="$SIGNET_DOWNLOAD_OVERRIDES/\${url##*/}"
[ -f "$src" ] || src="$SIGNET_DOWNLOADS/\${url##*/}"
if [ ! -f "$src" ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi
cp "$src" "$out"
`;

const SYFT = `${PRELUDE}
case "$1" in
  version) echo "Version: stand-in" ;;
  scan)
    # Like syft's docker: source, only an image the (stand-in) daemon built can be scanned.
    ref="\${2#docker:}"
    if [ "\${2#registry:}" != "$2" ]; then
      # The registry: source, as syft reads an image it pulls itself (with docker's credentials).
      "$SIGNET_CRANE" manifest "\${2#registry:}" > /dev/null 2>&1 || { echo "[0000] ERROR could not determine source: errors occurred attempting to resolve '$2'" >&2; exit 1; }
    elif [ ! -f "$SIGNET_STATE/docker-images/$(printf '%s' "$ref" | sha256sum | cut -c1-16)/layer.tar" ]; then
      echo "[0000] ERROR could not determine source: errors occurred attempting to resolve '$2'" >&2
      exit 1
    fi
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
    # Like grype's --output <format>=<file>: the JSON report, its matches' severities as grype writes them.
    json=""
    for arg in "$@"; do case "$arg" in json=*) json="\${arg#json=}" ;; esac; done
    if [ -n "$json" ]; then
      if [ "$FOUND_SEVERITY" = none ]; then echo '{"matches":[]}' > "$json"
      else printf '{"matches":[{"vulnerability":{"id":"CVE-2024-00000","severity":"%s"}}]}\\n' "$(printf '%s' "$FOUND_SEVERITY" | sed 's/./\\u&/')" > "$json"; fi
    fi
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

/**
 * kubectl without a cluster. Like kubectl, every call but `version --client` needs the
 * kubeconfig `aws eks update-kubeconfig` wrote; `apply` records the app image of the applied
 * manifests, and the Deployment and pods it returns afterwards run that image.
 */
/**
 * What the API server returns to `kubectl apply` when Kyverno denies the app's Deployment for an
 * unsigned image, as the real engine produces it: a Deployment is checked by the rule Kyverno derives
 * for Pod controllers (`autogen-<rule>`; the eks stack's engine test, stacks/eks/src/admission.engine.test.ts,
 * asserts that name and the message for every controller kind), the text is Kyverno v1.19's blocked-message
 * format (note the trailing spaces), and the reason is the verifier's, which is notation's own error.
 */
const DEPLOYMENT_DENIAL = [
  'Error from server: error when creating "$5deployment.yaml": admission webhook "validate.kyverno.svc-fail" denied the request: ',
  '',
  'resource Deployment/$3/hello-server was blocked due to the following policies ',
  '',
  `${DEFAULT_IMAGE_VERIFICATION_POLICY_NAME}:`,
  `  autogen-${IMAGE_VERIFICATION_RULES.signatures('hello-server')}: 'Image signature verification failed: signature verification failed: no signature is associated with "$image", make sure the artifact was signed successfully'`,
].join('\n');

const KUBECTL = `${PRELUDE}
if [ "$1 \${2:-}" != "version --client" ] && ! grep -q '^current-context: .' "\${KUBECONFIG:-$HOME/.kube/config}" 2>/dev/null; then
  echo "The connection to the server localhost:8080 was refused - did you specify the right host or port?" >&2
  exit 1
fi
applied="$SIGNET_STATE/cluster/applied-image"
cluster_object() {
  [ -s "$applied" ] || { echo "Error from server (NotFound): deployments.apps \\"hello-server\\" not found" >&2; exit 1; }
  image="$(cat "$applied")"
  sed -e "s|__APPLIED_IMAGE__|$image|g" -e "s|__APPLIED_DIGEST__|\${image##*@}|g" "$SIGNET_STATE/cluster/$1"
}
case "$1 \${2:-}" in
  "version --client") echo "Client Version: stand-in" ;;
  "create --dry-run=client") "$SIGNET_NODE" "$SIGNET_YAML2JSON" "$6" ;;
  "apply --namespace")
    if [ "$APPLY" = denied ]; then
      image="$("$SIGNET_NODE" "$SIGNET_YAML2JSON" "$5" | jq -r '(if .kind == "List" then .items[] else . end) | select(.kind == "Deployment") | .spec.template.spec.containers[0].image')"
      cat >&2 <<MSG
${DEPLOYMENT_DENIAL}
MSG
      exit 1
    fi
    "$SIGNET_NODE" "$SIGNET_YAML2JSON" "$5" | jq -r '(if .kind == "List" then .items[] else . end) | select(.kind == "Deployment") | .spec.template.spec.containers[] | select(.name == "hello-server") | .image' > "$applied"
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
  "get deployment") cluster_object deployment.json ;;
  "get pods") cluster_object pods.json ;;
  "create --dry-run=server")
    # The drill's dry runs: Kyverno denies each as it words a denial, unless the scenario admits the Deployment.
    kind="$(jq -r '.kind')"
    if [ "$DRILL" = deployment-admitted ] && [ "$kind" = Deployment ]; then
      echo "deployment.apps/signet-drill created (server dry run)"
      exit 0
    fi
    echo "Error from server: admission webhook \\"validate.kyverno.svc-fail\\" denied the request: resource $kind/$4/signet-drill was blocked due to the following policies" >&2
    exit 1
    ;;
  "patch pod")
    echo "Error from server: admission webhook \\"validate.kyverno.svc-fail\\" denied the request: resource Pod/$5/$3 was blocked due to the following policies" >&2
    exit 1
    ;;
  "get clusterpolicy")
    [ -f "$SIGNET_STATE/cluster/clusterpolicy.json" ] || { echo "Error from server (NotFound): clusterpolicies.kyverno.io \\"$3\\" not found" >&2; exit 1; }
    cat "$SIGNET_STATE/cluster/clusterpolicy.json"
    ;;
  *) echo "kubectl stand-in: unexpected call: $*" >&2; exit 2 ;;
esac
`;

/** Stand-ins found on PATH before the build starts. */
export const PREINSTALLED: Readonly<Record<string, string>> = { docker: DOCKER, curl: CURL };

/** Stand-ins delivered by the pinned downloads (inside the archives the stand-in curl serves). */
export const DOWNLOADED: Readonly<Record<string, string>> = {
  syft: SYFT,
  grype: GRYPE,
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
