import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStackProgram } from '@signet/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../commands/plan.js';
import { runCommand } from '../program.js';
import { WORKSPACE_ROOT, captureIo } from '../test/harness.js';
import { copyWorkspace } from '../test/workspace-copy.js';
import type { PlanDocument } from './document.js';
import { checkPlanAgainstCatalogue, formatFinding } from './iam-catalogue.js';

// The AWS-recommended layout: every environment in its own account, named once in accounts.json.
// A copy of the workspace gets the file, and the real planner plans dev's ecr stack, all of staging
// and prod's ecr stack: each stack is planned in its environment's account (the mock runtime
// answers getCallerIdentity with it), its provider accepts that account only, and the grants and
// ARNs that cross environments name the account of the environment they belong to.

const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' } as const;
const APP = 'hello-server';

type PlannedStack = PlanDocument['stacks'][number];
type Statement = { Sid?: string; Principal?: unknown; Action?: unknown; Condition?: unknown };

function stackOf(plan: PlanDocument, name: string): PlannedStack {
  const stack = plan.stacks.find((s) => s.name === name);
  if (stack === undefined) throw new Error(`no stack ${name} in the ${plan.environment} plan`);
  return stack;
}

function inputOf(stack: PlannedStack, type: string, name: string): Record<string, unknown> {
  const found = stack.resources.find((r) => r.type === type && r.name === name);
  if (found === undefined) throw new Error(`no ${type} ${name} in the plan of ${stack.name}`);
  return found.inputs;
}

/** Every policy statement of a stack's resources with the given Sid (policies are JSON strings). */
function statementsWithSid(stack: PlannedStack, sid: string): Statement[] {
  return stack.resources.flatMap((r) =>
    Object.values(r.inputs).flatMap((value) => {
      if (typeof value !== 'string' || !value.includes('"Statement"')) return [];
      const document = JSON.parse(value) as { Statement: Statement[] };
      return document.Statement.filter((s) => s.Sid === sid);
    }),
  );
}

/** The account ids in the ARNs of one kind (`repository/signet-dev/`) anywhere in a plan. */
function accountsOf(plan: PlanDocument, pattern: string): Set<string> {
  const text = JSON.stringify(plan);
  const regex = new RegExp(`arn:aws:[a-z]+:[a-z0-9-]*:(\\d{12}):${pattern}`, 'g');
  return new Set([...text.matchAll(regex)].map((m) => m[1] as string));
}

/** The provider's allowedAccountIds, as the mock recorded it (Pulumi passes provider inputs as JSON). */
function allowedAccounts(stack: PlannedStack): unknown {
  const value = inputOf(stack, 'pulumi:providers:aws', 'aws')['allowedAccountIds'];
  return typeof value === 'string' ? JSON.parse(value) : value;
}

describe('environments in three accounts (accounts.json)', { timeout: 20 * 60_000 }, () => {
  let root: string;
  const plans: Record<string, PlanDocument> = {};
  const codes: Record<string, number> = {};
  const io = captureIo();

  beforeAll(async () => {
    root = copyWorkspace(WORKSPACE_ROOT, 'signet-accounts-');
    writeFileSync(join(root, 'accounts.json'), `${JSON.stringify(ACCOUNTS, null, 2)}\n`);
    for (const [env, stack] of [
      ['dev', 'ecr'],
      ['staging', undefined],
      ['prod', 'ecr'],
    ] as const) {
      const json = join(root, `plan-${env}.json`);
      codes[env] = await runCommand('plan', io, () =>
        runPlanCommand({ env, root, json, ...(stack === undefined ? {} : { stack }) }, io),
      );
      if (codes[env] === 0) plans[env] = JSON.parse(readFileSync(json, 'utf8')) as PlanDocument;
    }
  }, 20 * 60_000);
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('plans every stack asked for', () => {
    expect(codes, io.err).toEqual({ dev: 0, staging: 0, prod: 0 });
  });

  it("pins each stack's provider to its environment's account", () => {
    for (const [env, plan] of Object.entries(plans)) {
      for (const stack of plan.stacks) {
        expect(allowedAccounts(stack), `${env} ${stack.name}`).toEqual([
          ACCOUNTS[env as keyof typeof ACCOUNTS],
        ]);
      }
    }
  });

  it("lets the next environment's Promote role, in its account, pull from the repository, and only pull", () => {
    const expected = (to: 'staging' | 'prod') => ({
      Sid: 'PullByPromotingEnvironments',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNTS[to]}:root` },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNTS[to]}:role/signet-${to}-${APP}-promote`] },
      },
    });
    expect(
      statementsWithSid(stackOf(plans['dev'] as PlanDocument, 'ecr'), 'PullByPromotingEnvironments'),
    ).toEqual([expected('staging')]);
    expect(
      statementsWithSid(stackOf(plans['staging'] as PlanDocument, 'ecr'), 'PullByPromotingEnvironments'),
    ).toEqual([expected('prod')]);
    // prod is promoted to by no environment.
    expect(
      statementsWithSid(stackOf(plans['prod'] as PlanDocument, 'ecr'), 'PullByPromotingEnvironments'),
    ).toEqual([]);
    // The repository's own account still pulls, and nobody else gets more.
    const dev = stackOf(plans['dev'] as PlanDocument, 'ecr');
    expect(statementsWithSid(dev, 'PullByThisAccount')).toEqual([
      expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${ACCOUNTS.dev}:root` } }),
    ]);
  });

  it("names dev's account in every ARN of dev's repositories and profiles that staging uses", () => {
    const staging = plans['staging'] as PlanDocument;
    // Promote reads dev's repository; ReleaseSigning, Promote and the cluster verify dev's build signature.
    expect(accountsOf(staging, 'repository/signet-dev/')).toEqual(new Set([ACCOUNTS.dev]));
    expect(accountsOf(staging, '/signing-profiles/signet_dev_')).toEqual(new Set([ACCOUNTS.dev]));
    expect(accountsOf(staging, '/signing-profiles/signet_staging_')).toEqual(new Set([ACCOUNTS.staging]));
    expect(accountsOf(staging, 'repository/signet-staging/')).toEqual(new Set([ACCOUNTS.staging]));
    // The signing jobs of dev's build signatures are dev's (revocation checks name them).
    expect(accountsOf(staging, '/signing-jobs/')).toEqual(new Set([ACCOUNTS.dev, ACCOUNTS.staging]));
    const pipeline = stackOf(staging, 'signing-pipeline');
    expect(statementsWithSid(pipeline, 'ReadPromotionSource')).toEqual([
      expect.objectContaining({
        Resource: [`arn:aws:ecr:eu-west-1:${ACCOUNTS.dev}:repository/signet-dev/${APP}`],
      }),
    ]);
    for (const statement of statementsWithSid(pipeline, 'CheckSignatureRevocation')) {
      expect(JSON.stringify(statement)).toContain(
        `:${ACCOUNTS.dev}:/signing-profiles/signet_dev_hello_server`,
      );
    }
  });

  it("keeps every role's trust in its own account", () => {
    const text = JSON.stringify(plans['staging']);
    const sourceAccounts = new Set(
      [...text.matchAll(/\\"aws:SourceAccount\\":\\"(\d{12})\\"/g)].map((m) => m[1] as string),
    );
    expect(sourceAccounts).toEqual(new Set([ACCOUNTS.staging]));
  });

  it('writes the cross-account grants in actions, resources and condition keys AWS knows', async () => {
    for (const plan of Object.values(plans)) {
      const { findings } = await checkPlanAgainstCatalogue(plan);
      expect(findings.map(formatFinding), plan.environment).toEqual([]);
    }
  });

  it("refuses a stack run with another account's credentials, naming the environment and both accounts", async () => {
    // The mock runtime answering for another account than prod names: what a wrong AWS_PROFILE is
    // under `pulumi up` (where the provider's allowedAccountIds refuses first).
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await expect(
        runStackProgram({
          stackDir: join(WORKSPACE_ROOT, 'stacks', 'ecr'),
          env: 'prod',
          accountId: ACCOUNTS.dev,
        }),
      ).rejects.toThrow(
        `signet-ecr (Pulumi.prod.yaml): environment "prod" runs in AWS account ${ACCOUNTS.prod} (accounts.json), ` +
          `but the credentials are for account ${ACCOUNTS.dev}; use credentials of ${ACCOUNTS.prod}, or correct "prod" in accounts.json`,
      );
    } finally {
      process.chdir(cwd);
    }
  });
});
