/*
 * The signing guard in the signer stack, under Pulumi's mock runtime: what it watches, whom it
 * leaves alone, what it may do and where what it finds goes, all encrypted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStackProgram, type RecordedResource, type StackProgramResult } from '@signet/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const stackDir = join(import.meta.dirname, '..');
const originalCwd = process.cwd();
const ACCOUNT = '123456789012';
let workspace: string;
let prod: StackProgramResult;

function addApp(name: string, environments: readonly string[]): void {
  mkdirSync(join(workspace, 'apps', name, 'deploy'), { recursive: true });
  writeFileSync(
    join(workspace, 'apps', name, 'package.json'),
    JSON.stringify({
      name: `@signet/${name}`,
      signet: { name, namespace: name, port: 8080, environments, manifests: 'deploy' },
    }),
  );
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'signet-signer-guard-'));
  writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
  addApp('alpha', ['prod']);
  addApp('beta', ['prod']);
  process.chdir(workspace);
  vi.resetModules();
  prod = await runStackProgram({ stackDir, env: 'prod' });
});
afterAll(() => {
  process.chdir(originalCwd);
  rmSync(workspace, { recursive: true, force: true });
});

function one(type: string, name?: string): RecordedResource {
  const found = prod.recorded.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found, `${type} ${name ?? ''}`).toHaveLength(1);
  return found[0] as RecordedResource;
}
/** The prod profiles of each app: its pipeline identity and its release identity. */
const PROD_PROFILES = { alpha: ['signet_prod_alpha', 'signet_prod_alpha_release'] };
const json = (value: unknown) => JSON.parse(value as string) as Record<string, unknown>;

describe('the signing guard of signet-signer', () => {
  it('watches every signature with the environment profiles and every build of its projects', () => {
    const signatures = json(
      one('aws:cloudwatch/eventRule:EventRule', 'signing-guard-signatures').inputs['eventPattern'],
    );
    expect(signatures).toMatchObject({
      source: ['aws.signer'],
      detail: {
        eventName: ['SignPayload', 'StartSigningJob'],
        requestParameters: { profileName: [{ prefix: 'signet_prod_' }] },
      },
    });
    const builds = json(
      one('aws:cloudwatch/eventRule:EventRule', 'signing-guard-builds').inputs['eventPattern'],
    );
    expect(JSON.stringify(builds)).toContain('{"projectName":[{"prefix":"signet-prod-"}');
  });

  // Prod signs only in ReleaseSigning: the build signature is dev's, made by dev's ApplicationSigning.
  it("gives each app its own rules: its exact profiles and projects, exempting only its own pipeline's roles", () => {
    const alpha = json(
      one('aws:cloudwatch/eventRule:EventRule', 'signing-guard-alpha-signatures').inputs['eventPattern'],
    );
    expect(one('aws:cloudwatch/eventRule:EventRule', 'signing-guard-alpha-signatures').inputs['name']).toBe(
      'signet-prod-alpha-guard-s',
    );
    const alphaText = JSON.stringify(alpha);
    expect((alpha['detail'] as { requestParameters: unknown }).requestParameters).toEqual({
      profileName: PROD_PROFILES.alpha,
    });
    expect(alphaText).toContain('"userName":[{"anything-but":["signet-prod-alpha-release"]}]');
    expect(alphaText).not.toContain('beta');
    const builds = one('aws:cloudwatch/eventRule:EventRule', 'signing-guard-beta-builds').inputs[
      'eventPattern'
    ] as string;
    expect(builds).toContain('"userName":[{"anything-but":["signet-prod-beta-pipeline"]}]');
    expect(builds).toContain('"signet-prod-beta-release-signing"');
    expect(builds).toContain('{"prefix":"signet-prod-beta-release-signing:"}');
    expect(builds).not.toContain('alpha');
    expect(builds).toContain(`"accountId":[{"anything-but":["${ACCOUNT}"]}]`);
    // The catch-alls leave the environment's roles to the per-app rules.
    for (const rule of ['signing-guard-signatures', 'signing-guard-builds']) {
      expect(one('aws:cloudwatch/eventRule:EventRule', rule).inputs['eventPattern']).toContain(
        '"userName":[{"anything-but":{"prefix":"signet-prod-"}}]',
      );
    }
  });

  it('sends all six rules (two catch-alls, two per app) to the function, with retries and the dead-letter queue', () => {
    const targets = prod.recorded.filter((r) => r.type === 'aws:cloudwatch/eventTarget:EventTarget');
    expect(targets).toHaveLength(6);
    for (const target of targets) {
      expect(target.inputs['deadLetterConfig']).toEqual({
        arn: expect.stringContaining(':signet-prod-signing-guard-dlq'),
      });
      expect(target.inputs['retryPolicy']).toEqual({
        maximumEventAgeInSeconds: 3600,
        maximumRetryAttempts: 24,
      });
    }
    const permissions = prod.recorded.filter((r) => r.type === 'aws:lambda/permission:Permission');
    expect(permissions.map((p) => [p.inputs['principal'], p.inputs['sourceAccount']])).toEqual(
      Array.from({ length: 6 }, () => ['events.amazonaws.com', ACCOUNT]),
    );
    const invoke = one('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig');
    expect(invoke.inputs).toMatchObject({
      maximumRetryAttempts: 2,
      destinationConfig: {
        onFailure: { destination: expect.stringContaining(':signet-prod-signing-guard-dlq') },
      },
    });
  });

  it("wraps each rule's events with that rule's key, by which the function acts on an event once", () => {
    const targets = prod.recorded.filter((r) => r.type === 'aws:cloudwatch/eventTarget:EventTarget');
    const keys = targets.map((target) => {
      const key = target.name.replace(/^signing-guard-/, '').replace(/-target$/, '');
      const rule = one('aws:cloudwatch/eventRule:EventRule', `signing-guard-${key}`);
      expect(target.inputs['rule']).toBe(rule.inputs['name']);
      expect(target.inputs['inputTransformer']).toEqual({
        inputTemplate: `{"rule":"${key}","event":<aws.events.event.json>}`,
      });
      return key;
    });
    expect(keys.sort()).toEqual([
      'alpha-builds',
      'alpha-signatures',
      'beta-builds',
      'beta-signatures',
      'builds',
      'signatures',
    ]);
  });

  it('encrypts the topic, the queue and the logs with its own rotating key', () => {
    const key = one('aws:kms/key:Key', 'signing-guard-key-key');
    expect(key.inputs['enableKeyRotation']).toBe(true);
    const keyArn = key.state['arn'];
    expect(one('aws:sns/topic:Topic').inputs).toMatchObject({
      name: 'signet-prod-security',
      kmsMasterKeyId: keyArn,
    });
    expect(one('aws:sqs/queue:Queue').inputs).toMatchObject({
      kmsMasterKeyId: keyArn,
      messageRetentionSeconds: 1_209_600,
    });
    expect(one('aws:cloudwatch/logGroup:LogGroup').inputs).toMatchObject({
      name: '/signet/prod/signing-guard',
      kmsKeyId: keyArn,
    });
    const grants = (json(key.inputs['policy'])['Statement'] as { Sid: string; Principal: unknown }[]).map(
      (s) => s.Sid,
    );
    expect(grants).toEqual([
      'AccountIamPoliciesGovernKeyUse',
      'CloudWatchLogsEncryptsOneLogGroup',
      'EventBridgeEncryptsDeadLetters',
    ]);
  });

  it('runs the bundled function with its configuration beside it, on Node.js 22, logging to its group', async () => {
    const fn = one('aws:lambda/function:Function');
    expect(fn.inputs).toMatchObject({
      name: 'signet-prod-signing-guard',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      loggingConfig: { logFormat: 'JSON', logGroup: '/signet/prod/signing-guard' },
    });
    // An archive holds its assets, and an asset its path or text, as promises.
    const archive = fn.inputs['code'] as {
      assets: Promise<Record<string, { path?: Promise<string>; text?: Promise<string> }>>;
    };
    const assets = await archive.assets;
    expect(Object.keys(assets).sort()).toEqual(['index.js', 'signing-guard.json']);
    expect(await assets['index.js']?.path).toMatch(/packages\/signing-guard\/dist\/bundle\/index\.js$/);
    expect(JSON.parse((await assets['signing-guard.json']?.text) ?? '{}')).toEqual({
      environment: 'prod',
      accountId: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      profilePrefix: 'signet_prod_',
      projectPrefix: 'signet-prod-',
      rolePrefix: 'signet-prod-',
      apps: {
        alpha: {
          profileNames: PROD_PROFILES.alpha,
          projectNames: expect.arrayContaining(['signet-prod-alpha-release-signing']),
          signingRoleNames: ['signet-prod-alpha-release'],
          pipelineRoleName: 'signet-prod-alpha-pipeline',
        },
        beta: expect.objectContaining({ pipelineRoleName: 'signet-prod-beta-pipeline' }),
      },
      topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:signet-prod-security`,
      jobSearchWindowMinutes: 10,
    });
  });

  it('gives the function only its answers: revoke jobs, stop this environment builds, publish, dead-letter, log', () => {
    const policy = json(one('aws:iam/rolePolicy:RolePolicy', 'signing-guard-role-policy').inputs['policy']);
    const statements = policy['Statement'] as { Action: string[]; Resource: string[] }[];
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([
      'codebuild:StopBuild',
      'codebuild:StopBuildBatch',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'signer:DescribeSigningJob',
      'signer:ListSigningJobs',
      'signer:RevokeSignature',
      'sns:Publish',
      'sqs:SendMessage',
    ]);
    expect(statements.find((s) => s.Action.includes('codebuild:StopBuild'))?.Resource).toEqual([
      `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/signet-prod-*`,
    ]);
    const trust = json(one('aws:iam/role:Role', 'signing-guard-role').inputs['assumeRolePolicy']);
    expect(JSON.stringify(trust)).toContain('"Service":"lambda.amazonaws.com"');
  });
});
