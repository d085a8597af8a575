import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStackConfig, STACK_OUTPUT_KEYS } from '@signet/platform';
import { runStackProgram, type RecordedResource, type StackProgramResult } from '@signet/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ecrConfig } from './config.js';

const stackDir = join(import.meta.dirname, '..');
const originalCwd = process.cwd();
let workspace: string;

/** A workspace with two apps: `alpha` everywhere, `beta` in prod only. */
function createWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'signet-ecr-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
  for (const [name, environments] of [
    ['alpha', ['dev', 'staging', 'prod']],
    ['beta', ['prod']],
  ] as const) {
    mkdirSync(join(root, 'apps', name, 'deploy'), { recursive: true });
    writeFileSync(
      join(root, 'apps', name, 'package.json'),
      JSON.stringify({
        name: `@signet/${name}`,
        signet: { name, namespace: name, port: 8080, environments, manifests: 'deploy' },
      }),
    );
  }
  return root;
}

async function run(
  env: string,
  configOverrides?: Record<string, unknown>,
  accountId?: string,
): Promise<StackProgramResult> {
  vi.resetModules();
  return runStackProgram({
    stackDir,
    env,
    ...(configOverrides && { configOverrides }),
    ...(accountId !== undefined && { accountId }),
  });
}

function ofType(result: StackProgramResult, type: string): RecordedResource[] {
  return result.recorded.filter((r) => r.type === type);
}

let dev: StackProgramResult;
let prod: StackProgramResult;

beforeAll(async () => {
  workspace = createWorkspace();
  // Apps are discovered from the workspace the program runs in.
  process.chdir(join(workspace, 'apps'));
  dev = await run('dev');
  prod = await run('prod');
});

afterAll(() => {
  process.chdir(originalCwd);
  rmSync(workspace, { recursive: true, force: true });
});

describe('signet-ecr', () => {
  it('creates one repository per app deployed to the environment', () => {
    const names = (result: StackProgramResult) =>
      ofType(result, 'aws:ecr/repository:Repository').map((r) => r.inputs['name']);
    expect(names(dev)).toEqual(['signet-dev/alpha']);
    expect(names(prod)).toEqual(['signet-prod/alpha', 'signet-prod/beta']);
  });

  it('makes tags immutable, scans on push, encrypts with the rotated customer-managed key and never force-deletes', () => {
    const [key] = ofType(prod, 'aws:kms/key:Key');
    expect(key?.inputs).toMatchObject({ enableKeyRotation: true, keyUsage: 'ENCRYPT_DECRYPT' });
    expect(ofType(prod, 'aws:kms/alias:Alias')[0]?.inputs['name']).toBe('alias/signet-prod-ecr');
    for (const repository of ofType(prod, 'aws:ecr/repository:Repository')) {
      expect(repository.inputs).toMatchObject({
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: key?.state['arn'] }],
        forceDelete: false,
      });
    }
    expect(prod.outputs['kmsKeyArn']).toBe(key?.state['arn']);
  });

  it('never lets the lifecycle policy select signatures or SBOMs (untagged referrers)', () => {
    const policies = ofType(prod, 'aws:ecr/lifecyclePolicy:LifecyclePolicy');
    expect(policies.map((p) => p.inputs['repository'])).toEqual(['signet-prod/alpha', 'signet-prod/beta']);
    for (const policy of policies) {
      const rules = (
        JSON.parse(policy.inputs['policy'] as string) as { rules: { selection: Record<string, unknown> }[] }
      ).rules;
      expect(rules.map((r) => r.selection['tagStatus'])).toEqual(['tagged']);
      expect(rules[0]?.selection['countNumber']).toBe(200);
    }
    const devRules = JSON.parse(
      ofType(dev, 'aws:ecr/lifecyclePolicy:LifecyclePolicy')[0]?.inputs['policy'] as string,
    ) as {
      rules: { selection: Record<string, unknown> }[];
    };
    expect(devRules.rules[0]?.selection['countNumber']).toBe(30);
  });

  it('allows only pull, to the account; denies push to all but the app’s writer roles, and changes to all but the deployers', () => {
    const policies = ofType(prod, 'aws:ecr/repositoryPolicy:RepositoryPolicy');
    expect(policies).toHaveLength(2);
    for (const resource of policies) {
      const app = resource.name.replace(/-policy$/, '');
      const policy = JSON.parse(resource.inputs['policy'] as string) as {
        Statement: {
          Sid: string;
          Effect: string;
          Principal: unknown;
          Action: string[];
          Condition?: unknown;
        }[];
      };
      expect(policy.Statement.filter((s) => s.Effect === 'Allow')).toEqual([
        {
          Sid: 'PullByThisAccount',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        },
      ]);
      const deny = (sid: string) => policy.Statement.find((s) => s.Sid === sid);
      expect(deny('DenyPushButWriters')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['ecr:PutImage', 'ecr:UploadLayerPart']) as unknown,
        Condition: {
          ArnNotLike: {
            'aws:PrincipalArn': [
              // Prod builds nothing: Promote copies the image in, ReleaseSigning adds its signature.
              `arn:aws:iam::123456789012:role/signet-prod-${app}-promote`,
              `arn:aws:iam::123456789012:role/signet-prod-${app}-release`,
            ],
          },
        },
      });
      // The deployer role, and the identity that ran this `up` (the plan's is role/signet-plan).
      expect(deny('DenyChangesButAdministrators')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['ecr:SetRepositoryPolicy', 'ecr:BatchDeleteImage']) as unknown,
        Condition: {
          ArnNotLike: {
            'aws:PrincipalArn': [
              'arn:aws:iam::123456789012:role/signet-prod-deployer',
              'arn:aws:iam::123456789012:role/signet-plan',
            ],
          },
        },
      });
    }
  });

  it('adds configured cross-account pullers and rejects wildcard principals in config', async () => {
    const result = await run('prod', {
      'signet-ecr:extraPullPrincipalArns': ['arn:aws:iam::444455556666:role/nodes'],
    });
    const policy = JSON.parse(
      ofType(result, 'aws:ecr/repositoryPolicy:RepositoryPolicy')[0]?.inputs['policy'] as string,
    ) as {
      Statement: { Principal: { AWS: unknown } }[];
    };
    expect(policy.Statement[1]?.Principal.AWS).toEqual(['arn:aws:iam::444455556666:role/nodes']);
    await expect(run('prod', { 'signet-ecr:extraPullPrincipalArns': ['*'] })).rejects.toThrow(
      'signet-ecr (Pulumi.prod.yaml): key "signet-ecr:extraPullPrincipalArns" has value ["*"]; allowed: a list of IAM role or account root ARNs, without wildcards',
    );
  });

  it('exports exactly the ecr contract, repositories by app name', () => {
    expect(Object.keys(prod.outputs).sort()).toEqual([...STACK_OUTPUT_KEYS.ecr].sort());
    expect(prod.outputs['repositories']).toEqual({
      alpha: {
        name: 'signet-prod/alpha',
        arn: 'arn:aws:ecr:eu-west-1:123456789012:repository/signet-prod/alpha',
        url: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/alpha',
      },
      beta: {
        name: 'signet-prod/beta',
        arn: 'arn:aws:ecr:eu-west-1:123456789012:repository/signet-prod/beta',
        url: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-prod/beta',
      },
    });
  });

  it('fails at start on invalid config or an invalid app declaration', async () => {
    await expect(run('staging', { 'signet-ecr:keepTaggedImages': 0 })).rejects.toThrow(
      'signet-ecr (Pulumi.staging.yaml): key "signet-ecr:keepTaggedImages" has value 0; allowed: an integer from 1 to 10000',
    );
    const manifest = join(workspace, 'apps', 'beta', 'package.json');
    const original = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, original.replace('"port":8080', '"port":0'));
    try {
      await expect(run('prod')).rejects.toThrow(
        'apps/beta/package.json: key "signet.port" has value 0; allowed: an integer from 1024 to 65535',
      );
    } finally {
      writeFileSync(manifest, original);
    }
  });

  it('is a Pulumi project that runs the compiled program', () => {
    const project = readFileSync(join(stackDir, 'Pulumi.yaml'), 'utf8');
    expect(project).toMatch(/^name: signet-ecr$/m);
    expect(project).toMatch(/^main: dist\/index\.js$/m);
    expect(project).toMatch(/^ {4}typescript: false$/m);
    expect(project).toMatch(/^ {4}packagemanager: pnpm$/m);
  });

  it('documents every config key in docs/stacks.md', () => {
    const docs = readFileSync(join(stackDir, '..', '..', 'docs', 'stacks.md'), 'utf8');
    for (const row of describeStackConfig(ecrConfig)) expect(docs).toContain(`\`${row.key}\``);
  });
});

describe('signet-ecr with the environments in their own accounts (accounts.json)', () => {
  const accounts = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
  const accountsFile = () => join(workspace, 'accounts.json');
  beforeAll(() => writeFileSync(accountsFile(), JSON.stringify(accounts)));
  afterAll(() => rmSync(accountsFile(), { force: true }));

  it("refuses to run in another account than the environment's, naming both", async () => {
    await expect(run('staging', undefined, '999999999999')).rejects.toThrow(
      'signet-ecr (Pulumi.staging.yaml): environment "staging" runs in AWS account 222222222222 (accounts.json), ' +
        'but the credentials are for account 999999999999; use credentials of 222222222222, or correct "staging" in accounts.json',
    );
  });

  it('lets the Promote role of the next environment, in its account, pull the apps it deploys', async () => {
    const staging = await run('staging');
    const provider = ofType(staging, 'pulumi:providers:aws')[0]?.inputs['allowedAccountIds'];
    expect(typeof provider === 'string' ? JSON.parse(provider) : provider).toEqual(['222222222222']);
    const policy = ofType(staging, 'aws:ecr/repositoryPolicy:RepositoryPolicy').map(
      (r) => JSON.parse(r.inputs['policy'] as string) as { Statement: { Sid: string }[] },
    );
    expect(policy).toHaveLength(1);
    expect(policy[0]?.Statement).toContainEqual({
      Sid: 'PullByPromotingEnvironments',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::333333333333:root' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::333333333333:role/signet-prod-alpha-promote'] },
      },
    });
  });

  it('fails at start on an accounts.json that does not name an account per environment', async () => {
    writeFileSync(accountsFile(), JSON.stringify({ ...accounts, prod: '3333' }));
    try {
      await expect(run('dev')).rejects.toThrow(
        'accounts.json: key "prod" has value "3333"; allowed: an AWS account id: 12 digits, as a string',
      );
    } finally {
      writeFileSync(accountsFile(), JSON.stringify(accounts));
    }
  });
});
