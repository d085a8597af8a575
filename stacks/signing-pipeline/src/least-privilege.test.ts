/**
 * Least privilege, proven on the planned role policies: for each stage, every AWS call its
 * buildspec and CodeBuild make (the stage catalog's `awsCalls`) is allowed, and the calls an
 * attacker would want from a stage's role are denied, evaluated by @signet/policies' IAM evaluator.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { STAGE_CATALOG } from '@signet/buildspec';
import {
  DEFAULT_TOOLS,
  STAGE_ORDER,
  Stage,
  StageResource,
  stagesFor,
  type StageAwsCall,
} from '@signet/buildspec';
import { buildEnvironmentOf, environmentTraits, promotionSource } from '@signet/core';
import { findWorkspaceRoot } from '@signet/platform';
import {
  runStackProgram,
  upstreamStackOutputs,
  useAppWorkspace,
  type FixtureAppDeclaration,
  type StackProgramResult,
} from '@signet/platform/testing';
import { evaluateIamRequest, IamDecision, type EvaluablePolicy } from '@signet/policies';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const stackDir = join(import.meta.dirname, '..');
const root = findWorkspaceRoot(stackDir);
// The upstream stack outputs, as the pipeline stack test reads them (two apps, a release profile where required).
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const APP = 'hello-server';

const profileArn = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
const clusterArn = (env: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/signet-${env}-cluster`;
const repoArn = (env: string, app: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${app}`;

/**
 * A profile version of its own for each profile (10 characters, as AWS Signer writes them), so a
 * grant pinned to one profile's version cannot pass for another's.
 */
function versionOf(profileName: string): string {
  return createHash('sha256').update(profileName).digest('hex').slice(0, 10);
}

const upstream = (env: string, apps: readonly string[] = [APP, 'other-app']) =>
  upstreamStackOutputs(env, {
    apps,
    account: ACCOUNT,
    region: REGION,
    zones: 2,
    profileVersion: versionOf,
    eks: true,
  });

const mirrorArn = (env: string) => `arn:aws:s3:::signet-${env}-signer-plugin-${ACCOUNT}-${REGION}`;
const MIRROR_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
/** The stages that install the AWS Signer plugin, and only they, read the mirror. */
const PLUGIN_INSTALLERS: readonly Stage[] = [Stage.ApplicationSigning, Stage.Promote, Stage.ReleaseSigning];

const ENVIRONMENTS = ['dev', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const OTHER_ENV: Record<Env, Env> = { dev: 'prod', prod: 'dev' };
const JOB = 'f1e2d3c4-0000-1111-2222-333344445555';

const results = new Map<Env, StackProgramResult>();
let restore: () => void = () => undefined;

beforeAll(async () => {
  const helloServer = JSON.parse(readFileSync(join(root, 'apps', APP, 'package.json'), 'utf8')) as {
    signet: FixtureAppDeclaration;
  };
  const workspace = useAppWorkspace([helloServer.signet]);
  restore = () => workspace.restore();
  for (const env of ENVIRONMENTS) {
    // Each run loads the program afresh, as the pipeline stack test does.
    vi.resetModules();
    // A promoting environment also reads the previous environment's repositories and the building
    // environment's profiles.
    const stackReferences = upstream(env);
    results.set(env, await runStackProgram({ stackDir, env, stackReferences }));
  }
});

afterAll(() => restore());

function result(env: Env): StackProgramResult {
  const found = results.get(env);
  if (found === undefined) throw new Error(`no plan for ${env}`);
  return found;
}

/** Every role policy of a stage's role, as planned (its grants and, in the VPC, its network policy). */
function rolePolicies(env: Env, slug: string): EvaluablePolicy[] {
  const role = `signet-${env}-${APP}-`;
  const found = result(env).recorded.filter(
    (r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name.startsWith(`${APP}-${slug}-`),
  );
  expect(found.map((r) => String(r.inputs['role']))).toSatisfy((roles: string[]) =>
    roles.every((name) => name.startsWith(role)),
  );
  return found.map((r) => JSON.parse(r.inputs['policy'] as string) as EvaluablePolicy);
}

/** The artifact store the pipeline resource names (a different resource than the role policies). */
function artifactStore(env: Env): { bucket: string; key: string } {
  const pipeline = result(env).recorded.find((r) => r.type === 'aws:codepipeline/pipeline:Pipeline');
  const [store] = (pipeline?.inputs['artifactStores'] ?? []) as {
    location: string;
    encryptionKey: { id: string };
  }[];
  if (store === undefined) throw new Error('the pipeline has no artifact store');
  return { bucket: `arn:aws:s3:::${store.location}`, key: store.encryptionKey.id };
}

/** The planned ARN a call acts on, for the app in `env`. */
function resourceOf(env: Env, entry: (typeof STAGE_CATALOG)[number], on: StageResource): string {
  const store = artifactStore(env);
  const slug = entry.slug;
  switch (on) {
    case StageResource.Repository:
      return repoArn(env, APP);
    case StageResource.SourceRepository:
      return repoArn(promotionSource(env) ?? env, APP);
    case StageResource.SigningProfile:
      return profileArn(
        entry.signingIdentity === 'release'
          ? `signet_${env}_hello_server_release`
          : `signet_${env}_hello_server`,
      );
    case StageResource.BuildSigningProfile:
      return profileArn(`signet_${buildEnvironmentOf(env)}_hello_server`);
    case StageResource.SigningJob:
      return `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/${JOB}`;
    case StageResource.Cluster:
      return clusterArn(env);
    case StageResource.LogStream:
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/signet/${env}/pipeline/${APP}/${slug}:log-stream:${JOB}`;
    case StageResource.ArtifactObject:
      return `${store.bucket}/${APP}-pipeline/BuildOutput/abc.zip`;
    case StageResource.ArtifactBucket:
      return store.bucket;
    case StageResource.ArtifactKey:
      return store.key;
    case StageResource.PluginMirrorObject:
      return `${mirrorArn(env)}/aws-signer-plugin/${DEFAULT_TOOLS.awsSignerPlugin.version}/notation-aws-signer-plugin.zip`;
    case StageResource.PluginMirrorKey:
      return MIRROR_KEY;
    case StageResource.None:
      return '*';
  }
}

const ROLE_ARN = (env: Env, suffix: string) => `arn:aws:iam::${ACCOUNT}:role/signet-${env}-${APP}-${suffix}`;

/** The version of the profile a call acts through: the stage's own identity's, unless `profileName`. */
function profileVersionFor(env: Env, entry: (typeof STAGE_CATALOG)[number], profileName?: string): string {
  return versionOf(
    profileName ??
      (entry.signingIdentity === 'release'
        ? `signet_${env}_hello_server_release`
        : `signet_${env}_hello_server`),
  );
}

function decide(
  env: Env,
  entry: (typeof STAGE_CATALOG)[number],
  action: string,
  resource: string,
  profileName?: string,
) {
  return evaluateIamRequest(
    { identity: rolePolicies(env, entry.slug) },
    {
      principalArn: ROLE_ARN(env, entry.roleSuffix),
      action,
      resource,
      // SignPayload and RevokeSignature with the profile's current version (the condition key Signer
      // sets: for RevokeSignature, the version of the profile that made the job).
      context: { 'signer:ProfileVersion': profileVersionFor(env, entry, profileName) },
    },
  );
}

/** Calls no stage role may make; `stages` narrows a call to the stages it is dangerous for. */
function dangerousCalls(env: Env): {
  what: string;
  action: string;
  resource: string;
  stages?: readonly Stage[];
  /** The profile whose version the request carries (default: the stage's own identity's). */
  profile?: string;
}[] {
  const other = OTHER_ENV[env];
  return [
    {
      what: "sign with another app's profile",
      action: 'signer:SignPayload',
      resource: profileArn(`signet_${env}_other_app`),
    },
    {
      what: "sign with another environment's profile",
      action: 'signer:SignPayload',
      resource: profileArn(`signet_${other}_hello_server`),
    },
    {
      what: "sign with the app's release identity from any stage but ReleaseSigning",
      action: 'signer:SignPayload',
      resource: profileArn(`signet_${env}_hello_server_release`),
      stages: STAGE_ORDER.filter((stage) => stage !== Stage.ReleaseSigning),
    },
    {
      what: "sign with the app's build identity from ReleaseSigning",
      action: 'signer:SignPayload',
      resource: profileArn(`signet_${env}_hello_server`),
      stages: [Stage.ReleaseSigning],
    },
    {
      what: 'sign from any stage but ApplicationSigning',
      action: 'signer:SignPayload',
      resource: profileArn(`signet_${env}_hello_server`),
      stages: [Stage.Build, Stage.Promote, Stage.ApplicationDeployment, Stage.VerifyContainerSign],
    },
    {
      what: 'start a signing job',
      action: 'signer:StartSigningJob',
      resource: profileArn(`signet_${env}_hello_server`),
    },
    {
      what: 'revoke a signature from any stage but RevokeSuperseded',
      action: 'signer:RevokeSignature',
      resource: `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/${JOB}`,
      stages: STAGE_ORDER.filter((stage) => stage !== Stage.RevokeSuperseded),
    },
    ...[
      ['the build signature', `signet_${buildEnvironmentOf(env)}_hello_server`],
      ["this environment's pipeline profile", `signet_${env}_hello_server`],
      ["another app's release profile", `signet_${env}_other_app_release`],
      ["another environment's release profile", `signet_${other}_hello_server_release`],
      ["staging's release profile", 'signet_staging_hello_server_release'],
    ].map(([what, profile]) => ({
      what: `revoke a signature of ${what} (${profile})`,
      action: 'signer:RevokeSignature',
      resource: `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/${JOB}`,
      profile,
    })),
    {
      what: 'change a signing profile',
      action: 'signer:PutSigningProfile',
      resource: profileArn(`signet_${env}_hello_server`),
    },
    {
      what: 'share a signing profile',
      action: 'signer:AddProfilePermission',
      resource: profileArn(`signet_${env}_hello_server`),
    },
    { what: "push to another app's repository", action: 'ecr:PutImage', resource: repoArn(env, 'other-app') },
    {
      what: "push to another environment's repository",
      action: 'ecr:PutImage',
      resource: repoArn(other, APP),
    },
    {
      what: 'push from Deployment or Verify',
      action: 'ecr:PutImage',
      resource: repoArn(env, APP),
      stages: [Stage.ApplicationDeployment, Stage.VerifyContainerSign],
    },
    { what: 'delete images', action: 'ecr:BatchDeleteImage', resource: repoArn(env, APP) },
    { what: 'change the repository policy', action: 'ecr:SetRepositoryPolicy', resource: repoArn(env, APP) },
    { what: 'change tag mutability', action: 'ecr:PutImageTagMutability', resource: repoArn(env, APP) },
    {
      what: 'pass a role',
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/signet-${env}-${APP}-build`,
    },
    { what: 'create a role', action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/x` },
    {
      what: 'start a build',
      action: 'codebuild:StartBuild',
      resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-${env}-${APP}-application-signing`,
    },
    {
      what: 'change a build project',
      action: 'codebuild:UpdateProject',
      resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-${env}-${APP}-build`,
    },
    {
      what: 'approve in the pipeline',
      action: 'codepipeline:PutApprovalResult',
      resource: `arn:aws:codepipeline:${REGION}:${ACCOUNT}:signet-${env}-${APP}/Approval/Approve`,
    },
    { what: 'describe another cluster', action: 'eks:DescribeCluster', resource: clusterArn(other) },
    { what: 'change cluster access', action: 'eks:CreateAccessEntry', resource: clusterArn(env) },
    { what: 'associate an access policy', action: 'eks:AssociateAccessPolicy', resource: clusterArn(env) },
    { what: 'change the cluster', action: 'eks:UpdateClusterConfig', resource: clusterArn(env) },
    { what: 'list clusters', action: 'eks:ListClusters', resource: '*' },
    {
      what: "read another pipeline's artifacts",
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::other-app-artifacts-bucket/x.zip',
    },
    {
      what: 'read the plugin mirror from a stage that does not install the plugin',
      action: 's3:GetObject',
      resource: `${mirrorArn(env)}/aws-signer-plugin/${DEFAULT_TOOLS.awsSignerPlugin.version}/notation-aws-signer-plugin.zip`,
      stages: STAGE_ORDER.filter((stage) => !PLUGIN_INSTALLERS.includes(stage)),
    },
    {
      what: 'decrypt with the plugin mirror key from a stage that does not install the plugin',
      action: 'kms:Decrypt',
      resource: MIRROR_KEY,
      stages: STAGE_ORDER.filter((stage) => !PLUGIN_INSTALLERS.includes(stage)),
    },
    {
      what: 'read another plugin version than the pinned one',
      action: 's3:GetObject',
      resource: `${mirrorArn(env)}/aws-signer-plugin/9.9.9/notation-aws-signer-plugin.zip`,
    },
    {
      what: "read another environment's plugin mirror",
      action: 's3:GetObject',
      resource: `${mirrorArn(other)}/aws-signer-plugin/${DEFAULT_TOOLS.awsSignerPlugin.version}/notation-aws-signer-plugin.zip`,
    },
    {
      what: 'replace a mirrored plugin',
      action: 's3:PutObject',
      resource: `${mirrorArn(env)}/aws-signer-plugin/${DEFAULT_TOOLS.awsSignerPlugin.version}/notation-aws-signer-plugin.zip`,
    },
    { what: 'list the plugin mirror', action: 's3:ListBucket', resource: mirrorArn(env) },
    {
      what: 'decrypt with another key',
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
  ];
}

describe.each(ENVIRONMENTS)('%s: each stage role allows exactly what its stage needs', (env) => {
  it.each(stagesFor(environmentTraits(env)).map((entry) => [entry.name, entry] as const))(
    '%s: every call of its buildspec and of CodeBuild is allowed',
    (_, entry) => {
      const denied = entry.awsCalls
        .map((call: StageAwsCall) => ({ call, resource: resourceOf(env, entry, call.on) }))
        .filter(
          ({ call, resource }) => decide(env, entry, call.action, resource).decision !== IamDecision.Allow,
        )
        .map(({ call, resource }) => `${call.by}: ${call.action} on ${resource}`);
      expect(denied).toEqual([]);
      expect(entry.awsCalls.length).toBeGreaterThan(0);
    },
  );

  it.each(stagesFor(environmentTraits(env)).map((entry) => [entry.name, entry] as const))(
    '%s: dangerous calls are denied',
    (_, entry) => {
      const allowed = dangerousCalls(env)
        .filter((call) => call.stages === undefined || call.stages.includes(entry.name))
        .filter(
          (call) =>
            decide(env, entry, call.action, call.resource, call.profile).decision === IamDecision.Allow,
        )
        .map((call) => `${call.what}: ${call.action} on ${call.resource}`);
      expect(allowed).toEqual([]);
    },
  );
});
