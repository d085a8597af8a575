import { execFileSync } from 'node:child_process';
import { GetPipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MANIFESTS_METADATA_KEY, manifestsSha256, PROMOTION_REQUEST_FILE } from '@signet/buildspec';
import {
  appsForEnvironment,
  buildEnvironmentOf,
  discoverApps,
  ENVIRONMENTS,
  environmentsWhere,
  isEnvironment,
  PIPELINE_IDENTITY,
  pipelineName,
  promotionRequestKey,
  promotionSource,
  repositoryName,
  type Environment,
} from '@signet/platform';
import type { Command } from 'commander';
import { CliError, ExitCode, type CommandIo, type CommandRunner } from '../io.js';
import { createPromotionClients, type PromotionClientFactory, type PromotionClients } from '../ops/aws.js';
import { readSignatureOrigins, type BlobFetcher } from '../ops/envelope.js';
import { environmentTargets } from '../ops/environment.js';
import { callAws } from '../ops/errors.js';
import { listRepository } from '../ops/inventory.js';
import { getProfileState } from '../ops/signer.js';
import { notationVerifier, type SignatureVerifier } from '../ops/verify.js';
import { zipArchive } from '../ops/zip.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/** Options of `signet promote`, as typed on the command line. */
export interface PromoteCommandOptions {
  readonly app?: string;
  readonly from?: string;
  readonly to?: string;
  readonly digest?: string;
  readonly region?: string;
  /** The notation executable (default: `notation` on the PATH). */
  readonly notation?: string;
  /** The folder of notation's installed plugins (default: notation's own). */
  readonly notationPlugins?: string;
}

/** Reads files of one commit of the workspace's git history; tests may pass their own. */
export interface GitReader {
  /** Whether the commit is in the history. */
  hasCommit(commit: string): boolean;
  /** The names of the files directly in `folder` at `commit` (no subfolders). */
  listFiles(commit: string, folder: string): string[];
  /** The bytes of `path` at `commit`. */
  readFile(commit: string, path: string): Buffer;
}

/** What `signet promote` needs from outside; tests replace each. */
export interface PromoteDependencies {
  readonly clients?: PromotionClientFactory;
  /** Workspace root; default: the workspace containing the cwd. */
  readonly root?: string;
  /** Verifies the build signature; default: notation verify ({@link notationVerifier}). */
  readonly verifier?: SignatureVerifier;
  /** Downloads signature envelopes from ECR's pre-signed URLs; default: `fetch`. */
  readonly fetchBlob?: BlobFetcher;
  /** Reads the manifests of the built commit; default: git in the workspace. */
  readonly git?: GitReader;
}

/** A validated promotion: what to promote, from where, to where. */
export interface PromotionTarget {
  readonly app: string;
  readonly from: Environment;
  readonly to: Environment;
  readonly digest: string;
  /** The app's manifests folder, relative to the workspace root (`apps/<app>/<manifests>`). */
  readonly manifestsPath: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** The tag Build gives an image: the full commit id it was built from. */
const COMMIT_TAG = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function usage(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

function environmentFlag(flag: string, value: string | undefined, allowed: readonly string[]): Environment {
  if (value === undefined) throw usage(`--${flag} is required; allowed: ${allowed.join(', ')}`);
  if (!isEnvironment(value)) {
    throw usage(`--${flag} "${value}" is not an environment; allowed: ${allowed.join(', ')}`);
  }
  if (!allowed.includes(value)) {
    throw usage(
      `--${flag} ${value} builds its own images and promotes from no environment (promotesFrom in @signet/core); allowed: ${allowed.join(', ')}`,
    );
  }
  return value;
}

/** Checks the flags against the workspace before anything is sent. */
export function parsePromotion(options: PromoteCommandOptions, root: string): PromotionTarget {
  const promoting = environmentsWhere((traits) => traits.promotesFrom !== null);
  const to = environmentFlag('to', options.to, promoting);
  const source = promotionSource(to) as Environment;
  if (options.from === undefined) throw usage(`--from is required; allowed: ${source}`);
  if (!isEnvironment(options.from)) {
    throw usage(`--from "${options.from}" is not an environment; allowed: ${ENVIRONMENTS.join(', ')}`);
  }
  if (options.from !== source) {
    throw usage(
      `--from ${options.from}: --to ${to} promotes from ${source} only (promotesFrom in @signet/core); allowed: ${source}`,
    );
  }
  const from: Environment = options.from;
  let apps;
  try {
    apps = discoverApps(root);
  } catch (error) {
    throw usage(`the workspace at ${root} does not declare its apps: ${(error as Error).message}`);
  }
  const both = appsForEnvironment(apps, to).filter((a) =>
    appsForEnvironment(apps, from).some((b) => b.name === a.name),
  );
  const allowedApps =
    both.map((a) => a.name).join(', ') || `none (no app is deployed to both ${from} and ${to})`;
  if (options.app === undefined || options.app === '') {
    throw usage(`--app is required; allowed: ${allowedApps}`);
  }
  const app = both.find((a) => a.name === options.app);
  if (app === undefined) {
    throw usage(
      `--app "${options.app}" is not an app deployed to both ${from} and ${to}; allowed: ${allowedApps}`,
    );
  }
  if (options.digest === undefined || !DIGEST.test(options.digest)) {
    throw usage(
      `--digest ${options.digest === undefined ? 'is required' : `"${options.digest}" is not an image digest`}; allowed: sha256:<64 lowercase hex digits>, the digest ${from} built or promoted and verified`,
    );
  }
  return {
    app: app.name,
    from,
    to,
    digest: options.digest,
    manifestsPath: `${app.directory}/${app.manifests}`,
  };
}

/** git in the workspace: `cat-file`, `ls-tree` and `show` of one commit. */
export function workspaceGit(root: string): GitReader {
  const git = (args: string[]) => execFileSync('git', ['-C', root, ...args], { maxBuffer: 64 << 20 });
  return {
    hasCommit: (commit) => {
      try {
        git(['cat-file', '-e', `${commit}^{commit}`]);
        return true;
      } catch {
        return false;
      }
    },
    listFiles: (commit, folder) =>
      git(['ls-tree', '-z', '--name-only', commit, '--', `${folder}/`])
        .toString('utf8')
        .split('\0')
        .filter((path) => path !== '')
        .map((path) => path.slice(folder.length + 1))
        .filter((name) => !name.includes('/')),
    readFile: (commit, path) => git(['show', `${commit}:${path}`]),
  };
}

/** The build signature's facts: the commit (the image's tag) and the manifests hash it carries. */
interface VerifiedBuild {
  readonly commit: string;
  readonly manifestsHash: string;
  readonly repositoryUrl: string;
}

async function verifyBuild(
  target: PromotionTarget,
  clients: PromotionClients,
  root: string,
  verifier: () => SignatureVerifier,
  fetchBlob: BlobFetcher | undefined,
): Promise<VerifiedBuild> {
  const { app, from, digest } = target;
  const repository = repositoryName(from, app);
  const inventory = await listRepository(clients.ecr, repository);
  const image = inventory.images.find((i) => i.digest === digest);
  if (image === undefined) {
    throw new CliError(
      `--digest ${digest} is not an image of repository ${repository} (${from}); promote a digest ${from} holds, as \`aws ecr describe-images --repository-name ${repository}\` lists it`,
    );
  }
  const commits = image.tags.filter((tag) => COMMIT_TAG.test(tag));
  if (commits.length !== 1) {
    throw new CliError(
      `${repository}@${digest} has ${commits.length === 0 ? 'no commit tag' : `several commit tags (${commits.join(', ')})`}; allowed: exactly one tag that is the full commit id Build tagged it with`,
    );
  }
  const commit = commits[0] as string;
  const build = buildEnvironmentOf(from);
  const profile = environmentTargets(root, build).profiles.find(
    (p) => p.app === app && p.identity === PIPELINE_IDENTITY,
  );
  if (profile === undefined) throw new CliError(`${build} has no build signing profile for ${app}`);
  const state = await getProfileState(clients.signer, profile.profileName);
  if (state.arn === undefined) {
    throw new CliError(
      `signing profile ${profile.profileName} (the build identity of ${app}) ${state.status === 'NotFound' ? 'does not exist' : 'has no ARN'} in this account and region`,
    );
  }
  const origins = await readSignatureOrigins(
    clients.ecr,
    repository,
    image.signatures.map((s) => s.digest),
    fetchBlob,
  );
  const hashes = new Set(
    [...origins.values()]
      .filter((o) => o.profileName === profile.profileName)
      .flatMap((o) => {
        const hash = o.userMetadata?.[MANIFESTS_METADATA_KEY];
        return hash === undefined ? [] : [hash];
      }),
  );
  if (hashes.size !== 1) {
    throw new CliError(
      hashes.size === 0
        ? `${repository}@${digest} has no build signature by ${profile.profileName} carrying the manifests hash (${MANIFESTS_METADATA_KEY}): it was not signed by a pipeline that records its manifests; run ${build}'s pipeline for commit ${commit} again`
        : `${repository}@${digest} has build signatures carrying different manifests hashes (${[...hashes].join(', ')}); refusing to choose one`,
    );
  }
  const manifestsHash = [...hashes][0] as string;
  const described = await callAws(
    { action: 'ecr:DescribeRepositories', resource: `repository ${repository}` },
    () => clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })),
  );
  const repositoryUrl = described.repositories?.[0]?.repositoryUri;
  if (repositoryUrl === undefined) throw new CliError(`ECR returned no URI for repository ${repository}`);
  const outcome = await verifier()({
    trust: { app, repositoryUrl, signingProfileArns: [state.arn] },
    digest,
    userMetadata: { [MANIFESTS_METADATA_KEY]: manifestsHash },
  });
  if (!outcome.verified) {
    throw new CliError(
      `the build signature of ${repositoryUrl}@${digest} does not verify with ${app}'s build trust policy (profile ${state.arn}, ${MANIFESTS_METADATA_KEY}=${manifestsHash}): ${outcome.message}`,
    );
  }
  return { commit, manifestsHash, repositoryUrl };
}

/** The manifests of `commit`, exactly the files the hash covers, checked against the signed hash. */
function builtManifests(
  target: PromotionTarget,
  build: VerifiedBuild,
  git: GitReader,
): { name: string; content: Buffer }[] {
  const { commit, manifestsHash } = build;
  if (!git.hasCommit(commit)) {
    throw new CliError(
      `commit ${commit} (the tag of ${target.digest}) is not in the workspace's git history; fetch it (git fetch origin ${commit}) and run again`,
    );
  }
  const files = git
    .listFiles(commit, target.manifestsPath)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => ({ name, content: git.readFile(commit, `${target.manifestsPath}/${name}`) }));
  let found: string;
  try {
    found = manifestsSha256(Object.fromEntries(files.map((f) => [f.name, f.content])));
  } catch (error) {
    throw new CliError(`${target.manifestsPath} at commit ${commit}: ${(error as Error).message}`);
  }
  if (found !== manifestsHash) {
    throw new CliError(
      `the manifests in ${target.manifestsPath} at commit ${commit} hash to ${found}, but the build signature of ${target.digest} carries ${manifestsHash}: they are not the manifests Build recorded; nothing is promoted`,
    );
  }
  return files;
}

/** Where the target pipeline's source action reads the promotion request, and the key it is encrypted with. */
interface RequestLocation {
  readonly pipeline: string;
  readonly bucket: string;
  readonly key: string;
  readonly kmsKeyId?: string;
}

async function requestLocation(target: PromotionTarget, clients: PromotionClients): Promise<RequestLocation> {
  const name = pipelineName(target.to, target.app);
  const result = await callAws({ action: 'codepipeline:GetPipeline', resource: `pipeline ${name}` }, () =>
    clients.codepipeline.send(new GetPipelineCommand({ name })),
  );
  const pipeline: PipelineDeclaration | undefined = result.pipeline;
  const source = pipeline?.stages?.[0]?.actions?.find(
    (a) => a.actionTypeId?.category === 'Source' && a.actionTypeId.provider === 'S3',
  );
  const bucket = source?.configuration?.['S3Bucket'];
  const key = source?.configuration?.['S3ObjectKey'];
  const expected = promotionRequestKey(target.app);
  if (bucket === undefined || key !== expected) {
    throw new CliError(
      `pipeline ${name} has no promotion-request source (an S3 source action reading ${expected} as its first stage); deploy the signing-pipeline stack of ${target.to} first`,
    );
  }
  const kmsKeyId = pipeline?.artifactStore?.encryptionKey?.id;
  return { pipeline: name, bucket, key, ...(kmsKeyId === undefined ? {} : { kmsKeyId }) };
}

/**
 * `signet promote`: checks that `--to` promotes from `--from`, that the digest is in `--from`'s
 * repository with a verified build signature carrying the manifests hash, and that the manifests
 * of its commit have that hash; then writes the promotion request (`promotion.json` and the
 * manifests) where the target pipeline's S3 source action reads it. The pipeline's EventBridge
 * rule on that object starts the execution. Resolves with 0; throws a {@link CliError}: 1 on a
 * failed check or AWS call, 2 on a usage error.
 */
export async function runPromoteCommand(
  options: PromoteCommandOptions,
  io: CommandIo,
  deps: PromoteDependencies = {},
): Promise<number> {
  const root = deps.root ?? findWorkspaceRoot(process.cwd());
  if (root === undefined) {
    throw usage(`no pnpm-workspace.yaml at or above ${process.cwd()}: run inside the Signet workspace`);
  }
  const target = parsePromotion(options, root);
  const clients = (deps.clients ?? createPromotionClients)(
    options.region === undefined ? {} : { region: options.region },
  );
  const verifier = () =>
    deps.verifier ??
    notationVerifier({
      notation: options.notation ?? 'notation',
      ecr: clients.ecr,
      ...(options.notationPlugins === undefined ? {} : { pluginDir: options.notationPlugins }),
    });
  const location = await requestLocation(target, clients);
  const build = await verifyBuild(target, clients, root, verifier, deps.fetchBlob);
  io.stdout(
    `${build.repositoryUrl}@${target.digest}: build signature verified, commit ${build.commit}, manifests ${build.manifestsHash}\n`,
  );
  const manifests = builtManifests(target, build, deps.git ?? workspaceGit(root));
  const request = { digest: target.digest, commit: build.commit, manifests: build.manifestsHash };
  const body = zipArchive([
    { path: PROMOTION_REQUEST_FILE, content: `${JSON.stringify(request)}\n` },
    ...manifests.map((f) => ({ path: `${target.manifestsPath}/${f.name}`, content: f.content })),
  ]);
  const put = await callAws(
    { action: 's3:PutObject', resource: `s3://${location.bucket}/${location.key}` },
    () =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: body,
          ContentType: 'application/zip',
          ...(location.kmsKeyId === undefined
            ? {}
            : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: location.kmsKeyId }),
        }),
      ),
  );
  io.stdout(
    `Wrote the promotion request s3://${location.bucket}/${location.key}${put.VersionId === undefined ? '' : ` (version ${put.VersionId})`}: ${JSON.stringify(request)} and ${manifests.length} manifest(s) of ${target.manifestsPath}.\n` +
      `${location.pipeline} starts on it through its EventBridge rule (Object Created on that key); follow it with \`aws codepipeline list-pipeline-executions --pipeline-name ${location.pipeline}\`.\n`,
  );
  return ExitCode.Ok;
}

/** Registers `signet promote`. */
export function registerPromoteCommand(program: Command, io: CommandIo, run: CommandRunner): void {
  const promoting = environmentsWhere((traits) => traits.promotesFrom !== null);
  program
    .command('promote')
    .description(
      "promote one verified digest to the next environment: writes the promotion request its pipeline's source reads",
    )
    .option('--app <app>', 'the app to promote')
    .option('--from <env>', `the environment promoted from (the one --to promotes from)`)
    .option('--to <env>', `the environment promoted to: ${promoting.join(', ')}`)
    .option('--digest <digest>', 'the image digest, sha256:<64 hex>, as --from runs it')
    .option('--region <region>', 'AWS region (default: the AWS SDK chain)')
    .option('--notation <path>', 'the notation executable (default: notation on the PATH)')
    .option('--notation-plugins <dir>', "notation's plugin folder, with the AWS Signer plugin")
    .action((options: PromoteCommandOptions, command: Command) =>
      run(command, () => runPromoteCommand(options, io)),
    );
}
