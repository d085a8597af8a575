import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStackConfig, SIGNING_PROFILE_NAME, STACK_OUTPUT_KEYS } from '@signet/platform';
import { runStackProgram, type RecordedResource, type StackProgramResult } from '@signet/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signerConfig } from './config.js';

const stackDir = join(import.meta.dirname, '..');
const originalCwd = process.cwd();
let workspace: string;

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

async function run(env: string, configOverrides?: Record<string, unknown>): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({ stackDir, env, ...(configOverrides && { configOverrides }) });
}

function profilesOf(result: StackProgramResult): RecordedResource[] {
  return result.recorded.filter((r) => r.type === 'aws:signer/signingProfile:SigningProfile');
}

let dev: StackProgramResult;
let prod: StackProgramResult;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'signet-signer-'));
  writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
  addApp('alpha', ['dev', 'staging', 'prod']);
  addApp('beta', ['prod']);
  // Apps are discovered from the workspace the program runs in.
  process.chdir(workspace);
  dev = await run('dev');
  prod = await run('prod');
});

afterAll(() => {
  process.chdir(originalCwd);
  rmSync(workspace, { recursive: true, force: true });
});

describe('signet-signer', () => {
  it('creates a pipeline identity per app, plus the release identity where configured', () => {
    expect(profilesOf(dev).map((p) => p.inputs['name'])).toEqual(['signet_dev_alpha']);
    expect(profilesOf(prod).map((p) => p.inputs['name'])).toEqual([
      'signet_prod_alpha',
      'signet_prod_alpha_release',
      'signet_prod_beta',
      'signet_prod_beta_release',
    ]);
  });

  it('uses the Notation platform, an explicit validity from config and names Signer accepts', () => {
    for (const profile of profilesOf(prod)) {
      expect(profile.inputs['platformId']).toBe('Notation-OCI-SHA384-ECDSA');
      expect(profile.inputs['signatureValidityPeriod']).toEqual({ value: 24, type: 'MONTHS' });
      expect(profile.inputs['name']).toMatch(SIGNING_PROFILE_NAME);
    }
    expect(profilesOf(dev)[0]?.inputs['signatureValidityPeriod']).toEqual({ value: 6, type: 'MONTHS' });
  });

  it('exports profile ARN, version ARN and name per app and identity, and the trusted identities', () => {
    expect(Object.keys(prod.outputs).sort()).toEqual([...STACK_OUTPUT_KEYS.signer].sort());
    const arnOf = (name: string) => `arn:aws:signer:eu-west-1:123456789012:/signing-profiles/${name}`;
    const profiles = prod.outputs['profiles'] as Record<
      string,
      Record<string, { name: string; arn: string; versionArn: string }>
    >;
    expect(Object.keys(profiles)).toEqual(['alpha', 'beta']);
    expect(Object.keys(profiles['beta'] ?? {})).toEqual(['pipeline', 'release']);
    expect(profiles['alpha']?.['pipeline']).toMatchObject({
      name: 'signet_prod_alpha',
      arn: arnOf('signet_prod_alpha'),
    });
    expect(profiles['alpha']?.['pipeline']?.versionArn).toMatch(
      new RegExp(`^${arnOf('signet_prod_alpha')}/[0-9a-f]+$`),
    );
    expect(prod.outputs['trustedIdentities']).toEqual(
      ['signet_prod_alpha', 'signet_prod_alpha_release', 'signet_prod_beta', 'signet_prod_beta_release'].map(
        arnOf,
      ),
    );
  });

  it('mirrors the AWS Signer plugin in a bucket of its own: KMS, versioned, private, TLS only', () => {
    const of = (type: string) =>
      prod.recorded.filter((r) => r.type === type && r.name.startsWith('signer-plugin-'));
    const [bucket] = of('aws:s3/bucket:Bucket');
    expect(bucket?.inputs['bucket']).toBe('signet-prod-signer-plugin-123456789012-eu-west-1');
    expect(prod.outputs['pluginMirror']).toMatchObject({
      bucketName: 'signet-prod-signer-plugin-123456789012-eu-west-1',
      bucketArn: expect.stringContaining('signet-prod-signer-plugin-'),
      kmsKeyArn: expect.stringMatching(/^arn:aws:kms:/),
    });
    const [encryption] = of(
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
    );
    const [rule] = encryption?.inputs['rules'] as {
      applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId: string };
    }[];
    expect(rule?.applyServerSideEncryptionByDefault.sseAlgorithm).toBe('aws:kms');
    expect(rule?.applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(
      (prod.outputs['pluginMirror'] as { kmsKeyArn: string }).kmsKeyArn,
    );
    expect(of('aws:s3/bucketVersioning:BucketVersioning')[0]?.inputs['versioningConfiguration']).toEqual({
      status: 'Enabled',
    });
    expect(of('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')[0]?.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = JSON.parse(String(of('aws:s3/bucketPolicy:BucketPolicy')[0]?.inputs['policy'])) as {
      Statement: { Sid: string; Condition?: Record<string, Record<string, string | string[]>> }[];
    };
    const exempt = (sid: string) =>
      policy.Statement.find((s) => s.Sid === sid)?.Condition?.['ArnNotLike']?.['aws:PrincipalArn'];
    const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'DenyInsecureTransport',
      'DenyObjectWritesButDeployers',
      'DenyObjectReadsButPluginInstallers',
    ]);
    expect(exempt('DenyObjectWritesButDeployers')).toEqual([
      role('signet-prod-deployer'),
      role('signet-prod-github-deploy'),
    ]);
    // prod promotes: its plugin installers are each app's Promote and ReleaseSigning roles.
    expect(exempt('DenyObjectReadsButPluginInstallers')).toEqual(
      [
        'signet-prod-deployer',
        'signet-prod-github-deploy',
        'signet-prod-alpha-promote',
        'signet-prod-alpha-release',
        'signet-prod-beta-promote',
        'signet-prod-beta-release',
      ].map(role),
    );
    const devPolicy = dev.recorded.find((r) => r.type === 'aws:s3/bucketPolicy:BucketPolicy');
    expect(String(devPolicy?.inputs['policy'])).toContain(role('signet-dev-alpha-sign'));
  });

  it('fails at start on an out-of-range validity or a malformed identity', async () => {
    await expect(run('prod', { 'signet-signer:signatureValidityMonths': 136 })).rejects.toThrow(
      'signet-signer (Pulumi.prod.yaml): key "signet-signer:signatureValidityMonths" has value 136; allowed: an integer from 1 to 135',
    );
    await expect(run('dev', { 'signet-signer:extraIdentities': ['Release'] })).rejects.toThrow(
      'signet-signer (Pulumi.dev.yaml): key "signet-signer:extraIdentities" has value ["Release"]; allowed: a list of identity names',
    );
  });

  it('refuses two identities of one environment with the same profile name', async () => {
    addApp('alpha-release', ['prod']);
    try {
      await expect(run('prod')).rejects.toThrow(
        'signing profile name "signet_prod_alpha_release" is used by both app "alpha" identity "release" and app "alpha-release" identity "pipeline"; names must be unique per environment',
      );
    } finally {
      rmSync(join(workspace, 'apps', 'alpha-release'), { recursive: true });
    }
  });

  it('refuses a profile name longer than Signer allows', async () => {
    const long = `a${'b'.repeat(39)}`;
    addApp(long, ['staging']);
    try {
      await expect(run('staging', { 'signet-signer:extraIdentities': ['release-cand'] })).rejects.toThrow(
        `signing profile name "signet_staging_${long}_release_cand" (app "${long}", identity "release-cand") is 68 characters; allowed: ^[a-zA-Z0-9_]{2,64}$`,
      );
    } finally {
      rmSync(join(workspace, 'apps', long), { recursive: true });
    }
  });

  it('is a Pulumi project that runs the compiled program', () => {
    const project = readFileSync(join(stackDir, 'Pulumi.yaml'), 'utf8');
    expect(project).toMatch(/^name: signet-signer$/m);
    expect(project).toMatch(/^main: dist\/index\.js$/m);
    expect(project).toMatch(/^ {4}typescript: false$/m);
    expect(project).toMatch(/^ {4}packagemanager: pnpm$/m);
  });

  it('documents every config key in docs/stacks.md', () => {
    const docs = readFileSync(join(stackDir, '..', '..', 'docs', 'stacks.md'), 'utf8');
    for (const row of describeStackConfig(signerConfig)) expect(docs).toContain(`\`${row.key}\``);
  });
});
