import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPlanCommand } from '../commands/plan.js';
import { runCommand } from '../program.js';
import { WORKSPACE_ROOT, captureIo } from '../test/harness.js';
import type { PlanDocument } from './document.js';
import { discoverStacks, orderStacks } from './workspace.js';

// The real stacks of this repository, planned for dev exactly as `pnpm plan --env dev` does.
describe('signet plan --env dev on the real stacks', () => {
  const out = mkdtempSync(join(tmpdir(), 'signet-plan-'));
  const io = captureIo();
  let code: number | undefined;
  let plan: PlanDocument;

  beforeAll(async () => {
    code = await runCommand('plan', io, () =>
      runPlanCommand({ env: 'dev', root: WORKSPACE_ROOT, json: join(out, 'plan.json') }, io),
    );
    plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PlanDocument;
  }, 900_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('plans every existing stack, in dependency order', () => {
    expect(io.err).not.toContain('signet plan:');
    expect(code).toBe(0);
    const expected = orderStacks(discoverStacks(WORKSPACE_ROOT)).map((s) => s.name);
    expect(expected).toContain('networking');
    expect(plan.stacks.map((s) => s.name)).toEqual(expected);
    for (const stack of plan.stacks) expect(stack.project).toBe(`signet-${stack.name}`);
  });

  it('references only stacks planned before, in the same environment', () => {
    const planned: string[] = [];
    for (const stack of plan.stacks) {
      for (const ref of stack.resources.filter((r) => r.type === 'pulumi:pulumi:StackReference')) {
        const [, project, env] = ref.name.split('/');
        expect(env).toBe('dev');
        expect(planned).toContain(project);
      }
      planned.push(stack.project);
    }
  });

  it("builds the networking VPC from the environment's config", () => {
    const config = parse(readFileSync(join(WORKSPACE_ROOT, 'stacks/networking/Pulumi.dev.yaml'), 'utf8')) as {
      config: Record<string, unknown>;
    };
    const networking = plan.stacks.find((s) => s.name === 'networking');
    const vpc = networking?.resources.find((r) => r.type === 'aws:ec2/vpc:Vpc');
    expect(vpc?.inputs['cidrBlock']).toBe(config.config['signet-networking:vpcCidr']);
    expect(networking?.outputs['vpcId']).toMatch(/^vpc-[0-9a-f]{17}$/);
  });
});
