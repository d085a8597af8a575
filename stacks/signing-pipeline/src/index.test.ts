import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildspecPath, STAGE_ENVIRONMENT, Stage, stagesFor } from '@signet/buildspec';
import {
  describeStackConfig,
  environmentTraits,
  findWorkspaceRoot,
  type Environment,
} from '@signet/platform';
import {
  runStackProgram,
  upstreamStackOutputs,
  useAppWorkspace,
  type AppWorkspace,
  type FixtureAppDeclaration,
  type RecordedResource,
  type StackProgramResult,
} from '@signet/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signingPipelineConfig } from './config.js';

const stackDir = join(import.meta.dirname, '..');
const root = findWorkspaceRoot(stackDir);
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const APP = 'hello-server';
/** The artifact buckets, by name alone: another environment's policies name them before they exist. */
const bucketOf = (env: string) => `signet-${env}-${APP}-${ACCOUNT}-${REGION}`;
const PROD_BUCKET = bucketOf('prod');
const CONNECTION = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab`;

const profileArn = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
const clusterArn = (env: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/signet-${env}-cluster`;
const repoArn = (env: string, app: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${app}`;
const repoUrl = (env: string, app: string) =>
  `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${env}/${app}`;

const upstream = (env: string, apps: readonly string[] = [APP, 'other-app']) =>
  upstreamStackOutputs(env, {
    apps,
    account: ACCOUNT,
    region: REGION,
    zones: 2,
    profileVersion: 'abcdef1234',
    eks: true,
  });

async function run(
  env: string,
  configOverrides?: Record<string, unknown>,
  apps?: readonly string[],
): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({
    stackDir,
    env,
    // A promoting environment also reads the repositories it promotes from and the building one's profiles.
    stackReferences: upstream(env, apps),
    ...(configOverrides && { configOverrides }),
  });
}

const ofType = (result: StackProgramResult, type: string): RecordedResource[] =>
  result.recorded.filter((r) => r.type === type);

function one(result: StackProgramResult, type: string, name: string): RecordedResource {
  const found = result.recorded.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (value: unknown): Statement[] =>
  (JSON.parse(value as string) as { Statement: Statement[] }).Statement;
const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

const PROJECT = 'aws:codebuild/project:Project';
const PIPELINE = 'aws:codepipeline/pipeline:Pipeline';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';
// Written out, not read from the catalog: these are the names the deployed resources have.
const SLUG: Record<Stage, string> = {
  [Stage.Build]: 'build',
  [Stage.ApplicationSigning]: 'application-signing',
  [Stage.Promote]: 'promote',
  [Stage.ReleaseSigning]: 'release-signing',
  [Stage.ApplicationDeployment]: 'application-deployment',
  [Stage.VerifyContainerSign]: 'verify-container-sign',
  [Stage.RevokeSuperseded]: 'revoke-superseded',
};
const project = (result: StackProgramResult, stage: Stage) =>
  one(result, PROJECT, `${APP}-${SLUG[stage]}-project`);
const stagePolicy = (result: StackProgramResult, stage: Stage) =>
  statements(one(result, ROLE_POLICY, `${APP}-${SLUG[stage]}-policy`).inputs['policy']);
/** The stages of an environment's pipeline, in order. */
const stagesOf = (env: Environment): Stage[] => stagesFor(environmentTraits(env)).map((e) => e.name);
const pipelineOf = (result: StackProgramResult) => one(result, PIPELINE, `${APP}-pipeline`).inputs;
type StageInput = {
  name: string;
  actions: { name: string; provider: string; namespace?: string; configuration: Record<string, string> }[];
};

let dev: StackProgramResult;
let prod: StackProgramResult;
let workspace: AppWorkspace;

beforeAll(async () => {
  // The program discovers its apps from the workspace it runs in: hello-server alone, declared exactly as
  // in the real workspace (so its buildspecs are the committed ones), whatever other apps exist.
  const helloServer = JSON.parse(readFileSync(join(root, 'apps', APP, 'package.json'), 'utf8')) as {
    signet: FixtureAppDeclaration;
  };
  workspace = useAppWorkspace([helloServer.signet]);
  dev = await run('dev');
  prod = await run('prod');
});

afterAll(() => {
  workspace.restore();
});

describe('signet-signing-pipeline: pipeline', () => {
  it('runs Source, Build, ApplicationSigning, ApplicationDeployment, VerifyContainerSign in dev (no approval)', () => {
    const stages = pipelineOf(dev)['stages'] as StageInput[];
    expect(stages.map((s) => s.name)).toEqual([
      'Source',
      'Build',
      'ApplicationSigning',
      'ApplicationDeployment',
      'VerifyContainerSign',
      'RequestPromotion',
    ]);
    expect(pipelineOf(dev)).toMatchObject({ pipelineType: 'V2', name: `signet-dev-${APP}` });
  });

  it('never builds in prod: promotes the digest, asks for approval, and only then signs the release', () => {
    const stages = pipelineOf(prod)['stages'] as StageInput[];
    expect(stages.map((s) => s.name)).toEqual([
      'Source',
      'Promote',
      'Approval',
      'ReleaseSigning',
      'ApplicationDeployment',
      'VerifyContainerSign',
      'RevokeSuperseded',
    ]);
    expect(stages[2]?.actions[0]).toMatchObject({
      name: 'ApproveRelease',
      category: 'Approval',
      provider: 'Manual',
    });
    // The approver sees what would be signed: the digest, the commit it was built from, the scan
    // summary, its SBOM and the hash of the manifests ApplicationDeployment will apply.
    const approval = String(stages[2]?.actions[0]?.configuration['CustomData']);
    expect(approval).toContain(
      'Sign the release of #{BuildVariables.IMAGE_URI} (commit #{BuildVariables.IMAGE_TAG}; scan #{BuildVariables.SCAN_SUMMARY}; SBOM #{BuildVariables.SBOM_DIGEST}; manifests #{BuildVariables.MANIFESTS_SHA256})',
    );
    // Every variable it names is one the namespaced action (Promote) exports before the approval,
    // or CodePipeline could not resolve it; and the text stays within an action configuration value.
    const exported = stages
      .slice(0, 2)
      .flatMap((s) => s.actions)
      .filter((a) => a.namespace === 'BuildVariables')
      .flatMap((a) => STAGE_ENVIRONMENT[a.name as Stage].exports);
    const named = [...approval.matchAll(/#\{BuildVariables\.([A-Z_0-9]+)\}/g)].map((m) => m[1]);
    expect(named.length).toBe(5);
    for (const name of named) expect(exported).toContain(name);
    expect(approval.length).toBeLessThanOrEqual(1000);
    // Its source is the promotion request in its own artifact bucket, never a code repository.
    expect(stages[0]?.actions[0]).toMatchObject({
      provider: 'S3',
      configuration: {
        S3ObjectKey: `promotion/${APP}.zip`,
        PollForSourceChanges: 'false',
        S3Bucket: one(prod, 'aws:s3/bucket:Bucket', `${APP}-artifacts-bucket`).state['bucket'],
      },
    });
    expect(ofType(prod, 'aws:codecommit/repository:Repository')).toEqual([]);
    // No code push starts it: its one rule is the promotion request's creation.
    const rules = ofType(prod, 'aws:cloudwatch/eventRule:EventRule');
    expect(rules.map((r) => JSON.parse(String(r.inputs['eventPattern'])))).toEqual([
      {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [PROD_BUCKET] }, object: { key: [`promotion/${APP}.zip`] } },
      },
    ]);
    // prod promotes to no environment: no RequestPromotion after RevokeSuperseded.
    expect(stages.at(-1)?.name).toBe('RevokeSuperseded');
  });

  it('promotes in staging without approval, its release signature before deployment', async () => {
    const staging = await run('staging');
    expect((pipelineOf(staging)['stages'] as StageInput[]).map((s) => s.name)).toEqual([
      'Source',
      'Promote',
      'ReleaseSigning',
      'ApplicationDeployment',
      'VerifyContainerSign',
      'RevokeSuperseded',
      'RequestPromotion',
    ]);
  });

  it("lets RevokeSuperseded revoke only the jobs of the app's release profile version, after VerifyContainerSign", () => {
    const revoke = stagePolicy(prod, Stage.RevokeSuperseded).find(
      (s) => s.Sid === 'RevokeOwnReleaseSignatures',
    );
    expect(revoke).toEqual({
      Sid: 'RevokeOwnReleaseSignatures',
      Effect: 'Allow',
      Action: ['signer:RevokeSignature'],
      Resource: [`arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/*`],
      Condition: { StringEquals: { 'signer:ProfileVersion': 'abcdef1234' } },
    });
    const variables = project(prod, Stage.RevokeSuperseded).inputs['environment'] as {
      environmentVariables: { name: string; value: string }[];
    };
    expect(variables.environmentVariables).toContainEqual(
      expect.objectContaining({
        name: 'SIGNET_SIGNING_PROFILE_ARN',
        value: `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/signet_prod_hello_server_release`,
      }),
    );
  });

  it('starts the next environment when VerifyContainerSign succeeds: writes its promotion request, with grants on exactly that object and key', async () => {
    const staging = await run('staging');
    const stages = pipelineOf(dev)['stages'] as (StageInput & {
      actions: { inputArtifacts?: string[]; outputArtifacts?: string[]; category?: string }[];
    })[];
    const verify = stages.find((s) => s.name === 'VerifyContainerSign')?.actions[0];
    expect(verify?.outputArtifacts).toEqual(['PromotionRequest']);
    // The last stage uploads what VerifyContainerSign verified, as it is, to the key staging's S3
    // source reads; no code push, no call into the other environment.
    expect(stages.at(-1)).toEqual({
      name: 'RequestPromotion',
      actions: [
        {
          name: 'PromoteToStaging',
          category: 'Deploy',
          owner: 'AWS',
          provider: 'S3',
          version: '1',
          configuration: {
            BucketName: bucketOf('staging'),
            Extract: 'false',
            ObjectKey: `promotion/${APP}.zip`,
          },
          inputArtifacts: ['PromotionRequest'],
        },
      ],
    });
    // dev's pipeline role may put that one object and make data keys with staging's key only (by alias).
    const devPolicy = statements(
      one(dev, 'aws:iam/rolePolicy:RolePolicy', `${APP}-pipeline-policy`).inputs['policy'],
    );
    expect(
      devPolicy.filter((st) => ['WritePromotionRequest', 'EncryptPromotionRequest'].includes(st.Sid ?? '')),
    ).toEqual([
      {
        Sid: 'WritePromotionRequest',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [`arn:aws:s3:::${bucketOf('staging')}/promotion/${APP}.zip`],
      },
      {
        Sid: 'EncryptPromotionRequest',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey'],
        Resource: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/*`],
        Condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [`alias/signet-staging-pipeline-${APP}`] },
          StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
        },
      },
    ]);
    // staging's key lets dev's pipeline role make data keys through S3 for staging's bucket only.
    const keyPolicy = statements(one(staging, 'aws:kms/key:Key', `${APP}-key-key`).inputs['policy']);
    expect(keyPolicy.find((st) => st.Sid === 'PreviousEnvironmentEncryptsPromotionRequest')).toEqual({
      Sid: 'PreviousEnvironmentEncryptsPromotionRequest',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/signet-dev-${APP}-pipeline` },
      Action: ['kms:GenerateDataKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:ViaService': `s3.${REGION}.amazonaws.com`,
          'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${bucketOf('staging')}`,
        },
      },
    });
    expect(one(staging, 'aws:s3/bucket:Bucket', `${APP}-artifacts-bucket`).inputs['bucket']).toBe(
      bucketOf('staging'),
    );
    expect(
      one(staging, 'aws:s3/bucketNotification:BucketNotification', `${APP}-artifacts-events`).inputs,
    ).toMatchObject({ eventbridge: true });
    // dev builds: no request is written into dev, and no one else's key names dev's writer.
    expect(ofType(dev, 'aws:s3/bucketNotification:BucketNotification')).toEqual([]);
    expect(
      statements(one(dev, 'aws:kms/key:Key', `${APP}-key-key`).inputs['policy']).map((st) => st.Sid),
    ).not.toContain('PreviousEnvironmentEncryptsPromotionRequest');
  });

  it('follows the config: approval on in dev when asked, off in prod when disabled', async () => {
    const withApproval = await run('dev', { 'signet-signing-pipeline:manualApproval': true });
    expect((pipelineOf(withApproval)['stages'] as StageInput[]).map((s) => s.name)).toContain('Approval');
    const without = await run('prod', { 'signet-signing-pipeline:manualApproval': false });
    expect((pipelineOf(without)['stages'] as StageInput[]).map((s) => s.name)).not.toContain('Approval');
  });

  it('hands the Build action variables to later stages by reference, never as artifacts', () => {
    const stages = pipelineOf(prod)['stages'] as StageInput[];
    const action = (name: string) => stages.find((s) => s.name === name)?.actions[0];
    // Promote exports what Build exports where images are built, under the same namespace.
    expect(action('Promote')?.namespace).toBe('BuildVariables');
    for (const stage of [
      Stage.ReleaseSigning,
      Stage.ApplicationDeployment,
      Stage.VerifyContainerSign,
      Stage.RevokeSuperseded,
    ]) {
      const variables = JSON.parse(action(stage)?.configuration['EnvironmentVariables'] ?? '[]') as {
        name: string;
        value: string;
      }[];
      expect(variables).toEqual(
        STAGE_ENVIRONMENT[stage].fromBuild.map((name) => ({
          name,
          value: `#{BuildVariables.${name}}`,
          type: 'PLAINTEXT',
        })),
      );
      expect(action(stage)?.configuration['ProjectName']).toBe(`signet-prod-${APP}-${SLUG[stage]}`);
    }
  });

  it('encrypts the artifact store with the pipeline key', () => {
    const [store] = pipelineOf(prod)['artifactStores'] as { encryptionKey: { type: string; id: string } }[];
    const key = one(prod, 'aws:kms/key:Key', `${APP}-key-key`);
    expect(store?.encryptionKey).toEqual({ type: 'KMS', id: key.state['arn'] });
  });

  it('lets each role be assumed by one service for one resource of this account only', () => {
    const roles = ofType(prod, 'aws:iam/role:Role').filter((r) =>
      String(r.inputs['name']).startsWith(`signet-prod-${APP}-`),
    );
    const sourceArns = Object.fromEntries(
      roles.map((role) => {
        const [trust, ...rest] = statements(role.inputs['assumeRolePolicy']);
        expect(rest).toEqual([]);
        expect(trust?.Condition?.['StringEquals']).toEqual({ 'aws:SourceAccount': ACCOUNT });
        return [role.inputs['name'], trust?.Condition?.['ArnLike']?.['aws:SourceArn']];
      }),
    );
    const codebuild = (stage: Stage) =>
      `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-prod-${APP}-${SLUG[stage]}`;
    expect(sourceArns).toEqual({
      [`signet-prod-${APP}-promote`]: codebuild(Stage.Promote),
      [`signet-prod-${APP}-release`]: codebuild(Stage.ReleaseSigning),
      [`signet-prod-${APP}-deploy`]: codebuild(Stage.ApplicationDeployment),
      [`signet-prod-${APP}-verify`]: codebuild(Stage.VerifyContainerSign),
      [`signet-prod-${APP}-revoke`]: codebuild(Stage.RevokeSuperseded),
      [`signet-prod-${APP}-pipeline`]: `arn:aws:codepipeline:${REGION}:${ACCOUNT}:signet-prod-${APP}`,
      // EventBridge starts the pipeline when the promotion request is written, for this rule only.
      [`signet-prod-${APP}-start`]: `arn:aws:events:${REGION}:${ACCOUNT}:rule/signet-prod-${APP}-source`,
    });
  });

  it('lets the pipeline role start only its own projects and read only its own source', () => {
    for (const [env, result] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      const policy = statements(one(result, ROLE_POLICY, `${APP}-pipeline-policy`).inputs['policy']);
      const run = policy.find((s) => actionsOf(s).includes('codebuild:StartBuild'));
      expect(run?.Resource).toEqual(
        stagesOf(env).map(
          (stage) => `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-${env}-${APP}-${SLUG[stage]}`,
        ),
      );
      for (const s of policy) expect(s.Resource).not.toContain('*');
    }
    const source = statements(one(dev, ROLE_POLICY, `${APP}-pipeline-policy`).inputs['policy']).find(
      (s) => s.Sid === 'ReadOwnSource',
    );
    expect(source?.Resource).toEqual([`arn:aws:codecommit:${REGION}:${ACCOUNT}:signet-dev-${APP}`]);
    // Prod reads its promotion request from its own bucket: no source grant at all.
    expect(
      statements(one(prod, ROLE_POLICY, `${APP}-pipeline-policy`).inputs['policy']).map((s) => s.Sid),
    ).not.toContain('ReadOwnSource');
  });
});

describe('signet-signing-pipeline: stages', () => {
  it.each(['dev', 'staging', 'prod'])('runs the committed buildspecs inline (%s)', async (env) => {
    const result = env === 'dev' ? dev : env === 'prod' ? prod : await run(env);
    for (const stage of stagesOf(env as Environment)) {
      const committed = readFileSync(join(root, buildspecPath(APP, env, stage)), 'utf8');
      expect((project(result, stage).inputs['source'] as { buildspec: string }).buildspec).toBe(committed);
    }
  });

  it('runs only the Build stage privileged', () => {
    const privileged = [dev, prod].flatMap((result) =>
      ofType(result, PROJECT)
        .filter((p) => (p.inputs['environment'] as { privilegedMode: boolean }).privilegedMode)
        .map((p) => p.inputs['name']),
    );
    expect(privileged).toEqual([`signet-dev-${APP}-build`]);
  });

  it('sets exactly the contract variables of each stage, from the upstream stacks', () => {
    const expected: Record<string, Record<string, string>> = {
      dev: {
        SIGNET_REPOSITORY_URI: repoUrl('dev', APP),
        SIGNET_SIGNING_PROFILE_ARN: profileArn('signet_dev_hello_server'),
        SIGNET_CLUSTER_NAME: 'signet-dev-cluster',
        // The signer stack's AWS Signer plugin mirror.
        SIGNET_PLUGIN_MIRROR_BUCKET: `signet-dev-signer-plugin-${ACCOUNT}-${REGION}`,
      },
      prod: {
        SIGNET_REPOSITORY_URI: repoUrl('prod', APP),
        // ReleaseSigning signs with the app's release identity of prod, never its pipeline identity.
        SIGNET_SIGNING_PROFILE_ARN: profileArn('signet_prod_hello_server_release'),
        SIGNET_CLUSTER_NAME: 'signet-prod-cluster',
        // Prod promotes from staging.
        SIGNET_PROMOTION_SOURCE_URI: repoUrl('staging', APP),
        SIGNET_PLUGIN_MIRROR_BUCKET: `signet-prod-signer-plugin-${ACCOUNT}-${REGION}`,
      },
    };
    for (const [env, result] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      for (const stage of stagesOf(env)) {
        const variables = (
          project(result, stage).inputs['environment'] as {
            environmentVariables: { name: string; value: string; type: string }[];
          }
        ).environmentVariables;
        expect(variables.map((v) => v.name)).toEqual(STAGE_ENVIRONMENT[stage].deployTime);
        for (const v of variables) {
          expect(v.type).toBe('PLAINTEXT');
          if (!v.name.endsWith('TRUST_POLICY')) expect(v.value).toBe(expected[env]?.[v.name]);
        }
      }
    }
  });

  const trustOf = (result: StackProgramResult, stage: Stage, variable: string) =>
    JSON.parse(
      (
        project(result, stage).inputs['environment'] as {
          environmentVariables: { name: string; value: string }[];
        }
      ).environmentVariables.find((v) => v.name === variable)?.value ?? '{}',
    ) as {
      trustPolicies: {
        name: string;
        registryScopes: string[];
        trustedIdentities: string[];
        signatureVerification: { level: string };
      }[];
    };

  it("verifies with the app's own trust policies, the cluster's: its repository, exactly the build or release identity, strict", () => {
    const policy = (name: string, scopes: string[], identity: string) => ({
      version: '1.0',
      trustPolicies: [
        {
          name,
          registryScopes: scopes,
          trustedIdentities: [identity],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-signer-ts'],
        },
      ],
    });
    const build = profileArn('signet_dev_hello_server');
    // dev: the build signature only, by dev's pipeline identity.
    expect(trustOf(dev, Stage.ApplicationSigning, 'SIGNET_TRUST_POLICY')).toEqual(
      policy(`signet-app-${APP}`, [repoUrl('dev', APP)], build),
    );
    // prod: the build signature is still dev's; the release signature is prod's own release identity.
    expect(trustOf(prod, Stage.ReleaseSigning, 'SIGNET_BUILD_TRUST_POLICY')).toEqual(
      policy(`signet-app-${APP}`, [repoUrl('prod', APP)], build),
    );
    expect(trustOf(prod, Stage.ReleaseSigning, 'SIGNET_TRUST_POLICY')).toEqual(
      policy(
        `signet-app-${APP}-release`,
        [repoUrl('prod', APP)],
        profileArn('signet_prod_hello_server_release'),
      ),
    );
    // Promote verifies the build signature where the digest comes from (staging) and where it lands.
    expect(trustOf(prod, Stage.Promote, 'SIGNET_PROMOTION_TRUST_POLICY')).toEqual(
      policy(`signet-app-${APP}`, [repoUrl('prod', APP), repoUrl('staging', APP)], build),
    );
    // Nothing of the other app, and no staging release identity in prod.
    for (const stage of [Stage.Promote, Stage.ReleaseSigning]) {
      const text = JSON.stringify(project(prod, stage).inputs['environment']);
      expect(text).not.toContain('other_app');
      expect(text).not.toContain('other-app');
      expect(text).not.toContain('signet_staging_hello_server_release');
    }
  });

  it("signs the build with the app's dev pipeline profile and the prod release with its prod release profile; no other stage may sign", () => {
    const signs = (result: StackProgramResult, stage: Stage) =>
      stagePolicy(result, stage).filter((s) => actionsOf(s).includes('signer:SignPayload'));
    expect(signs(dev, Stage.ApplicationSigning)).toEqual([
      expect.objectContaining({ Effect: 'Allow', Resource: [profileArn('signet_dev_hello_server')] }),
    ]);
    expect(signs(prod, Stage.ReleaseSigning)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: [profileArn('signet_prod_hello_server_release')],
      }),
    ]);
    for (const stage of [Stage.Build, Stage.ApplicationDeployment, Stage.VerifyContainerSign])
      expect(signs(dev, stage)).toEqual([]);
    for (const stage of [Stage.Promote, Stage.ApplicationDeployment, Stage.VerifyContainerSign])
      expect(signs(prod, stage)).toEqual([]);
  });

  it('lets Promote read the source repository only and write its own', () => {
    const policy = stagePolicy(prod, Stage.Promote);
    expect(policy.find((s) => s.Sid === 'ReadPromotionSource')?.Resource).toEqual([repoArn('staging', APP)]);
    expect(policy.find((s) => s.Sid === 'WritePromotedImage')?.Resource).toEqual([repoArn('prod', APP)]);
  });

  it('checks revocation on the trusted profiles, their versions and their signing jobs only', () => {
    const revocation = stagePolicy(dev, Stage.ApplicationSigning).find(
      (s) => s.Sid === 'CheckSignatureRevocation',
    );
    expect(revocation?.Resource).toEqual([
      ...(upstream('dev')['organization/signet-signer/dev']?.trustedIdentities ?? []).flatMap((arn) => [
        arn,
        `${arn}/*`,
      ]),
      `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/*`,
    ]);
    // Prod verifies dev's build signature: its pipeline profile is among those checked there.
    const prodRevocation = stagePolicy(prod, Stage.Promote).find((s) => s.Sid === 'CheckSignatureRevocation');
    expect(prodRevocation?.Resource).toContain(profileArn('signet_dev_hello_server'));
  });

  it('lets each stage write only the log streams of its own log group', () => {
    for (const stage of stagesOf('prod')) {
      const logs = stagePolicy(prod, stage).find((s) => s.Sid === 'WriteOwnLogs');
      expect(logs?.Resource).toEqual([
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/signet/prod/pipeline/${APP}/${SLUG[stage]}:log-stream:*`,
      ]);
    }
  });

  it('scopes the VPC stages network interfaces to the private subnets; only Describe calls on "*"', () => {
    const networking = upstream('prod')['organization/signet-networking/prod'] as {
      privateSubnetIds: string[];
    };
    const subnets = networking.privateSubnetIds.map((id) => `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`);
    for (const stage of [Stage.ApplicationDeployment, Stage.VerifyContainerSign]) {
      const vpc = statements(one(prod, ROLE_POLICY, `${APP}-${SLUG[stage]}-vpc-policy`).inputs['policy']);
      const bySid = (sid: string) => vpc.find((s) => s.Sid === sid);
      expect(bySid('CreateBuildNetworkInterfaces')?.Resource).toEqual([
        `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`,
        ...subnets,
        `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/*`,
      ]);
      expect(bySid('DeleteBuildNetworkInterfaces')?.Condition).toEqual({
        ArnEquals: { 'ec2:Subnet': subnets },
      });
      const wildcard = vpc.filter((s) => s.Resource.includes('*')).flatMap(actionsOf);
      expect(wildcard.length).toBeGreaterThan(0);
      expect(wildcard.every((a) => a.startsWith('ec2:Describe'))).toBe(true);
    }
  });

  it('pushes only to the app repository', () => {
    const push = stagePolicy(dev, Stage.Build).find((s) => actionsOf(s).includes('ecr:PutImage'));
    expect(push?.Resource).toEqual([repoArn('dev', APP)]);
    expect(stagePolicy(dev, Stage.ApplicationDeployment).flatMap(actionsOf)).not.toContain('ecr:PutImage');
  });

  it('gives the deploy and verify roles their cluster only, and Kubernetes rights in the app namespace only', () => {
    for (const stage of [Stage.ApplicationDeployment, Stage.VerifyContainerSign]) {
      const describe = stagePolicy(prod, stage).find((s) => actionsOf(s).includes('eks:DescribeCluster'));
      expect(describe?.Resource).toEqual([clusterArn('prod')]);
    }
    // Only the deploy role has a managed access policy (edit, in the app namespace).
    const associations = ofType(prod, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation').filter((a) =>
      a.name.startsWith(`${APP}-`),
    );
    expect(associations).toHaveLength(1);
    for (const association of associations) {
      expect(association.inputs).toMatchObject({
        clusterName: 'signet-prod-cluster',
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
        accessScope: { type: 'namespace', namespaces: [APP] },
      });
    }
    const roleArns = ofType(prod, 'aws:iam/role:Role')
      .filter((r) => r.inputs['name'] === `signet-prod-${APP}-deploy`)
      .map((r) => r.state['arn']);
    expect(associations.map((a) => a.inputs['principalArn']).sort()).toEqual(roleArns.sort());
    const verifyEntry = one(prod, 'aws:eks/accessEntry:AccessEntry', `${APP}-verify-container-sign-access`);
    expect(verifyEntry.inputs['kubernetesGroups']).toEqual([
      'signet:admission-policy-readers',
      `signet:${APP}:verify-container-sign`,
    ]);
    const deployEntry = one(prod, 'aws:eks/accessEntry:AccessEntry', `${APP}-application-deployment-access`);
    expect(deployEntry.inputs['kubernetesGroups']).toBeUndefined();
  });

  it("gives the verify role exactly its buildspec's kubectl calls, in the app namespace, through its own group", () => {
    const role = one(
      prod,
      'kubernetes:rbac.authorization.k8s.io/v1:Role',
      `${APP}-verify-container-sign-k8s-role`,
    );
    expect(role.inputs['metadata']).toMatchObject({ namespace: APP });
    expect(role.inputs['rules']).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [APP], verbs: ['get', 'patch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
      // The admission drill's server-side dry runs (RBAC has no verb for dry runs only).
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'list'] },
      { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] },
    ]);
    const binding = one(
      prod,
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
      `${APP}-verify-container-sign-k8s-role-binding`,
    );
    expect(binding.inputs).toMatchObject({
      metadata: { namespace: APP },
      roleRef: { kind: 'Role', name: (role.inputs['metadata'] as { name: string }).name },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `signet:${APP}:verify-container-sign` },
      ],
    });
    // No other stage has a Role: Build and signing never reach the cluster, deployment has its access policy.
    expect(
      ofType(prod, 'kubernetes:rbac.authorization.k8s.io/v1:Role').filter((r) =>
        r.name.startsWith(`${APP}-`),
      ),
    ).toHaveLength(1);
  });

  it('lets the policy readers get the one admission ClusterPolicy and nothing else', () => {
    const role = one(
      prod,
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole',
      'pipelines-admission-policy-reader',
    );
    expect(role.inputs['rules']).toEqual([
      {
        apiGroups: ['kyverno.io'],
        resources: ['clusterpolicies'],
        resourceNames: ['signet-verify-images'],
        verbs: ['get'],
      },
    ]);
  });

  it('runs the cluster-facing stages in the private subnets, the others outside the VPC', () => {
    for (const stage of stagesOf('prod')) {
      const vpc = project(prod, stage).inputs['vpcConfig'] as { subnets: string[] } | undefined;
      if (stage === Stage.ApplicationDeployment || stage === Stage.VerifyContainerSign) {
        expect(vpc?.subnets).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
      } else {
        expect(vpc).toBeUndefined();
      }
    }
    const ingress = ofType(prod, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
    expect(ingress.map((r) => r.inputs)).toEqual([
      expect.objectContaining({ securityGroupId: 'sg-0cccccccccccccccc', fromPort: 443, toPort: 443 }),
    ]);
  });
});

describe('signet-signing-pipeline: encryption and storage', () => {
  it('encrypts every project and log group with the pipeline key, and keeps logs for the configured days', () => {
    const key = one(prod, 'aws:kms/key:Key', `${APP}-key-key`).state['arn'];
    for (const stage of stagesOf('prod')) {
      expect(project(prod, stage).inputs['encryptionKey']).toBe(key);
      const logs = one(prod, 'aws:cloudwatch/logGroup:LogGroup', `${APP}-${SLUG[stage]}-logs`).inputs;
      expect(logs).toMatchObject({
        kmsKeyId: key,
        retentionInDays: 365,
        name: `/signet/prod/pipeline/${APP}/${SLUG[stage]}`,
      });
      expect(project(prod, stage).inputs['logsConfig']).toMatchObject({
        cloudwatchLogs: { status: 'ENABLED', groupName: `/signet/prod/pipeline/${APP}/${SLUG[stage]}` },
      });
    }
    expect(one(dev, 'aws:cloudwatch/logGroup:LogGroup', `${APP}-build-logs`).inputs['retentionInDays']).toBe(
      30,
    );
  });

  it('keeps artifacts KMS-encrypted, versioned, private, TLS-only and expiring', () => {
    const key = one(prod, 'aws:kms/key:Key', `${APP}-key-key`).state['arn'];
    const sse = one(
      prod,
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      `${APP}-artifacts-encryption`,
    );
    expect(sse.inputs['rules']).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key },
        bucketKeyEnabled: true,
      },
    ]);
    expect(
      one(prod, 'aws:s3/bucketVersioning:BucketVersioning', `${APP}-artifacts-versioning`).inputs,
    ).toMatchObject({
      versioningConfiguration: { status: 'Enabled' },
    });
    expect(
      one(prod, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', `${APP}-artifacts-public-access`)
        .inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = statements(
      one(prod, 'aws:s3/bucketPolicy:BucketPolicy', `${APP}-artifacts-policy`).inputs['policy'],
    );
    expect(policy).toEqual([
      // staging's pipeline role writes prod's promotion request, and nothing else of the bucket.
      {
        Sid: 'PreviousEnvironmentWritesPromotionRequest',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/signet-staging-${APP}-pipeline` },
        Action: ['s3:PutObject'],
        Resource: [`arn:aws:s3:::${PROD_BUCKET}/promotion/${APP}.zip`],
        Condition: {
          StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          ArnEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key },
        },
      },
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
    const lifecycle = one(
      prod,
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      `${APP}-artifacts-lifecycle`,
    );
    expect(lifecycle.inputs['rules']).toContainEqual(
      expect.objectContaining({
        expiration: { days: 90 },
        noncurrentVersionExpiration: { noncurrentDays: 90 },
      }),
    );
  });

  it('lets CloudWatch Logs use the pipeline key only for the app stage log groups', () => {
    const key = one(prod, 'aws:kms/key:Key', `${APP}-key-key`);
    const logs = statements(key.inputs['policy']).find(
      (s) => s.Sid === 'CloudWatchLogsEncryptsStageLogGroups',
    );
    expect(logs?.Condition).toEqual({
      StringLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/signet/prod/pipeline/${APP}/*`,
      },
    });
  });
});

describe('signet-signing-pipeline: notifications', () => {
  it('publishes failures and pending approvals to a KMS-encrypted topic only CodeStar Notifications may publish to', () => {
    const topic = one(prod, 'aws:sns/topic:Topic', 'pipelines-notifications');
    const key = one(prod, 'aws:kms/key:Key', 'pipelines-notifications-key-key');
    expect(topic.inputs['kmsMasterKeyId']).toBe(key.state['arn']);
    const grant = statements(key.inputs['policy']).find(
      (s) => s.Sid === 'CodeStarNotificationsPublishesThroughSns',
    );
    expect(grant?.Condition).toEqual({ StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } });
    const topicPolicy = statements(
      one(prod, 'aws:sns/topicPolicy:TopicPolicy', 'pipelines-notifications-policy').inputs['policy'],
    );
    expect(topicPolicy).toEqual([
      expect.objectContaining({
        Principal: { Service: 'codestar-notifications.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic.state['arn'],
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      }),
    ]);
    const rule = one(
      prod,
      'aws:codestarnotifications/notificationRule:NotificationRule',
      `${APP}-notifications`,
    );
    expect(rule.inputs).toMatchObject({
      resource: one(prod, PIPELINE, `${APP}-pipeline`).state['arn'],
      eventTypeIds: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
      ],
      targets: [{ type: 'SNS', address: topic.state['arn'] }],
    });
    const devRule = one(
      dev,
      'aws:codestarnotifications/notificationRule:NotificationRule',
      `${APP}-notifications`,
    );
    expect(devRule.inputs['eventTypeIds']).toEqual(['codepipeline-pipeline-pipeline-execution-failed']);
  });
});

describe('signet-signing-pipeline: source', () => {
  it('creates a KMS-encrypted CodeCommit repository and starts the pipeline on pushes to its branch', () => {
    const repo = one(dev, 'aws:codecommit/repository:Repository', `${APP}-source`);
    expect(repo.inputs).toMatchObject({ repositoryName: `signet-dev-${APP}`, defaultBranch: 'main' });
    expect(repo.inputs['kmsKeyId']).toBe(one(dev, 'aws:kms/key:Key', `${APP}-key-key`).state['arn']);
    const pattern = JSON.parse(
      one(dev, 'aws:cloudwatch/eventRule:EventRule', `${APP}-source-changed`).inputs[
        'eventPattern'
      ] as string,
    ) as {
      resources: string[];
      detail: { referenceName: string[] };
    };
    expect(pattern.resources).toEqual([repo.state['arn']]);
    expect(pattern.detail.referenceName).toEqual(['main']);
    const start = statements(one(dev, ROLE_POLICY, `${APP}-source-events-policy`).inputs['policy']);
    expect(start).toEqual([
      expect.objectContaining({
        Action: ['codepipeline:StartPipelineExecution'],
        Resource: [one(dev, PIPELINE, `${APP}-pipeline`).state['arn']],
      }),
    ]);
  });

  it("refuses a source in an environment that promotes: the one source is the building environment's", async () => {
    await expect(
      run('staging', { 'signet-signing-pipeline:source': { kind: 'codecommit', branch: 'main' } }),
    ).rejects.toThrow(
      'Pulumi.staging.yaml: key "signet-signing-pipeline:source" is set, but staging promotes images from dev and has no source repository; remove the key',
    );
  });

  it('uses a CodeConnections repository, triggered only by changes to the app folder', async () => {
    const result = await run('dev', {
      'signet-signing-pipeline:source': {
        kind: 'codeconnections',
        connectionArn: CONNECTION,
        repository: 'acme/signet',
        branch: 'release',
      },
    });
    expect(ofType(result, 'aws:codecommit/repository:Repository')).toEqual([]);
    const pipeline = pipelineOf(result);
    const source = (pipeline['stages'] as StageInput[])[0]?.actions[0];
    expect(source).toMatchObject({
      provider: 'CodeStarSourceConnection',
      configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'acme/signet', BranchName: 'release' },
    });
    expect(pipeline['triggers']).toEqual([
      {
        providerType: 'CodeStarSourceConnection',
        gitConfiguration: {
          sourceActionName: 'Source',
          pushes: [
            {
              branches: { includes: ['release'] },
              filePaths: {
                includes: [
                  `apps/${APP}/**`,
                  `buildspecs/${APP}/**`,
                  'packages/service-kit/**',
                  'pnpm-lock.yaml',
                ],
              },
            },
          ],
        },
      },
    ]);
    const policy = statements(one(result, ROLE_POLICY, `${APP}-pipeline-policy`).inputs['policy']);
    expect(policy.find((s) => s.Sid === 'ReadOwnSource')).toMatchObject({
      Action: ['codeconnections:UseConnection'],
      Resource: [CONNECTION],
    });
  });
});

describe('signet-signing-pipeline: configuration', () => {
  it('documents every key', () => {
    expect(describeStackConfig(signingPipelineConfig).map((row) => row.key)).toEqual([
      'aws:region',
      'signet-signing-pipeline:source',
      'signet-signing-pipeline:manualApproval',
      'signet-signing-pipeline:logRetentionDays',
      'signet-signing-pipeline:artifactRetentionDays',
      'signet-signing-pipeline:notificationEmails',
    ]);
  });

  it('refuses a source without a valid connection, a log retention CloudWatch does not offer, an unknown key', async () => {
    await expect(
      run('dev', {
        'signet-signing-pipeline:source': {
          kind: 'codeconnections',
          connectionArn: 'arn:aws:iam::123456789012:role/x',
          repository: 'acme/signet',
        },
      }),
    ).rejects.toThrow(
      'signet-signing-pipeline (Pulumi.dev.yaml): key "signet-signing-pipeline:source" has value {"kind":"codeconnections","connectionArn":"arn:aws:iam::123456789012:role/x","repository":"acme/signet"}; allowed: { kind: codecommit, branch } or { kind: codeconnections',
    );
    await expect(run('dev', { 'signet-signing-pipeline:source': { kind: 'github' } })).rejects.toThrow(
      'key "signet-signing-pipeline:source" has value {"kind":"github"}',
    );
    await expect(run('prod', { 'signet-signing-pipeline:logRetentionDays': 42 })).rejects.toThrow(
      'signet-signing-pipeline (Pulumi.prod.yaml): key "signet-signing-pipeline:logRetentionDays" has value 42; allowed: one of 1, 3, 5',
    );
    await expect(run('dev', { 'signet-signing-pipeline:approval': true })).rejects.toThrow(
      'key "signet-signing-pipeline:approval" is not a known key',
    );
  });
});
