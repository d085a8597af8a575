import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, GUARDRAIL_SIZE_LIMITS } from '@signet/platform';
import { checkPolicyDocument } from '../plan/iam-catalogue/check.js';
import { runProgram } from '../program.js';
import { captureIo, WORKSPACE_ROOT } from '../test/harness.js';

async function signet(...args: string[]) {
  return signetIn(WORKSPACE_ROOT, ...args);
}

async function signetIn(root: string, ...args: string[]) {
  const io = captureIo();
  let code: number | undefined;
  await runProgram(['node', 'signet', 'guardrails', '--root', root, ...args], io, (c) => {
    code = c;
  });
  return { code, out: io.out, err: io.err };
}

interface Document {
  Version: string;
  Statement: {
    Sid: string;
    Effect: string;
    Action: string[];
    Condition?: Record<string, Record<string, string[]>>;
  }[];
}

describe('signet guardrails', () => {
  it('prints both documents of an environment, exempting the workspace apps’ pipeline and signing roles', async () => {
    const result = await signet('--env', 'prod', '--account', '123456789012');
    expect(result).toMatchObject({ code: 0, err: '' });
    const { scp, boundary } = JSON.parse(result.out) as { scp: Document; boundary: Document };
    const exempt = (doc: Document, sid: string) =>
      doc.Statement.find((s) => s.Sid === sid)?.Condition?.['ArnNotLike']?.['aws:PrincipalArn'];
    // The GitHub deploy role starts the deployer project (docs/operations.md#guardrails).
    expect(exempt(scp, 'DenyBuildsButPipelines')).toEqual([
      'arn:aws:iam::123456789012:role/signet-prod-github-deploy',
      'arn:aws:iam::123456789012:role/signet-prod-hello-server-pipeline',
    ]);
    // Prod signs only in ReleaseSigning; the build signature is dev's.
    expect(exempt(scp, 'DenySigningButSigners')).toEqual([
      'arn:aws:iam::123456789012:role/signet-prod-hello-server-release',
    ]);
    expect(exempt(scp, 'DenyApprovalButApprover')).toEqual([
      'arn:aws:iam::123456789012:role/signet-prod-pipeline-approver',
    ]);
    expect(boundary.Statement.slice(1)).toEqual(scp.Statement);
  });

  it('prints one document compact, within its AWS quota, with actions and keys AWS knows', async () => {
    for (const kind of ['scp', 'boundary'] as const) {
      for (const environment of ENVIRONMENTS) {
        const result = await signet('--env', environment, '--kind', kind);
        expect(result.code, result.err).toBe(0);
        const line = result.out.trimEnd();
        expect(line).not.toContain('\n');
        expect(line.length).toBeLessThanOrEqual(GUARDRAIL_SIZE_LIMITS[kind]);
        const parsed = JSON.parse(line) as Document;
        // The boundary's one Allow is `*` on `*` (a boundary only caps); the catalogue checks
        // named actions, so it reads the Deny statements, the same in both documents.
        const denies = parsed.Statement.filter((s) => s.Effect === 'Deny');
        expect(parsed.Statement.length - denies.length).toBe(kind === 'scp' ? 0 : 1);
        const document = { ...parsed, Statement: denies };
        // The Service Authorization Reference, as the plan's IAM documents are checked.
        const findings = await checkPolicyDocument({
          environment,
          stack: 'guardrails',
          type: kind,
          name: kind,
          path: 'document',
          document,
        });
        expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
      }
    }
  });

  it('refuses an unknown environment, kind or account, naming what is allowed', async () => {
    expect(await signet('--env', 'qa')).toEqual({
      code: 2,
      out: '',
      err: `signet guardrails: --env "qa" is not an environment; allowed: ${ENVIRONMENTS.join(', ')}\n`,
    });
    expect(await signet('--env', 'dev', '--kind', 'rcp')).toEqual({
      code: 2,
      out: '',
      err: 'signet guardrails: --kind "rcp" is not a guardrail kind; allowed: scp, boundary, all\n',
    });
    expect(await signet('--env', 'dev', '--account', '12')).toMatchObject({
      code: 2,
      err: 'signet guardrails: --account "12" is not an account id; allowed: 12 digits\n',
    });
    expect(await signet('--env', 'dev', '--partition', 'aws-cn')).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        'signet guardrails: key "partition" has value "aws-cn"; allowed:',
      ) as unknown,
    });
  });

  it("takes the environment's account from accounts.json, and refuses another --account", async () => {
    const root = mkdtempSync(join(tmpdir(), 'signet-guardrails-'));
    try {
      writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
      const accounts = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
      writeFileSync(join(root, 'accounts.json'), JSON.stringify(accounts));
      const named = await signetIn(root, '--env', 'staging', '--kind', 'scp');
      expect(named).toMatchObject({ code: 0, err: '' });
      expect(named.out).toContain('arn:aws:iam::222222222222:role/signet-staging-deployer');
      expect(named.out).not.toMatch(/iam::(?!222222222222)\d{12}:/);
      expect(await signetIn(root, '--env', 'staging', '--account', '999999999999')).toEqual({
        code: 2,
        out: '',
        err: 'signet guardrails: --account "999999999999" is not the account staging names in accounts.json ("222222222222"); allowed: "222222222222", or leave --account out\n',
      });
      writeFileSync(join(root, 'accounts.json'), JSON.stringify({ ...accounts, prod: 'x' }));
      expect(await signetIn(root, '--env', 'staging')).toMatchObject({
        code: 1,
        err: 'signet guardrails: accounts.json: key "prod" has value "x"; allowed: an AWS account id: 12 digits, as a string\n',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
