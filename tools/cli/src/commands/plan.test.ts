import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../io.js';
import type { PlanDocument } from '../plan/document.js';
import { runCommand } from '../program.js';
import { captureIo, fixtureWorkspace, scratchWorkspace } from '../test/harness.js';
import { runPlanCommand, type PlanCommandOptions } from './plan.js';

// Each stack is a Node process loading the Pulumi SDK: seconds each, more on a busy machine.
const SLOW = { timeout: 300_000 };

/** Runs `signet plan` as the program does: a failure is printed and becomes the exit code. */
function signetPlan(options: PlanCommandOptions, io: CommandIo): Promise<number> {
  return runCommand('plan', io, () => runPlanCommand(options, io));
}

function readPlan(file: string): PlanDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as PlanDocument;
}

describe('signet plan on the fixture workspace', () => {
  const ws = scratchWorkspace('good');
  const io = captureIo();
  let code: number | undefined;
  let second: number | undefined;

  beforeAll(async () => {
    code = await signetPlan(
      { env: 'dev', root: ws.root, json: 'out/plan.json', cwd: ws.root, concurrency: 1 },
      io,
    );
    // alpha and gamma are independent: the second run plans them side by side.
    second = await signetPlan(
      { env: 'dev', root: ws.root, json: 'again.json', cwd: ws.root, concurrency: 2 },
      captureIo(),
    );
  }, 600_000);
  afterAll(() => ws.remove());

  it('plans every stack in dependency order and writes the documented JSON shape', () => {
    expect(io.err).not.toContain('signet plan:');
    expect(code).toBe(0);
    const plan = readPlan(join(ws.root, 'out/plan.json'));
    expect(Object.keys(plan)).toEqual(['environment', 'stacks']);
    expect(plan.environment).toBe('dev');
    expect(plan.stacks.map((s) => [s.name, s.project])).toEqual([
      ['alpha', 'signet-alpha'],
      ['beta', 'signet-beta'],
      ['gamma', 'signet-gamma'],
    ]);
    for (const s of plan.stacks) {
      expect(Object.keys(s)).toEqual(['name', 'project', 'resources', 'outputs']);
      for (const r of s.resources) expect(Object.keys(r)).toEqual(['type', 'name', 'inputs']);
    }
    expect(plan.stacks[0]?.resources.map((r) => [r.type, r.name])).toEqual([
      ['aws:kms/key:Key', 'alpha-key'],
      ['aws:ec2/vpc:Vpc', 'alpha-vpc'],
      ['aws:ssm/parameter:Parameter', 'alpha-token'],
    ]);
  });

  it("answers a consumer's StackReference with what its upstream produced in the same plan", () => {
    const [alpha, beta] = readPlan(join(ws.root, 'out/plan.json')).stacks;
    const sg = beta?.resources.find((r) => r.type === 'aws:ec2/securityGroup:SecurityGroup');
    expect(alpha?.outputs['vpcId']).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(sg?.inputs['vpcId']).toBe(alpha?.outputs['vpcId']);
    expect(sg?.inputs['ingress']).toMatchObject([{ cidrBlocks: ['10.40.0.0/16'], fromPort: 443 }]);
  });

  it("derives placeholders from each stack's region and partition", () => {
    const gamma = readPlan(join(ws.root, 'out/plan.json')).stacks[2];
    expect(gamma?.outputs).toEqual({
      repositoryArn: 'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/gamma',
      repositoryUrl: '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/gamma',
    });
  });

  it('renders secrets as "[secret]", also when they travel to a consumer', () => {
    const text = readFileSync(join(ws.root, 'out/plan.json'), 'utf8');
    expect(text).not.toContain('alpha-output-secret');
    expect(text).not.toContain('alpha-input-secret');
    const [alpha, beta] = readPlan(join(ws.root, 'out/plan.json')).stacks;
    expect(alpha?.outputs['adminToken']).toBe('[secret]');
    expect(beta?.outputs['upstreamToken']).toBe('[secret]');
    expect(alpha?.resources.find((r) => r.name === 'alpha-token')?.inputs['value']).toBe('[secret]');
    expect(io.out).not.toContain('alpha-output-secret');
  });

  it('gives byte-identical JSON on two runs, sequential or concurrent', () => {
    expect(second).toBe(0);
    expect(readFileSync(join(ws.root, 'again.json'), 'utf8')).toBe(
      readFileSync(join(ws.root, 'out/plan.json'), 'utf8'),
    );
  });

  it('prints a summary by type with key properties and outputs, and progress on stderr', () => {
    expect(io.out).toContain('Plan for environment dev: 3 stack(s), 7 resources');
    expect(io.out).toContain('alpha (signet-alpha): 3 resources');
    expect(io.out).toMatch(/aws:ec2\/vpc:Vpc ×1\n\s+alpha-vpc\s+cidrBlock=10\.40\.0\.0\/16/);
    expect(io.out).toMatch(/gamma-repo\s+name=gamma imageTagMutability=IMMUTABLE/);
    expect(io.out).toContain('    adminToken: [secret]');
    expect(io.err).toMatch(/\[1\/3\] alpha: 3 resources/);
    expect(io.err).toContain('  gamma| gamma: one repository\n');
    expect(io.out).not.toContain('one repository');
    expect(io.err).toContain(`wrote ${join(ws.root, 'out/plan.json')}`);
  });
});

describe('signet plan --stack', () => {
  const ws = scratchWorkspace('good');
  afterAll(() => ws.remove());

  it('plans the upstreams first but reports only the stack asked for', SLOW, async () => {
    const io = captureIo();
    const code = await signetPlan(
      { env: 'dev', root: ws.root, stack: 'beta', json: 'beta.json', cwd: ws.root },
      io,
    );
    expect(code).toBe(0);
    const plan = readPlan(join(ws.root, 'beta.json'));
    expect(plan.stacks.map((s) => s.name)).toEqual(['beta']);
    expect(plan.stacks[0]?.outputs['upstreamVpcId']).toMatch(/^vpc-/);
    expect(io.err).toContain('planning upstream stack(s) alpha first, for their outputs only');
    expect(io.err).not.toContain('gamma');
    expect(io.out).not.toContain('alpha (signet-alpha)');
  });
});

describe('signet plan failures: message, exit code, no JSON', () => {
  const scratch: { remove(): void }[] = [];
  afterEach(() => {
    scratch.splice(0).forEach((s) => s.remove());
  });
  function workspace(): string {
    const ws = scratchWorkspace('good');
    scratch.push(ws);
    return ws.root;
  }
  function expectNoJson(root: string): void {
    expect(readdirSync(root).filter((f) => f.includes('plan.json'))).toEqual([]);
    expect(existsSync(join(root, 'plan.json'))).toBe(false);
  }

  it('refuses an unknown environment, naming the allowed ones', async () => {
    const root = fixtureWorkspace('good');
    const io = captureIo();
    const code = await signetPlan({ env: 'qa', root, json: 'plan.json', cwd: root }, io);
    expect(code).toBe(2);
    expect(io.err).toBe('signet plan: unknown environment "qa"; allowed: dev, staging\n');
    expect(io.out).toBe('');
    expectNoJson(root);
  });

  it('refuses a --concurrency that is not a positive integer', async () => {
    const root = fixtureWorkspace('good');
    const io = captureIo();
    expect(await signetPlan({ env: 'dev', root, concurrency: '0', json: 'plan.json', cwd: root }, io)).toBe(
      2,
    );
    expect(io.err).toBe('signet plan: --concurrency must be a positive integer, got "0"\n');
    expectNoJson(root);
  });

  it('refuses an unknown --stack, naming the stacks', async () => {
    const root = fixtureWorkspace('good');
    const io = captureIo();
    expect(await signetPlan({ env: 'dev', root, stack: 'delta', json: 'plan.json', cwd: root }, io)).toBe(2);
    expect(io.err).toBe('signet plan: unknown stack "delta"; stacks: alpha, beta, gamma\n');
    expectNoJson(root);
  });

  it('fails naming the missing Pulumi.<env>.yaml of a stack', SLOW, async () => {
    const root = workspace();
    const io = captureIo();
    // gamma has staging config, alpha and beta do not.
    expect(await signetPlan({ env: 'staging', root, json: 'plan.json', cwd: root }, io)).toBe(1);
    expect(io.err).toContain(
      `signet plan: stack alpha (signet-alpha, staging): ${join(root, 'stacks/alpha/Pulumi.staging.yaml')} does not exist`,
    );
    expectNoJson(root);
  });

  it("reports the stack's config validation message naming file, key and value", SLOW, async () => {
    const root = workspace();
    writeFileSync(
      join(root, 'stacks/beta/Pulumi.dev.yaml'),
      'config:\n  aws:region: eu-west-1\n  signet-beta:port: 70000\n',
    );
    const io = captureIo();
    const code = await signetPlan({ env: 'dev', root, stack: 'beta', json: 'plan.json', cwd: root }, io);
    expect(code).toBe(1);
    expect(io.err).toContain(
      'signet plan: stack beta (signet-beta, dev): signet-beta (Pulumi.dev.yaml): key "signet-beta:port" has value 70000; allowed: a TCP port from 1 to 65535',
    );
    expect(io.out).toBe('');
    expectNoJson(root);
  });

  it('names consumer, upstream and key when a required output is not exported', SLOW, async () => {
    const root = workspace();
    const program = join(root, 'stacks/beta/src/index.ts');
    writeFileSync(
      program,
      readFileSync(program, 'utf8').replace("requireOutput('vpcCidr')", "requireOutput('privateSubnetIds')"),
    );
    const io = captureIo();
    const code = await signetPlan({ env: 'dev', root, stack: 'beta', json: 'plan.json', cwd: root }, io);
    expect(code).toBe(1);
    expect(io.err).toContain(
      'signet plan: stack beta requires output "privateSubnetIds" from stack alpha (organization/signet-alpha/dev), which does not export it\n',
    );
    expect(io.out).toBe('');
    expectNoJson(root);
  });

  it('tells a consumer to declare the upstream it references', SLOW, async () => {
    const root = workspace();
    writeFileSync(join(root, 'stacks/beta/package.json'), '{ "private": true, "type": "module" }\n');
    const io = captureIo();
    expect(await signetPlan({ env: 'dev', root, stack: 'beta', json: 'plan.json', cwd: root }, io)).toBe(1);
    expect(io.err).toContain(
      'stack reference "organization/signet-alpha/dev" is not available: stacks/beta/package.json must list "stack-alpha" in nx.implicitDependencies',
    );
    expectNoJson(root);
  });

  it('names a reference to another environment that was not planned first', SLOW, async () => {
    const root = workspace();
    // gamma of staging reads alpha of dev: nothing predicts it, so nothing planned it first.
    writeFileSync(
      join(root, 'stacks/gamma/src/index.ts'),
      "import * as pulumi from '@pulumi/pulumi';\n" +
        "export const vpcId = new pulumi.StackReference('organization/signet-alpha/dev').requireOutput('vpcId');\n",
    );
    const io = captureIo();
    const code = await signetPlan({ env: 'staging', root, stack: 'gamma', json: 'plan.json', cwd: root }, io);
    expect(code).toBe(1);
    expect(io.err).toContain(
      'signet plan: stack gamma (signet-gamma, staging) references "organization/signet-alpha/dev", a stack of ' +
        'another environment that was not planned first: before a stack of staging, the plan plans the other ' +
        "environments' stacks that promotionUpstreamStacks (@signet/platform/promotion-stacks) names for staging",
    );
    expectNoJson(root);
  });

  it('reports a crashed stack process with its exit code and output', SLOW, async () => {
    const root = workspace();
    writeFileSync(
      join(root, 'stacks/gamma/src/index.ts'),
      "console.error('gamma fell over');\nprocess.exit(7);\n",
    );
    const io = captureIo();
    expect(await signetPlan({ env: 'dev', root, stack: 'gamma', json: 'plan.json', cwd: root }, io)).toBe(1);
    expect(io.err).toContain(
      'signet plan: stack gamma: the plan process crashed (exit code 7):\ngamma fell over',
    );
    expectNoJson(root);
  });
});
