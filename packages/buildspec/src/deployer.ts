import { BuildspecInputError } from './errors.js';
import { OnFailure, type Buildspec } from './model.js';

/**
 * The stacks only the deployer runs: their programs reach the EKS cluster's private endpoint (the
 * Kubernetes provider), which a GitHub-hosted runner cannot. In stack order.
 */
export const PRIVATE_ENDPOINT_STACKS = ['stack-eks', 'stack-signing-pipeline'] as const;

/** The Pulumi CLI release the deployer installs, verified by its SHA-256. */
export interface PulumiCliPin {
  /** Release, e.g. `3.200.0` (the archive `pulumi-v<version>-linux-x64.tar.gz` of get.pulumi.com). */
  readonly version: string;
  /** SHA-256 of that archive, as Pulumi publishes it (`pulumi-<version>-checksums.txt`). */
  readonly sha256: string;
}

/** Input of {@link deployerBuildspec}. */
export interface DeployerBuildspecInput {
  /** The environment the deployer updates (`--configuration` of each stack's `up`). */
  readonly environment: string;
  /** The branch every deployed commit must be on (default `main`). */
  readonly branch?: string;
  /** Secrets Manager secret holding the Pulumi deploy token (PULUMI_ACCESS_TOKEN). */
  readonly pulumiTokenSecretArn: string;
  readonly pulumiCli: PulumiCliPin;
}

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,19}$/;
const BRANCH = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,99}$/;
const VERSION = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function check(value: string, pattern: RegExp, path: string, allowed: string): string {
  if (!pattern.test(value)) throw new BuildspecInputError({ path, value, allowed });
  return value;
}

/**
 * The deployer's buildspec: for the commit CodeBuild checked out (the `--source-version` the
 * workflow started it with), refuse anything but a full commit SHA on the deploy branch, install
 * the pinned Pulumi CLI after checking its SHA-256, then `up` each private-endpoint stack in order
 * through its Nx target (which selects or creates the stack). It takes no other input: the
 * project refuses overrides (docs/deploy.md), so a caller chooses the commit and nothing else.
 */
export function deployerBuildspec(input: DeployerBuildspecInput): Buildspec {
  const environment = check(
    input.environment,
    ENVIRONMENT,
    'environment',
    'an environment name such as "prod"',
  );
  const branch = check(input.branch ?? 'main', BRANCH, 'branch', 'a branch name such as "main"');
  check(input.pulumiTokenSecretArn, SECRET_ARN, 'pulumiTokenSecretArn', 'a Secrets Manager secret ARN');
  check(input.pulumiCli.version, VERSION, 'pulumiCli.version', 'a Pulumi CLI release such as "3.200.0"');
  check(input.pulumiCli.sha256, SHA256, 'pulumiCli.sha256', 'the archive SHA-256, 64 lowercase hex');
  return {
    version: '0.2',
    env: {
      shell: 'bash',
      variables: {
        SIGNET_ENVIRONMENT: environment,
        DEPLOY_BRANCH: branch,
        PULUMI_VERSION: input.pulumiCli.version,
        PULUMI_SHA256: input.pulumiCli.sha256,
        PULUMI_SKIP_CONFIRMATIONS: 'true',
        NX_DAEMON: 'false',
      },
      'secrets-manager': { PULUMI_ACCESS_TOKEN: input.pulumiTokenSecretArn },
      // `git fetch` of the deploy branch uses the source's own credentials (the connection).
      'git-credential-helper': 'yes',
    },
    phases: {
      install: {
        commands: [
          'corepack enable',
          'curl --fail --silent --show-error --location --output /tmp/pulumi.tgz "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"',
          'echo "${PULUMI_SHA256}  /tmp/pulumi.tgz" | sha256sum --check --strict -',
          'tar -xzf /tmp/pulumi.tgz -C /tmp && export PATH="/tmp/pulumi:$PATH" && pulumi version',
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          '[[ "${CODEBUILD_RESOLVED_SOURCE_VERSION:-}" =~ ^[0-9a-f]{40}$ ]] || { echo "source version has value \\"${CODEBUILD_RESOLVED_SOURCE_VERSION:-}\\"; allowed: a full commit SHA (start-build --source-version <sha>)" >&2; false; }',
          'git fetch --no-tags --quiet origin "+refs/heads/${DEPLOY_BRANCH}:refs/remotes/origin/${DEPLOY_BRANCH}"',
          'git merge-base --is-ancestor "$CODEBUILD_RESOLVED_SOURCE_VERSION" "origin/${DEPLOY_BRANCH}" || { echo "commit $CODEBUILD_RESOLVED_SOURCE_VERSION is not on ${DEPLOY_BRANCH}; the deployer deploys only what ${DEPLOY_BRANCH} holds" >&2; false; }',
          'pnpm install --frozen-lockfile',
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: PRIVATE_ENDPOINT_STACKS.map(
          (stack) => `pnpm exec nx run ${stack}:up --configuration="$SIGNET_ENVIRONMENT"`,
        ),
      },
    },
  };
}
