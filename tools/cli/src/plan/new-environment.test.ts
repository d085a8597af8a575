import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../test/harness.js';
import { copyWorkspace } from '../test/workspace-copy.js';
import type { PlanDocument } from './document.js';

// What docs/architecture.md ("Adding an environment") promises: a new environment is one entry in
// the environments definition, a Pulumi.<env>.yaml per stack and a re-render of the buildspecs (plus
// each app that wants it listing it). This test does exactly that, for `qa`, in a copy of the
// workspace, and plans it with the real planner.

const ENV = 'qa';
const DEFINITIONS = 'packages/core/src/environments.ts';

// Between dev and staging in the promotion order, and unlike both in the traits the plan shows.
const QA_ENTRY = `  {
    name: '${ENV}',
    traits: {
      admissionMayAudit: false,
      minAdmissionReplicas: 2,
      spreadAdmissionAcrossZones: true,
      highlyAvailableVerifier: true,
      manualApprovalByDefault: true,
      vulnerabilityThreshold: 'high',
      rolloutTimeoutSeconds: 450,
      deletionProtectionByDefault: false,
      promotesFrom: 'dev',
      releaseSignature: true,
    },
  },
`;

/** The child processes get a clean environment: nothing of the vitest run that started them. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(NX_|VITEST|npm_package_|npm_lifecycle_)/.test(key)) env[key] = value;
  }
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
}

function run(cwd: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync('pnpm', args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

/** `Pulumi.qa.yaml` of a stack: staging's, with the changes a qa environment would make. */
function qaConfig(root: string, stack: string): string {
  const staging = readFileSync(join(root, 'stacks', stack, 'Pulumi.staging.yaml'), 'utf8');
  const changes: Record<string, [RegExp, string][]> = {
    networking: [[/vpcCidr: .*/, 'vpcCidr: 10.40.0.0/16']],
    // Unset, so the environment's traits decide: deletion protection and the manual approval.
    eks: [
      [/^ {2}signet-eks:deletionProtection: .*\n/m, ''],
      [/kyvernoAdmissionReplicas: .*/, 'kyvernoAdmissionReplicas: 2'],
    ],
    'signing-pipeline': [[/^ {2}signet-signing-pipeline:manualApproval: .*\n/m, '']],
  };
  return (changes[stack] ?? []).reduce((text, [pattern, replacement]) => {
    expect(text, `${stack}/Pulumi.staging.yaml has ${pattern.source}`).toMatch(pattern);
    return text.replace(pattern, replacement);
  }, staging);
}

type PlannedStack = PlanDocument['stacks'][number];

function resourceOf(stack: PlannedStack | undefined, type: string, name: string) {
  const found = stack?.resources.find((r) => r.type === type && r.name === name);
  if (found === undefined) throw new Error(`no ${type} ${name} in the plan of ${stack?.name}`);
  return found;
}

describe(`adding the ${ENV} environment to a copy of the workspace`, { timeout: 20 * 60_000 }, () => {
  let root: string;
  let stacks: string[];
  let rendered: { status: number | null; out: string };
  let planned: { status: number | null; out: string };
  let plan: PlanDocument;

  beforeAll(() => {
    root = copyWorkspace(WORKSPACE_ROOT, 'signet-new-environment-');

    // 1. The one entry: qa after dev in the promotion order.
    const definitions = readFileSync(join(root, DEFINITIONS), 'utf8');
    const staging = "  {\n    name: 'staging',";
    expect(definitions, `${DEFINITIONS} lists staging as an entry`).toContain(staging);
    writeFileSync(join(root, DEFINITIONS), definitions.replace(staging, `${QA_ENTRY}${staging}`));

    // 2. A Pulumi.qa.yaml per stack.
    stacks = readdirSync(join(root, 'stacks')).filter((s) =>
      existsSync(join(root, 'stacks', s, 'Pulumi.yaml')),
    );
    for (const stack of stacks)
      writeFileSync(join(root, 'stacks', stack, `Pulumi.${ENV}.yaml`), qaConfig(root, stack));

    // 3. The app that wants qa lists it, and the buildspecs are rendered again.
    const manifest = join(root, 'apps/hello-server/package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { signet: { environments: string[] } };
    pkg.signet.environments = ['dev', ENV, 'staging', 'prod'];
    writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
    rendered = run(root, ['--filter', '@signet/buildspec', 'render']);

    planned = run(root, ['plan', '--env', ENV, '--json', 'plan.json']);
    if (planned.status === 0)
      plan = JSON.parse(readFileSync(join(root, 'plan.json'), 'utf8')) as PlanDocument;
  }, 20 * 60_000);
  // The copy holds the plan's bundles and compile cache too: thousands of files on a busy disk.
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('renders the buildspecs of the new environment from its traits', () => {
    expect(rendered.status, rendered.out).toBe(0);
    const deployment = readFileSync(
      join(root, `buildspecs/hello-server/${ENV}/application-deployment.yml`),
      'utf8',
    );
    expect(deployment).toContain("--timeout '450s'");
    // qa promotes from dev: no Build of its own, its vulnerability gate runs on the promoted SBOM.
    expect(existsSync(join(root, `buildspecs/hello-server/${ENV}/build.yml`))).toBe(false);
    expect(readFileSync(join(root, `buildspecs/hello-server/${ENV}/promote.yml`), 'utf8')).toContain(
      "--fail-on 'high'",
    );
    expect(
      readFileSync(join(root, `buildspecs/hello-server/${ENV}/verify-container-sign.yml`), 'utf8'),
    ).toContain('--argjson enforce true');
  });

  it('plans all five stacks with pnpm plan', () => {
    expect(planned.status, planned.out).toBe(0);
    expect(plan.environment).toBe(ENV);
    expect(stacks.sort()).toEqual(['ecr', 'eks', 'networking', 'signer', 'signing-pipeline']);
    expect(plan.stacks.map((s) => s.name).sort()).toEqual(stacks);
    for (const stack of plan.stacks) {
      // Its own stacks, and the two reads of a promoting environment: dev's repositories and profiles.
      for (const ref of stack.resources.filter((r) => r.type === 'pulumi:pulumi:StackReference')) {
        expect(
          ref.name.endsWith(`/${ENV}`) ||
            ['signet-ecr/dev', 'signet-signer/dev'].some((s) => ref.name.endsWith(s)),
          ref.name,
        ).toBe(true);
      }
    }
  });

  it('takes what the stacks leave unset from the traits of the new environment', () => {
    const stack = (name: string) => plan.stacks.find((s) => s.name === name);
    const eks = stack('eks');
    expect(resourceOf(eks, 'eks:index:Cluster', 'cluster-eks').inputs['deletionProtection']).toBe(false);
    const kyverno = resourceOf(eks, 'kubernetes:helm.sh/v3:Release', 'kyverno-release').inputs as {
      values: { admissionController: { replicas: number; topologySpreadConstraints?: unknown[] } };
    };
    expect(kyverno.values.admissionController.replicas).toBe(2);
    expect(kyverno.values.admissionController.topologySpreadConstraints?.length).toBeGreaterThan(0);
    const pipeline = resourceOf(
      stack('signing-pipeline'),
      'aws:codepipeline/pipeline:Pipeline',
      'hello-server-pipeline',
    ).inputs as { stages: { name: string }[] };
    expect(pipeline.stages.map((s) => s.name)).toContain('Approval');
    expect(stack('ecr')?.outputs['repositories']).toMatchObject({
      'hello-server': { name: `signet-${ENV}/hello-server` },
    });
  });
});
