import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STAGE_ENVIRONMENT, STAGE_ORDER } from '../contract.js';
import type { Stage } from '../contract.js';
import type { BuildspecInputs, Severity, ToolPins } from '../inputs.js';
import { renderStage } from '../render.js';
import { shellQuote as q } from '../shell.js';
import type { BuildResult } from './codebuild.js';
import { readIfExists, runBuild } from './codebuild.js';
import { DOWNLOADED, PREINSTALLED, yamlToJsonScript } from './standins.js';

export const REPOSITORY_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server';
export const PROFILE_ARN = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_dev';
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const PUSHED_DIGEST = `sha256:${'a1'.repeat(32)}`;
export const SBOM_DIGEST = `sha256:${'b2'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'c3'.repeat(32)}`;
export const IMAGE_URI = `${REPOSITORY_URI}@${PUSHED_DIGEST}`;

/** A strict trust policy as the pipeline receives it in SIGNET_TRUST_POLICY. */
export const TRUST_POLICY = JSON.stringify({
  version: '1.0',
  trustPolicies: [
    {
      name: 'hello-server',
      registryScopes: [REPOSITORY_URI],
      signatureVerification: { level: 'strict' },
      trustStores: ['signingAuthority:aws-signer-ts'],
      trustedIdentities: [PROFILE_ARN],
    },
  ],
});

export const TEST_CERTIFICATE =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTestOnly\nQUJDRA==\n-----END CERTIFICATE-----\n';

/** How the stand-ins behave. */
export interface Scenario {
  /** Highest severity grype finds. */
  readonly foundSeverity?: Severity | 'none';
  /** Whether docker push prints the digest line. */
  readonly pushReportsDigest?: boolean;
  /** `missing`: signing reports success but no signature reaches the registry. `untrusted`: signed by an identity the policy does not trust. */
  readonly signatures?: 'stored' | 'missing' | 'untrusted';
  readonly apply?: 'ok' | 'denied';
  readonly rollout?: 'ok' | 'timeout';
  /** Digest the pods report running (default: the pushed one). */
  readonly runningDigest?: string;
  /** failureAction of the ClusterPolicy's rules. */
  readonly policyAction?: 'Enforce' | 'Audit';
  /** Replace the bytes served for one tool's download. */
  readonly tamperedDownload?: keyof ToolPins;
  /** Inputs to change, e.g. the vulnerability threshold. */
  readonly inputs?: Partial<BuildspecInputs>;
  /** Deploy-time variables to change. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run every command under set -euo pipefail. */
  readonly strict?: boolean;
}

/** One recorded stand-in call. */
export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
}

export interface PipelineResult {
  readonly stages: ReadonlyMap<Stage, BuildResult>;
  readonly calls: readonly Call[];
  /** Everything every stage logged, in order. */
  readonly log: string;
  readonly rolledBack: boolean;
  readonly applied: boolean;
  readonly state: string;
}

const cleanups: string[] = [];

const DOWNLOAD_NAMES: Readonly<Record<keyof ToolPins, string>> = {
  syft: 'syft.tar.gz',
  grype: 'grype.tar.gz',
  oras: 'oras.tar.gz',
  notation: 'notation.tar.gz',
  awsSignerPlugin: 'notation-aws-signer-plugin.zip',
  kubectl: 'kubectl',
};

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

let preparedDownloads: { dir: string; pins: ToolPins } | undefined;

/** The downloads the stand-in curl serves (built once per test file), pinned by their real SHA-256. */
function sharedDownloads(): { dir: string; pins: ToolPins } {
  if (preparedDownloads === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'signet-downloads-'));
    cleanups.push(dir);
    preparedDownloads = { dir, pins: prepareDownloads(dir) };
  }
  return preparedDownloads;
}

/** Builds the downloads the stand-in curl serves, and pins them by their real SHA-256. */
function prepareDownloads(dir: string): ToolPins {
  mkdirSync(dir, { recursive: true });
  const pin = (tool: keyof ToolPins) => {
    const path = join(dir, DOWNLOAD_NAMES[tool]);
    return {
      version: '1.0.0',
      url: `https://downloads.signet.test/${DOWNLOAD_NAMES[tool]}`,
      sha256: sha256(path),
    };
  };
  for (const tool of ['syft', 'grype', 'oras', 'notation'] as const) {
    const stage = join(dir, `${tool}-content`);
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, tool), DOWNLOADED[tool] ?? '', { mode: 0o755 });
    const tar = spawnSync('tar', ['-czf', join(dir, DOWNLOAD_NAMES[tool]), '-C', stage, tool]);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  }
  writeFileSync(join(dir, DOWNLOAD_NAMES.kubectl), DOWNLOADED['kubectl'] ?? '', { mode: 0o755 });
  writeFileSync(join(dir, DOWNLOAD_NAMES.awsSignerPlugin), 'PK\u0003\u0004 stand-in AWS Signer plugin');
  return {
    syft: pin('syft'),
    grype: pin('grype'),
    oras: pin('oras'),
    notation: pin('notation'),
    awsSignerPlugin: pin('awsSignerPlugin'),
    kubectl: pin('kubectl'),
  };
}

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-server
  labels:
    app.kubernetes.io/name: hello-server
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: hello-server
  template:
    metadata:
      labels:
        app.kubernetes.io/name: hello-server
    spec:
      containers:
        - name: hello-server
          image: __SIGNET_IMAGE__
          ports:
            - containerPort: 8080
`;

const SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  name: hello-server
spec:
  selector:
    app.kubernetes.io/name: hello-server
  ports:
    - port: 80
      targetPort: 8080
`;

/** The source checkout every stage starts from. */
function writeSource(dir: string, manifests: Readonly<Record<string, string>>): void {
  mkdirSync(join(dir, 'apps/hello-server/deploy'), { recursive: true });
  writeFileSync(join(dir, 'apps/hello-server/Dockerfile'), 'FROM scratch\n');
  for (const [name, content] of Object.entries(manifests))
    writeFileSync(join(dir, 'apps/hello-server/deploy', name), content);
}

/** Cluster objects kubectl get returns after the rollout. */
function writeCluster(dir: string, scenario: Scenario): void {
  mkdirSync(dir, { recursive: true });
  const labels = { 'app.kubernetes.io/name': 'hello-server' };
  const container = { name: 'hello-server', image: IMAGE_URI };
  writeFileSync(
    join(dir, 'deployment.json'),
    JSON.stringify({
      kind: 'Deployment',
      metadata: { name: 'hello-server' },
      spec: { selector: { matchLabels: labels }, template: { spec: { containers: [container] } } },
    }),
  );
  const pod = (name: string, digest: string) => ({
    metadata: { name, labels },
    spec: { containers: [container] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'hello-server', image: IMAGE_URI, imageID: `${REPOSITORY_URI}@${digest}` }],
    },
  });
  writeFileSync(
    join(dir, 'pods.json'),
    JSON.stringify({
      kind: 'List',
      items: [
        pod('hello-server-7d9f-abcde', PUSHED_DIGEST),
        pod('hello-server-7d9f-fghij', scenario.runningDigest ?? PUSHED_DIGEST),
      ],
    }),
  );
  const action = scenario.policyAction ?? 'Enforce';
  writeFileSync(
    join(dir, 'clusterpolicy.json'),
    JSON.stringify({
      kind: 'ClusterPolicy',
      metadata: { name: 'signet-verify-images' },
      spec: {
        webhookConfiguration: { failurePolicy: 'Fail', timeoutSeconds: 15 },
        rules: [
          {
            name: 'allowed-repositories-by-digest',
            validate: { failureAction: action, message: 'digest only' },
          },
          {
            name: 'verify-aws-signer-signatures',
            validate: { failureAction: action, message: 'signed only' },
          },
        ],
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }),
  );
}

/** Base inputs of the scenarios: the real generator, with the stand-in downloads pinned. */
export function scenarioInputs(tools: ToolPins, toolsDirectory: string): BuildspecInputs {
  return {
    app: {
      name: 'hello-server',
      namespace: 'hello-server',
      manifestsPath: 'apps/hello-server/deploy',
      dockerfile: 'apps/hello-server/Dockerfile',
      buildContext: '.',
    },
    tools,
    toolsDirectory,
    vulnerabilityThreshold: 'high',
    rolloutTimeoutSeconds: 120,
    admissionPolicy: { name: 'signet-verify-images', requireEnforce: true },
    trustStore: {
      name: 'aws-signer-ts',
      certificates: [{ fileName: 'aws-signer-notation-root.crt', pem: TEST_CERTIFICATE }],
    },
  };
}

/** What the Build stage exports in every scenario, for runs that start at a later stage. */
export const BUILD_EXPORTS: Readonly<Record<string, string>> = {
  IMAGE_TAG: COMMIT,
  IMAGE_DIGEST: PUSHED_DIGEST,
  IMAGE_URI,
  SBOM_DIGEST,
};

/** Options of {@link runPipeline} beyond the scenario. */
export interface PipelineOptions {
  /** Manifests of the app (default: a Deployment and a Service with the placeholder). */
  readonly manifests?: Readonly<Record<string, string>>;
  /** Run only these stages (default: all four, stopping at the first failure). */
  readonly stages?: readonly Stage[];
  /** Variables the earlier stages would have exported, for runs that start later. */
  readonly exported?: Readonly<Record<string, string>>;
}

/** Runs the four generated buildspecs in order, as the pipeline would, against the stand-ins. */
export async function runPipeline(
  scenario: Scenario = {},
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const root = mkdtempSync(join(tmpdir(), 'signet-pipeline-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  const downloads = join(root, 'downloads');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  for (const [name, script] of Object.entries(PREINSTALLED)) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  const shared = sharedDownloads();
  const tools = shared.pins;
  cpSync(shared.dir, downloads, { recursive: true });
  if (scenario.tamperedDownload !== undefined) {
    writeFileSync(
      join(downloads, DOWNLOAD_NAMES[scenario.tamperedDownload]),
      'bytes that are not the pinned release\n',
    );
  }
  writeCluster(join(state, 'cluster'), scenario);
  const yaml2json = join(root, 'yaml2json.mjs');
  writeFileSync(yaml2json, yamlToJsonScript(import.meta.resolve('yaml')));
  const scenarioFile = join(root, 'scenario.env');
  const settings: Record<string, string> = {
    FOUND_SEVERITY: scenario.foundSeverity ?? 'none',
    SIGNATURES: scenario.signatures ?? 'stored',
    APPLY: scenario.apply ?? 'ok',
    ROLLOUT: scenario.rollout ?? 'ok',
    PUSHED_DIGEST,
    PUSH_REPORTS_DIGEST: scenario.pushReportsDigest === false ? 'no' : 'yes',
    SBOM_DIGEST,
  };
  writeFileSync(
    scenarioFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${q(v)}`)
      .join('\n') + '\n',
  );
  const calls = join(state, 'calls.log');
  writeFileSync(calls, '');

  const deployTime: Record<string, string> = {
    SIGNET_REPOSITORY_URI: REPOSITORY_URI,
    SIGNET_SIGNING_PROFILE_ARN: PROFILE_ARN,
    SIGNET_TRUST_POLICY: TRUST_POLICY,
    SIGNET_CLUSTER_NAME: 'signet-dev',
    ...scenario.env,
  };
  const stages = new Map<Stage, BuildResult>();
  let exported: Record<string, string> = { ...options.exported };
  for (const stage of options.stages ?? STAGE_ORDER) {
    // Every stage is a fresh CodeBuild container: its own checkout, home and tools.
    const dir = join(root, stage);
    const source = join(dir, 'src');
    const toolsDir = join(dir, 'tools');
    const home = join(dir, 'home');
    for (const d of [source, toolsDir, home]) mkdirSync(d, { recursive: true });
    writeSource(
      source,
      options.manifests ?? { 'deployment.yaml': DEPLOYMENT_YAML, 'service.yaml': SERVICE_YAML },
    );
    const inputs = { ...scenarioInputs(tools, toolsDir), ...scenario.inputs };
    const contract = STAGE_ENVIRONMENT[stage];
    const env: Record<string, string> = {
      PATH: `${toolsDir}:${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      LANG: 'C.UTF-8',
      AWS_REGION: 'eu-west-1',
      CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT,
      SIGNET_SCENARIO: scenarioFile,
      SIGNET_CALLS: calls,
      SIGNET_STATE: state,
      SIGNET_DOWNLOADS: downloads,
      SIGNET_NODE: process.execPath,
      SIGNET_YAML2JSON: yaml2json,
    };
    for (const name of contract.deployTime) {
      const value = deployTime[name];
      if (value !== undefined) env[name] = value;
    }
    for (const name of contract.fromBuild) {
      const value = exported[name];
      if (value !== undefined) env[name] = value;
    }
    const result = await runBuild({
      yaml: renderStage(stage, inputs),
      sourceDir: source,
      workDir: join(dir, 'driver'),
      env,
      strict: scenario.strict ?? false,
    });
    stages.set(stage, result);
    exported = { ...exported, ...result.exported };
    if (!result.succeeded) break;
  }
  const parsed: Call[] = readIfExists(calls)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [tool = '', ...args] = line.split('\u001f');
      return { tool, args };
    });
  const result: PipelineResult = {
    stages,
    calls: parsed,
    log: [...stages.values()].map((s) => s.log).join('\n'),
    rolledBack: parsed.some((c) => c.tool === 'kubectl' && c.args[0] === 'rollout' && c.args[1] === 'undo'),
    applied: parsed.some((c) => c.tool === 'kubectl' && c.args[0] === 'apply'),
    state,
  };
  cleanups.push(root);
  return result;
}

/** Removes the temporary folders of every run. */
export function cleanupPipelines(): void {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
}
