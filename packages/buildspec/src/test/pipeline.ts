import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipelineName } from '@signet/core';
import { buildTrustPolicy, renderTrustPolicyJson } from '@signet/policies';
import { environmentsWhere, buildsImages, environmentTraits } from '@signet/core';
import { STAGE_ENVIRONMENT, STAGE_GENERATORS, Stage, stagesFor } from '../catalog.js';
import { SignerPluginMirrorFile, signerPluginMirrorKey } from '../stages/common.js';
import type { BuildspecInputs, Severity, ToolPins } from '../inputs.js';
import { renderBuildspec } from '../model.js';
import { manifestsSha256 } from '../stages/manifests.js';
import type { Buildspec } from '../model.js';
import { shellQuote as q } from '../shell.js';
import type { BuildResult } from './codebuild.js';
import { readIfExists, runBuild } from './codebuild.js';
import {
  CLUSTER_NAME,
  REPOSITORY_URI,
  clientEnv,
  run,
  runOk,
  stopTestServices,
  testServices,
} from './engines.js';
import type { Engines, TestServices } from './engines.js';
import type { PluginSignatureScenario } from './gpg.js';
import {
  makeGpgKey,
  pluginGpgPin,
  stopGpgAgent,
  writePluginSignature,
  writePluginSignatureOverrides,
  type TestGpgKey,
} from './gpg.js';
import { writeSignerPluginZip } from './signer-plugin.js';
import { AWS_WRAPPER, DOWNLOADED, PREINSTALLED, yamlToJsonScript } from './standins.js';

export { REPOSITORY_URI } from './engines.js';
export const PROFILE_ARN = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_dev';
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
/** The app's pipeline in the scenarios, as @signet/core names it (dev, hello-server). */
export const PIPELINE_NAME = pipelineName('dev', 'hello-server');
/** What CodeBuild reports for a build that pipeline started. */
export const PIPELINE_INITIATOR = `codepipeline/${PIPELINE_NAME}`;

/**
 * Digests for runs that start at ApplicationDeployment: those stages never reach the registry
 * (kubectl is a stand-in), so the image need not exist. Runs that sign use a real image
 * ({@link pushTestImage}) or the one their Build stage pushed.
 */
export const PUSHED_DIGEST = `sha256:${'a1'.repeat(32)}`;
export const SBOM_DIGEST = `sha256:${'b2'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'c3'.repeat(32)}`;
export const IMAGE_URI = `${REPOSITORY_URI}@${PUSHED_DIGEST}`;

/**
 * The trust policy the pipeline receives in SIGNET_TRUST_POLICY, from the same builder as
 * production: trust store signingAuthority:aws-signer-ts, the signing profile as the trusted
 * identity. The scenarios change only the certificate in that store (the test key's, see
 * {@link scenarioInputs}).
 */
export const TRUST_POLICY = renderTrustPolicyJson(
  buildTrustPolicy({
    statements: [
      { name: 'hello-server', registryScopes: [REPOSITORY_URI], trustedIdentities: [PROFILE_ARN] },
    ],
  }),
);

/** How the stand-ins behave. */
export interface Scenario {
  /** Highest severity grype finds. */
  readonly foundSeverity?: Severity | 'none';
  /** Whether docker push prints the digest line. */
  readonly pushReportsDigest?: boolean;
  /** Key the AWS Signer plugin stand-in signs with: the one in the trust store (default) or another test key. */
  readonly signingKey?: 'trusted' | 'other';
  /** Leave a signing stage's `notation sign` commands out, so its `notation verify` meets what is there. */
  readonly unsigned?: boolean;
  readonly apply?: 'ok' | 'denied';
  readonly rollout?: 'ok' | 'timeout';
  /** What admission answers the drill's dry runs: deny each (default), or admit the Deployment. */
  readonly drill?: 'denied' | 'deployment-admitted';
  /** Digest the second pod reports running (default: the applied one). */
  readonly runningDigest?: string;
  /** failureAction of the ClusterPolicy's rules. */
  readonly policyAction?: 'Enforce' | 'Audit';
  /** Replace the bytes served for one tool's download. */
  readonly tamperedDownload?: keyof ToolPins;
  /**
   * What is served as AWS's signature of the plugin and AWS's key: AWS's (default); a signature of
   * other bytes by AWS's key (`tampered`); another key's signature with that key served as AWS's
   * (`other-key`); a key file that is not a key (`not-a-key`).
   */
  readonly pluginSignature?: PluginSignatureScenario;
  /**
   * What the signer stack's mirror bucket holds: the plugin build, signature and key served as
   * AWS's (default, `seeded`), or nothing (`empty`: `signet mirror-plugin` never ran).
   */
  readonly pluginMirror?: 'seeded' | 'empty';
  /** Inputs to change, e.g. the vulnerability threshold. */
  readonly inputs?: Partial<BuildspecInputs>;
  /** Deploy-time variables to change. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run every command under set -euo pipefail. */
  readonly strict?: boolean;
  /** CODEBUILD_INITIATOR as CodeBuild would set it (default: the app's pipeline). */
  readonly initiator?: string;
  /** What the aws stand-in answers `signer revoke-signature`: revoked (default) or AccessDenied. */
  readonly signerRevoke?: 'ok' | 'denied';
  /** What the aws stand-in answers Build's `ecr describe-images`: moto's answer (default) or AccessDenied. */
  readonly describeImages?: 'ok' | 'denied';
  /**
   * The commit the source resolved to (CODEBUILD_RESOLVED_SOURCE_VERSION). Default: one of the run's
   * own, since the repository's tags are immutable and a second run of a commit is a re-run.
   */
  readonly commit?: string;
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
  /** The commit the run's source resolved to. */
  readonly commit: string;
  /** The folder of one stage's container: `src` (the checkout), `home`, `tools`. */
  stageDir(stage: Stage): string;
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

interface SharedDownloads {
  readonly dir: string;
  readonly pins: ToolPins;
  /** The key that stands for AWS Signer's plugin-signing key, and another one. */
  readonly keys: { readonly aws: TestGpgKey; readonly other: TestGpgKey };
}

let preparedDownloads: SharedDownloads | undefined;
let signerState: string | undefined;

/**
 * AWS Signer's signing jobs for this test file: the plugin stand-in records each job it signs, the
 * aws stand-in revokes them, and the plugin's revocation check reads them, across every run.
 */
function sharedSignerState(): string {
  if (signerState === undefined) {
    signerState = mkdtempSync(join(tmpdir(), 'signet-signer-'));
    cleanups.push(signerState);
  }
  return signerState;
}

/** The downloads the stand-in curl serves (built once per test file), pinned by their real SHA-256. */
function sharedDownloads(engines: Engines): SharedDownloads {
  if (preparedDownloads === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'signet-downloads-'));
    cleanups.push(dir);
    const keys = { aws: makeGpgKey('AWS Signer Notation stand-in'), other: makeGpgKey('Someone else') };
    for (const key of Object.values(keys)) cleanups.push(key.home);
    preparedDownloads = { dir, pins: prepareDownloads(dir, engines, keys.aws), keys };
  }
  return preparedDownloads;
}

/**
 * Builds the downloads the stand-in curl serves, and pins them by their real SHA-256. The notation
 * and oras archives hold the real binaries (the provisioned engines at the pinned versions), so
 * the stages install, checksum-check and run the real tools exactly as on CodeBuild; syft, grype
 * and kubectl archives hold stand-ins, the plugin zip the plugin stand-in.
 */
function prepareDownloads(dir: string, engines: Engines, awsKey: TestGpgKey): ToolPins {
  mkdirSync(dir, { recursive: true });
  const pin = (tool: keyof ToolPins) => ({
    version: '1.0.0',
    url: `https://downloads.signet.test/${DOWNLOAD_NAMES[tool]}`,
    sha256: sha256(join(dir, DOWNLOAD_NAMES[tool])),
  });
  const content: Record<'syft' | 'grype' | 'oras' | 'notation', (path: string) => void> = {
    syft: (path) => writeFileSync(path, DOWNLOADED['syft'] ?? '', { mode: 0o755 }),
    grype: (path) => writeFileSync(path, DOWNLOADED['grype'] ?? '', { mode: 0o755 }),
    oras: (path) => copyFileSync(engines.oras, path),
    notation: (path) => copyFileSync(engines.notation, path),
  };
  for (const tool of ['syft', 'grype', 'oras', 'notation'] as const) {
    const stage = join(dir, `${tool}-content`);
    mkdirSync(stage, { recursive: true });
    content[tool](join(stage, tool));
    chmodSync(join(stage, tool), 0o755);
    // gzip -1: the archives are made once per test file; their size does not matter here.
    const tar = spawnSync('tar', [
      '--use-compress-program=gzip -1',
      '-cf',
      join(dir, DOWNLOAD_NAMES[tool]),
      '-C',
      stage,
      tool,
    ]);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    rmSync(stage, { recursive: true, force: true });
  }
  writeFileSync(join(dir, DOWNLOAD_NAMES.kubectl), DOWNLOADED['kubectl'] ?? '', { mode: 0o755 });
  writeSignerPluginZip(join(dir, DOWNLOAD_NAMES.awsSignerPlugin));
  writePluginSignature(dir, awsKey);
  return {
    syft: pin('syft'),
    grype: pin('grype'),
    oras: pin('oras'),
    notation: pin('notation'),
    awsSignerPlugin: {
      ...pin('awsSignerPlugin'),
      gpg: pluginGpgPin('https://downloads.signet.test', awsKey),
    },
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

/** The app's manifests every stage's checkout holds unless a scenario says otherwise. */
export const DEFAULT_MANIFESTS: Readonly<Record<string, string>> = {
  'deployment.yaml': DEPLOYMENT_YAML,
  'service.yaml': SERVICE_YAML,
};

/** The manifests hash Build records for {@link DEFAULT_MANIFESTS}. */
export const DEFAULT_MANIFESTS_SHA256 = manifestsSha256(DEFAULT_MANIFESTS);

/** The source checkout every stage starts from. */
function writeSource(dir: string, manifests: Readonly<Record<string, string>>): void {
  mkdirSync(join(dir, 'apps/hello-server/deploy'), { recursive: true });
  writeFileSync(join(dir, 'apps/hello-server/Dockerfile'), 'FROM scratch\n');
  for (const [name, content] of Object.entries(manifests))
    writeFileSync(join(dir, 'apps/hello-server/deploy', name), content);
}

/** Cluster objects kubectl get returns after the rollout: they run the image kubectl applied. */
function writeCluster(dir: string, scenario: Scenario): void {
  mkdirSync(dir, { recursive: true });
  const labels = { 'app.kubernetes.io/name': 'hello-server' };
  const container = { name: 'hello-server', image: '__APPLIED_IMAGE__' };
  writeFileSync(
    join(dir, 'deployment.json'),
    JSON.stringify({
      kind: 'Deployment',
      metadata: { name: 'hello-server' },
      spec: { selector: { matchLabels: labels }, template: { spec: { containers: [container] } } },
    }),
  );
  const pod = (name: string, imageId: string) => ({
    metadata: { name, labels },
    spec: { containers: [container] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'hello-server', image: '__APPLIED_IMAGE__', imageID: imageId }],
    },
  });
  writeFileSync(
    join(dir, 'pods.json'),
    JSON.stringify({
      kind: 'List',
      items: [
        pod('hello-server-7d9f-abcde', '__APPLIED_IMAGE__'),
        pod(
          'hello-server-7d9f-fghij',
          scenario.runningDigest === undefined
            ? '__APPLIED_IMAGE__'
            : `${REPOSITORY_URI}@${scenario.runningDigest}`,
        ),
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

/**
 * Base inputs of the scenarios: the real generator, with the stand-in downloads pinned. The trust
 * store is the production one (signingAuthority, named aws-signer-ts, as the trust policy names
 * it) holding the test key's certificate instead of the AWS Signer root: the only difference from
 * the committed buildspec's trust setup.
 */
export function scenarioInputs(
  tools: ToolPins,
  toolsDirectory: string,
  certificate: string,
): BuildspecInputs {
  return {
    app: {
      name: 'hello-server',
      namespace: 'hello-server',
      manifestsPath: 'apps/hello-server/deploy',
      dockerfile: 'apps/hello-server/Dockerfile',
      buildContext: '.',
    },
    pipelineName: PIPELINE_NAME,
    tools,
    toolsDirectory,
    vulnerabilityThreshold: 'high',
    rolloutTimeoutSeconds: 120,
    admissionPolicy: { name: 'signet-verify-images', requireEnforce: true },
    trustStore: {
      name: 'aws-signer-ts',
      certificates: [{ fileName: 'aws-signer-notation-root.crt', pem: certificate }],
    },
  };
}

/** What the Build stage exports, for runs that start at ApplicationDeployment. */
export const BUILD_EXPORTS: Readonly<Record<string, string>> = {
  IMAGE_TAG: COMMIT,
  IMAGE_DIGEST: PUSHED_DIGEST,
  IMAGE_URI,
  SBOM_DIGEST,
  MANIFESTS_SHA256: DEFAULT_MANIFESTS_SHA256,
  SCAN_SUMMARY: 'critical=0 high=0 medium=0 low=0 negligible=0 unknown=0',
};

let pushed = 0;
let mirrors = 0;

/** The file the stand-in curl would serve as AWS's copy of each mirrored file (the override first). */
const MIRROR_SOURCES: Readonly<Record<SignerPluginMirrorFile, string>> = {
  [SignerPluginMirrorFile.Archive]: DOWNLOAD_NAMES.awsSignerPlugin,
  [SignerPluginMirrorFile.Signature]: SignerPluginMirrorFile.Signature,
  [SignerPluginMirrorFile.PublicKey]: 'public.key',
};

/**
 * Creates a mirror bucket of the run's own in moto and, unless the scenario leaves it empty,
 * uploads what `signet mirror-plugin` would have put there: the plugin archive, AWS's signature
 * and AWS's key as this run serves them (a scenario's override replaces AWS's copy). Returns the
 * bucket's name, the stages' SIGNET_PLUGIN_MIRROR_BUCKET.
 */
async function seedPluginMirror(
  services: TestServices,
  downloads: string,
  overrides: string,
  version: string,
  scenario: Scenario,
  home: string,
): Promise<string> {
  const bucket = `signet-test-plugin-mirror-${process.pid}-${mirrors++}`;
  const env = { ...services.env, PATH: process.env['PATH'] ?? '', HOME: home };
  await runOk(
    services.engines.aws,
    [
      's3api',
      'create-bucket',
      '--bucket',
      bucket,
      '--create-bucket-configuration',
      'LocationConstraint=eu-west-1',
    ],
    env,
  );
  if (scenario.pluginMirror === 'empty') return bucket;
  for (const [file, source] of Object.entries(MIRROR_SOURCES)) {
    const override = join(overrides, source);
    const path = existsSync(override) ? override : join(downloads, source);
    await runOk(
      services.engines.aws,
      [
        's3',
        'cp',
        '--only-show-errors',
        path,
        `s3://${bucket}/${signerPluginMirrorKey(version, file as SignerPluginMirrorFile)}`,
      ],
      env,
    );
  }
  return bucket;
}

/**
 * Pushes a new image to the app's repository and attaches an SBOM to it, as the Build stage
 * does: a real OCI image made by `crane append` from a one-file layer (distinct for every call,
 * so no two scenarios share a digest or its signatures), and `oras attach`. Returns what Build
 * would export.
 */
export async function pushTestImage(label = 'image'): Promise<Record<string, string>> {
  const services = await testServices();
  const dir = mkdtempSync(join(tmpdir(), 'signet-image-'));
  try {
    const env = clientEnv(services, dir);
    writeFileSync(join(dir, 'id'), `${label} ${process.pid} ${pushed++} ${dir}\n`);
    const tar = await run('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'id'], env);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    const reference = (
      await runOk(
        services.engines.crane,
        [
          'append',
          '--oci-empty-base',
          '--new_layer',
          join(dir, 'layer.tar'),
          '--new_tag',
          `${REPOSITORY_URI}:${COMMIT}`,
        ],
        env,
      )
    ).trim();
    const digest = reference.slice(reference.indexOf('@') + 1);
    writeFileSync(join(dir, 'sbom.spdx.json'), `{"spdxVersion":"SPDX-2.3","name":"${label}"}\n`);
    const attached = JSON.parse(
      await runOk(
        services.engines.oras,
        [
          'attach',
          '--artifact-type',
          'application/spdx+json',
          '--format',
          'json',
          `${REPOSITORY_URI}@${digest}`,
          'sbom.spdx.json:application/spdx+json',
        ],
        env,
        { cwd: dir },
      ),
    ) as { digest: string };
    return {
      IMAGE_TAG: COMMIT,
      IMAGE_DIGEST: digest,
      IMAGE_URI: `${REPOSITORY_URI}@${digest}`,
      SBOM_DIGEST: attached.digest,
      MANIFESTS_SHA256: DEFAULT_MANIFESTS_SHA256,
      SCAN_SUMMARY: 'critical=0 high=0 medium=0 low=0 negligible=0 unknown=0',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stages of the environment that builds (dev): what a run without `stages` runs. */
const BUILDING_STAGES: readonly Stage[] = stagesFor(
  environmentTraits(environmentsWhere(buildsImages)[0] ?? 'dev'),
).map((entry) => entry.name);

/** Options of {@link runPipeline} beyond the scenario. */
export interface PipelineOptions {
  /** Manifests of the app (default: a Deployment and a Service with the placeholder). */
  readonly manifests?: Readonly<Record<string, string>>;
  /** Manifests of one stage's checkout only (a manifest changed after Build, for ApplicationDeployment). */
  readonly stageManifests?: Readonly<Partial<Record<Stage, Readonly<Record<string, string>>>>>;
  /** Run only these stages (default: the building environment's four, stopping at the first failure). */
  readonly stages?: readonly Stage[];
  /** Variables the earlier stages would have exported, for runs that start later. */
  readonly exported?: Readonly<Record<string, string>>;
  /** More files at the root of every stage's checkout (a promotion request, for Promote). */
  readonly sourceFiles?: Readonly<Record<string, string>>;
}

/** The generated buildspec of a stage, less its `notation sign` commands when the scenario says so. */
function stageBuildspec(stage: Stage, inputs: BuildspecInputs, scenario: Scenario): string {
  const spec = STAGE_GENERATORS[stage](inputs);
  if (!scenario.unsigned || (stage !== Stage.ApplicationSigning && stage !== Stage.ReleaseSigning))
    return renderBuildspec(spec);
  const build = spec.phases.build;
  if (build === undefined) throw new Error(`${stage} has no build phase`);
  const unsigned: Buildspec = {
    ...spec,
    phases: {
      ...spec.phases,
      build: { ...build, commands: build.commands.filter((c) => !c.startsWith('notation sign ')) },
    },
  };
  return renderBuildspec(unsigned);
}

function installWrapper(bin: string, name: string, script: string): void {
  writeFileSync(join(bin, name), script);
  chmodSync(join(bin, name), 0o755);
}

/** Runs the generated buildspecs in order, as the pipeline would, against the real engines and the stand-ins. */
export async function runPipeline(
  scenario: Scenario = {},
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const services: TestServices = await testServices();
  const root = mkdtempSync(join(tmpdir(), 'signet-pipeline-'));
  cleanups.push(root);
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  const overrides = join(root, 'downloads');
  for (const d of [bin, state, overrides]) mkdirSync(d, { recursive: true });
  for (const [name, script] of Object.entries(PREINSTALLED)) installWrapper(bin, name, script);
  installWrapper(bin, 'aws', `${AWS_WRAPPER}${q(services.engines.aws)} "$@"\n`);
  const shared = sharedDownloads(services.engines);
  const tools = shared.pins;
  if (scenario.tamperedDownload !== undefined) {
    writeFileSync(
      join(overrides, DOWNLOAD_NAMES[scenario.tamperedDownload]),
      'bytes that are not the pinned release\n',
    );
  }
  writePluginSignatureOverrides(overrides, shared.keys, scenario.pluginSignature ?? 'aws');
  writeCluster(join(state, 'cluster'), scenario);
  const yaml2json = join(root, 'yaml2json.mjs');
  writeFileSync(yaml2json, yamlToJsonScript(import.meta.resolve('yaml')));
  const scenarioFile = join(root, 'scenario.env');
  const settings: Record<string, string> = {
    FOUND_SEVERITY: scenario.foundSeverity ?? 'none',
    APPLY: scenario.apply ?? 'ok',
    ROLLOUT: scenario.rollout ?? 'ok',
    DRILL: scenario.drill ?? 'denied',
    PUSH_REPORTS_DIGEST: scenario.pushReportsDigest === false ? 'no' : 'yes',
    SIGNER_REVOKE: scenario.signerRevoke ?? 'ok',
    DESCRIBE_IMAGES: scenario.describeImages ?? 'ok',
  };
  writeFileSync(
    scenarioFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${q(v)}`)
      .join('\n') + '\n',
  );
  const calls = join(state, 'calls.log');
  writeFileSync(calls, '');
  const signer = services.keys[scenario.signingKey ?? 'trusted'];
  const mirrorBucket = await seedPluginMirror(
    services,
    shared.dir,
    overrides,
    tools.awsSignerPlugin.version,
    scenario,
    root,
  );
  const commit = scenario.commit ?? createHash('sha1').update(root).digest('hex');

  const deployTime: Record<string, string> = {
    SIGNET_REPOSITORY_URI: REPOSITORY_URI,
    SIGNET_SIGNING_PROFILE_ARN: PROFILE_ARN,
    SIGNET_TRUST_POLICY: TRUST_POLICY,
    SIGNET_CLUSTER_NAME: CLUSTER_NAME,
    SIGNET_PLUGIN_MIRROR_BUCKET: mirrorBucket,
    ...scenario.env,
  };
  const stages = new Map<Stage, BuildResult>();
  let exported: Record<string, string> = { ...options.exported };
  for (const stage of options.stages ?? BUILDING_STAGES) {
    // Every stage is a fresh CodeBuild container: its own checkout, home and tools.
    const dir = join(root, stage);
    const source = join(dir, 'src');
    const toolsDir = join(dir, 'tools');
    const home = join(dir, 'home');
    for (const d of [source, toolsDir, home]) mkdirSync(d, { recursive: true });
    writeSource(source, options.stageManifests?.[stage] ?? options.manifests ?? DEFAULT_MANIFESTS);
    for (const [file, content] of Object.entries(options.sourceFiles ?? {}))
      writeFileSync(join(source, file), content);
    const inputs = { ...scenarioInputs(tools, toolsDir, services.keys.trusted.pem), ...scenario.inputs };
    const contract = STAGE_ENVIRONMENT[stage];
    const env: Record<string, string> = {
      ...services.env,
      PATH: `${toolsDir}:${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      LANG: 'C.UTF-8',
      AWS_REGION: 'eu-west-1',
      CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
      CODEBUILD_INITIATOR: scenario.initiator ?? PIPELINE_INITIATOR,
      SIGNET_SCENARIO: scenarioFile,
      SIGNET_CALLS: calls,
      SIGNET_STATE: state,
      SIGNET_DOWNLOADS: shared.dir,
      SIGNET_DOWNLOAD_OVERRIDES: overrides,
      SIGNET_NODE: process.execPath,
      SIGNET_YAML2JSON: yaml2json,
      SIGNET_CRANE: services.engines.crane,
      SIGNET_AWS: services.engines.aws,
      SIGNET_SIGNER_KEY: signer.key,
      SIGNET_SIGNER_CERT: signer.cert,
      SIGNET_SIGNER_STATE: sharedSignerState(),
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
      yaml: stageBuildspec(stage, inputs, scenario),
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
  return {
    stages,
    calls: parsed,
    log: [...stages.values()].map((s) => s.log).join('\n'),
    rolledBack: parsed.some((c) => c.tool === 'kubectl' && c.args[0] === 'rollout' && c.args[1] === 'undo'),
    applied: parsed.some((c) => c.tool === 'kubectl' && c.args[0] === 'apply'),
    state,
    commit,
    stageDir: (stage) => join(root, stage),
  };
}

/** Removes the temporary folders of every run and stops this file's registry, proxy and moto. */
export async function cleanupPipelines(): Promise<void> {
  if (preparedDownloads !== undefined) {
    for (const key of Object.values(preparedDownloads.keys)) stopGpgAgent(key);
    preparedDownloads = undefined;
  }
  signerState = undefined;
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
  await stopTestServices();
}
