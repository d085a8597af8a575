import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAppOnDisk } from '@signet/workspace-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../commands/plan.js';
import { runCommand } from '../program.js';
import { WORKSPACE_ROOT, captureIo } from '../test/harness.js';
import { copyWorkspace } from '../test/workspace-copy.js';
import type { PlanDocument } from './document.js';
import { discoverStacks } from './workspace.js';

// The signing-pipeline stack divided by app (its package.json's signet.appsPerPlanProcess): a copy
// of the workspace with three apps is planned in dev (which builds, so a per-app output map is not
// empty) by one process, then by three (one app each), twice. The division must change nothing
// but the order of the resources, and that order must not change between runs.

const STACK = 'signing-pipeline';
const ENV = 'dev';

type PlannedStack = PlanDocument['stacks'][number];

const canonical = (stack: PlannedStack): string[] => stack.resources.map((r) => JSON.stringify(r)).sort();

function setAppsPerProcess(root: string, value: unknown): void {
  const file = join(root, 'stacks', STACK, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { signet?: Record<string, unknown> };
  if (value === undefined) delete pkg.signet;
  else pkg.signet = { appsPerPlanProcess: value };
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}

describe(`the ${STACK} stack planned by app`, { timeout: 20 * 60_000 }, () => {
  let root: string;
  let scratch: string;
  const io = captureIo();
  const codes: Record<string, number> = {};
  const plans: Record<string, PlanDocument> = {};
  const texts: Record<string, string> = {};
  const progress: Record<string, string> = {};

  const plan = async (run: string): Promise<void> => {
    const json = join(scratch, `${run}.json`);
    const runIo = captureIo();
    codes[run] = await runCommand('plan', runIo, () =>
      runPlanCommand({ env: ENV, root, json, stack: STACK }, runIo),
    );
    io.err += runIo.err;
    progress[run] = runIo.err;
    if (codes[run] === 0) {
      texts[run] = readFileSync(json, 'utf8');
      plans[run] = JSON.parse(texts[run]) as PlanDocument;
    }
  };

  const stackOf = (run: string): PlannedStack => {
    const found = plans[run]?.stacks.find((s) => s.name === STACK);
    if (found === undefined)
      throw new Error(`run ${run} did not plan ${STACK} (exit ${codes[run]}):\n${io.err}`);
    return found;
  };

  beforeAll(async () => {
    root = copyWorkspace(WORKSPACE_ROOT, 'signet-shares-');
    scratch = mkdtempSync(join(tmpdir(), 'signet-shares-out-'));
    for (const name of ['share-app-two', 'share-app-three']) {
      await generateAppOnDisk(root, { name, environments: 'dev,staging,prod' });
    }
    setAppsPerProcess(root, undefined);
    await plan('one-process');
    setAppsPerProcess(root, 1);
    await plan('by-app');
    await plan('by-app-again');
  }, 20 * 60_000);

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('plans every resource and output of the one-process plan, each once', () => {
    const one = stackOf('one-process');
    const divided = stackOf('by-app');
    expect(progress['one-process']).toMatch(new RegExp(`\\] ${STACK}: \\d+ resources \\([\\d.]+s\\)\\n`));
    expect(progress['by-app']).toMatch(
      new RegExp(`\\] ${STACK}: \\d+ resources \\([\\d.]+s by 3 processes\\)\\n`),
    );
    expect(divided.resources.length).toBe(one.resources.length);
    expect(canonical(divided)).toEqual(canonical(one));
    expect(divided.outputs).toEqual(one.outputs);
    // Each app's pipeline is there, from the process of its own share.
    expect(Object.keys(divided.outputs['pipelineNames'] as object).sort()).toEqual([
      'hello-server',
      'share-app-three',
      'share-app-two',
    ]);
    expect(Object.keys(divided.outputs['sourceRepositories'] as object)).toHaveLength(3);
  });

  it('writes byte-identical JSON on two runs', () => {
    expect(codes['by-app-again']).toBe(0);
    expect(texts['by-app-again']).toBe(texts['by-app']);
  });

  it('refuses a program that does not read its share, naming the key and the function', async () => {
    const program = join(root, 'stacks', STACK, 'src', 'index.ts');
    const source = readFileSync(program, 'utf8');
    expect(source).toContain('appsToCreate(appsForEnvironment(');
    writeFileSync(
      program,
      source.replace('appsToCreate(appsForEnvironment(', '((a) => a)(appsForEnvironment('),
    );
    try {
      const runIo = captureIo();
      const code = await runCommand('plan', runIo, () =>
        runPlanCommand({ env: ENV, root, stack: STACK }, runIo),
      );
      expect(code).not.toBe(0);
      expect(runIo.err).toContain(
        `stack ${STACK}: stacks/${STACK}/package.json sets signet.appsPerPlanProcess, but its program does not read its share of the apps with appsToCreate`,
      );
    } finally {
      writeFileSync(program, source);
    }
  });

  it('refuses a share size that is not a whole number of at least 1', () => {
    for (const bad of [0, 2.5, '16']) {
      setAppsPerProcess(root, bad);
      expect(() => discoverStacks(root)).toThrow(
        `${join(root, 'stacks', STACK, 'package.json')}: signet.appsPerPlanProcess is ${JSON.stringify(bad)}; allowed: a whole number of at least 1`,
      );
    }
    setAppsPerProcess(root, 1);
  });
});
