/*
 * `signet promote` against moto_server: ecr:DescribeImages, ecr:BatchGetImage,
 * ecr:DescribeRepositories, signer:GetSigningProfile, codepipeline:GetPipeline and s3:PutObject are
 * answered by moto over HTTP, through the clients the command builds itself (AWS_ENDPOINT_URL points
 * them at moto). The manifests come from a real git repository of a fixture workspace.
 *
 * notation verify is replaced by a verifier that records what it is asked (the real notation with
 * --user-metadata runs in packages/buildspec/src/promotion.scenarios.test.ts, in Promote).
 *
 * moto 5.2.1 lacks, and so these tests mock with aws-sdk-client-mock:
 *   - ecr:GetDownloadUrlForLayer (NotImplementedError, HTTP 500): a `data:` URL of the envelope.
 *   - ecr:DescribeImages returns no `subjectManifestDigest`/`artifactMediaType`: added from the
 *     stored manifest, as ECR derives them (mockMotoGaps).
 *   - signer:GetSigningProfile of an unknown profile (HTTP 500 instead of ResourceNotFoundException).
 *   - codepipeline:GetPipeline: moto answers `metadata.created` as a date string where CodePipeline
 *     sends epoch seconds, and the SDK fails to deserialize it. The call is answered with moto's own
 *     `pipeline` (read over HTTP with the JSON protocol), without `metadata`, which the command ignores.
 * The pipeline's role is created with moto's IAM query API, which CreatePipeline requires.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodePipelineClient, CreatePipelineCommand, GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { GetSigningProfileCommand } from '@aws-sdk/client-signer';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MANIFESTS_METADATA_KEY, manifestsSha256 } from '@signet/buildspec';
import { PIPELINE_IDENTITY, pipelineName, repositoryName } from '@signet/platform';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../io.js';
import { environmentTargets } from '../ops/environment.js';
import {
  awsError,
  mockMotoGaps,
  MotoSeeder,
  signerEnvelope,
  startMotoForCommands,
  type MotoForCommands,
  type MotoGapMocks,
  type Pushed,
} from '../ops/test/moto.js';
import type { VerifyOutcome, VerifyRequest } from '../ops/verify.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { ALPHA_MANIFESTS, promotionWorkspace, type PromotionWorkspace } from '../test/promotion-workspace.js';
import { runPromoteCommand, type PromoteCommandOptions } from './promote.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BUCKET = 'signet-staging-alpha-artifacts-test';
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b`;
const SOURCE_REPOSITORY = repositoryName('dev', 'alpha');
const TARGET_PIPELINE = pipelineName('staging', 'alpha');
const HASH = manifestsSha256(ALPHA_MANIFESTS);

let server: MotoForCommands;
let seed: MotoSeeder;
let aws: MotoGapMocks;
let codepipeline: AwsClientStub<CodePipelineClient>;
let workspace: PromotionWorkspace;
/** Envelope layers moto holds the digest of: layer digest to content. */
let blobs: Map<string, string>;
/** Digests the verifier accepts; every request is kept. */
let verifiable: Set<string>;
let requests: VerifyRequest[];
let profileVersionArn: string;
let buildProfile: string;

const verifier = async (request: VerifyRequest): Promise<VerifyOutcome> => {
  requests.push(request);
  return verifiable.has(request.digest)
    ? { verified: true, message: 'Successfully verified' }
    : { verified: false, message: 'Error: signature verification failed for all the signatures' };
};

const s3 = () => new S3Client({ region: REGION, forcePathStyle: true });

/** GetPipeline answered by moto over HTTP, less the `metadata` the SDK cannot read from moto. */
async function getPipelineFromMoto(input: { name: string }) {
  const response = await fetch(`${server.moto.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CodePipeline_20150709.GetPipeline',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${REGION}/codepipeline/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { pipeline?: unknown; __type?: string; message?: string };
  if (!response.ok) throw awsError(body.__type ?? 'Error', body.message ?? `HTTP ${response.status}`);
  return { pipeline: body.pipeline };
}

/** Creates the pipeline role with moto's IAM query API (CreatePipeline checks that it trusts CodePipeline). */
async function createPipelineRole(name: string): Promise<string> {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: trust,
  });
  const response = await fetch(`${server.moto.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto CreateRole answered HTTP ${response.status}: ${text}`);
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

/** The target pipeline as the signing-pipeline stack declares it: the promotion request as its S3 source. */
async function createTargetPipeline(source: Record<string, string>): Promise<void> {
  const roleArn = await createPipelineRole(`${TARGET_PIPELINE}-pipeline`);
  await new CodePipelineClient({ region: REGION }).send(
    new CreatePipelineCommand({
      pipeline: {
        name: TARGET_PIPELINE,
        roleArn,
        artifactStore: { type: 'S3', location: BUCKET, encryptionKey: { type: 'KMS', id: KMS_KEY } },
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'Source',
                actionTypeId: {
                  category: 'Source',
                  owner: 'AWS',
                  provider: source['provider'] ?? 'S3',
                  version: '1',
                },
                configuration: Object.fromEntries(Object.entries(source).filter(([k]) => k !== 'provider')),
                outputArtifacts: [{ name: 'SourceArtifact' }],
              },
            ],
          },
          {
            name: 'Promote',
            actions: [
              {
                name: 'Promote',
                actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                configuration: { ProjectName: `${TARGET_PIPELINE}-promote` },
                inputArtifacts: [{ name: 'SourceArtifact' }],
              },
            ],
          },
        ],
      },
    }),
  );
}

const PROMOTION_SOURCE = {
  S3Bucket: BUCKET,
  S3ObjectKey: 'promotion/alpha.zip',
  PollForSourceChanges: 'false',
};

/** An image of dev's repository, tagged with `tag`, with a build signature carrying `metadata`. */
async function signedImage(
  name: string,
  tag: string | undefined,
  metadata: Record<string, string> = { [MANIFESTS_METADATA_KEY]: HASH },
): Promise<Pushed> {
  const image = await seed.image(SOURCE_REPOSITORY, name, tag);
  const envelope = signerEnvelope(
    `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/00000001-5f60-4a7b-8c9d-0e1f2a3b4c5d`,
    profileVersionArn,
    metadata,
  );
  const signature = await seed.signature(SOURCE_REPOSITORY, image, envelope);
  blobs.set(signature.layerDigest, envelope);
  verifiable.add(image.digest);
  return image;
}

beforeAll(async () => {
  server = await startMotoForCommands();
  workspace = promotionWorkspace();
  buildProfile =
    environmentTargets(workspace.root, 'dev').profiles.find(
      (p) => p.app === 'alpha' && p.identity === PIPELINE_IDENTITY,
    )?.profileName ?? '';
}, 60_000);
afterAll(async () => {
  workspace.remove();
  await server.stop();
});
beforeEach(async () => {
  await server.reset();
  seed = new MotoSeeder();
  aws = mockMotoGaps(seed);
  codepipeline = mockClient(CodePipelineClient);
  codepipeline.send.callThrough();
  codepipeline.on(GetPipelineCommand).callsFake(getPipelineFromMoto);
  blobs = new Map();
  verifiable = new Set();
  requests = [];
  aws.ecr.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => {
    const content = blobs.get(input.layerDigest);
    if (content === undefined) throw awsError('LayersNotFoundException', `no layer ${input.layerDigest}`);
    return {
      layerDigest: input.layerDigest,
      downloadUrl: `data:application/jose+json;base64,${Buffer.from(content).toString('base64')}`,
    };
  });
  ({ profileVersionArn } = await seed.profile(buildProfile));
  await seed.repository(SOURCE_REPOSITORY);
  await s3().send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
}, 60_000);
afterEach(() => {
  aws.restore();
  codepipeline.restore();
});

async function promote(options: Partial<PromoteCommandOptions>) {
  const io = captureIo();
  const code = await runCommand('promote', io, () =>
    runPromoteCommand({ app: 'alpha', from: 'dev', to: 'staging', ...options }, io, {
      root: workspace.root,
      verifier,
    }),
  );
  return { code, out: io.out, err: io.err };
}

async function storedVersions(): Promise<number> {
  const listed = await s3().send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
  return listed.Versions?.length ?? 0;
}

/** The entries of the stored request, read with Info-ZIP's unzip. */
async function storedRequest(): Promise<Record<string, string>> {
  const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'promotion/alpha.zip' }));
  const dir = mkdtempSync(join(tmpdir(), 'signet-request-'));
  try {
    writeFileSync(
      join(dir, 'r.zip'),
      await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const names = spawnSync('unzip', ['-Z1', join(dir, 'r.zip')], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    return Object.fromEntries(
      names.map((n) => [n, spawnSync('unzip', ['-p', join(dir, 'r.zip'), n], { encoding: 'utf8' }).stdout]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('signet promote against moto', () => {
  it(
    'writes promotion.json and exactly the hashed manifests where the target pipeline’s S3 source reads, encrypted with its key',
    { timeout: 60_000 },
    async () => {
      await createTargetPipeline(PROMOTION_SOURCE);
      const image = await signedImage('release-1', workspace.commit);
      const { code, out, err } = await promote({ digest: image.digest });
      expect(err).toBe('');
      expect(code).toBe(ExitCode.Ok);
      expect(await storedRequest()).toEqual({
        'promotion.json': `${JSON.stringify({ digest: image.digest, commit: workspace.commit, manifests: HASH })}\n`,
        'apps/alpha/k8s/deployment.yaml': ALPHA_MANIFESTS['deployment.yaml'],
        'apps/alpha/k8s/service.yaml': ALPHA_MANIFESTS['service.yaml'],
      });
      const head = await s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'promotion/alpha.zip' }));
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toBe(KMS_KEY);
      // The build signature was verified with the build identity of dev, requiring the signed hash.
      expect(requests).toEqual([
        {
          trust: {
            app: 'alpha',
            repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${SOURCE_REPOSITORY}`,
            signingProfileArns: [`arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${buildProfile}`],
          },
          digest: image.digest,
          userMetadata: { [MANIFESTS_METADATA_KEY]: HASH },
        },
      ]);
      expect(out).toContain(`build signature verified, commit ${workspace.commit}, manifests ${HASH}`);
      expect(out).toContain(`${TARGET_PIPELINE} starts on it through its EventBridge rule`);
    },
  );

  it('refuses a digest the source repository does not hold, and writes nothing', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const missing = `sha256:${'cd'.repeat(32)}`;
    const { code, err } = await promote({ digest: missing });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(`--digest ${missing} is not an image of repository ${SOURCE_REPOSITORY} (dev)`);
    expect(await storedVersions()).toBe(0);
  });

  it('refuses an image without its commit tag', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const image = await signedImage('untagged', undefined);
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(`${SOURCE_REPOSITORY}@${image.digest} has no commit tag`);
    expect(await storedVersions()).toBe(0);
  });

  it('refuses a build signature that carries no manifests hash (signed before Build recorded one)', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const image = await signedImage('no-hash', workspace.commit, {});
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(
      `has no build signature by ${buildProfile} carrying the manifests hash (${MANIFESTS_METADATA_KEY})`,
    );
    expect(requests).toEqual([]);
    expect(await storedVersions()).toBe(0);
  });

  it('refuses when notation does not verify the build signature, with its message', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const image = await signedImage('forged', workspace.commit);
    verifiable.delete(image.digest);
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain('does not verify with alpha');
    expect(err).toContain('Error: signature verification failed for all the signatures');
    expect(await storedVersions()).toBe(0);
  });

  it('refuses when the manifests of the commit do not hash to what the build signature carries', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const other = `sha256:${'ef'.repeat(32)}`;
    const image = await signedImage('other-manifests', workspace.commit, { [MANIFESTS_METADATA_KEY]: other });
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(
      `the manifests in apps/alpha/k8s at commit ${workspace.commit} hash to ${HASH}, but the build signature of ${image.digest} carries ${other}`,
    );
    expect(await storedVersions()).toBe(0);
  });

  it('refuses a commit the workspace’s git history lacks, saying how to fetch it', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const absent = '0123456789abcdef0123456789abcdef01234567';
    const image = await signedImage('absent-commit', absent);
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(
      `commit ${absent} (the tag of ${image.digest}) is not in the workspace's git history`,
    );
    expect(await storedVersions()).toBe(0);
  });

  it('refuses when the build profile does not exist', async () => {
    await createTargetPipeline(PROMOTION_SOURCE);
    const image = await signedImage('no-profile', workspace.commit);
    aws.signer
      .on(GetSigningProfileCommand, { profileName: buildProfile })
      .rejects(awsError('ResourceNotFoundException', 'no such profile'));
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(`signing profile ${buildProfile} (the build identity of alpha) does not exist`);
  });

  it('refuses a target pipeline whose source is not the promotion request', async () => {
    await createTargetPipeline({
      provider: 'CodeCommit',
      RepositoryName: 'signet-staging-alpha',
      BranchName: 'main',
    });
    const image = await signedImage('wrong-source', workspace.commit);
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(
      `pipeline ${TARGET_PIPELINE} has no promotion-request source (an S3 source action reading promotion/alpha.zip as its first stage)`,
    );
    expect(await storedVersions()).toBe(0);
  });

  it('names the pipeline when the target environment has none', async () => {
    const image = await signedImage('no-pipeline', workspace.commit);
    const { code, err } = await promote({ digest: image.digest });
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(`codepipeline:GetPipeline on pipeline ${TARGET_PIPELINE}`);
    expect(await storedVersions()).toBe(0);
  });
});
