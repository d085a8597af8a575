import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../io.js';
import type { PlanDocument } from '../plan/document.js';
import { runCommand } from '../program.js';
import { captureIo, CLI_ROOT, scratchWorkspace } from '../test/harness.js';
import { runPlanCommand, type PlanCommandOptions } from './plan.js';

// Each plan starts a Node process per stack; a busy machine makes that minutes.
const SLOW = { timeout: 600_000 };

function signetPlan(options: PlanCommandOptions) {
  const io = captureIo();
  return runCommand('plan', io, () => runPlanCommand(options, io)).then((code) => ({ code, ...io }));
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('signet plan --base', () => {
  const ws = scratchWorkspace('good');
  const alpha = join(ws.root, 'stacks/alpha/src/index.ts');
  let basePlanFile: string;

  beforeAll(async () => {
    // The fixture as a repository whose own `pnpm plan` is this CLI, as the workspace's is.
    writeFileSync(
      join(ws.root, 'package.json'),
      JSON.stringify({
        name: 'fixture',
        private: true,
        scripts: { plan: `node --conditions=development --import tsx ${join(CLI_ROOT, 'src/bin.ts')} plan` },
      }),
    );
    writeFileSync(join(ws.root, 'pnpm-workspace.yaml'), 'packages: []\n');
    writeFileSync(join(ws.root, '.gitignore'), '.plan/\nout/\n');
    git(ws.root, 'init', '-q', '-b', 'main');
    git(ws.root, 'add', '-A');
    git(ws.root, '-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', 'commit', '-q', '-m', 'base');
    const saved = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, json: 'out/base.json' });
    expect(saved.code).toBe(ExitCode.Ok);
    basePlanFile = join(ws.root, 'out/base.json');
    // The change under review: the key's rotation turned off and the VPC retagged.
    writeFileSync(
      alpha,
      readFileSync(alpha, 'utf8')
        .replace('enableKeyRotation: true', 'enableKeyRotation: false')
        .replace("tags: { Name: 'alpha' }", "tags: { Name: 'alpha-2' }"),
    );
  }, 600_000);
  afterAll(() => ws.remove());

  it('plans a git ref in a worktree of its own, prints what changed and exits 3', SLOW, async () => {
    const run = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, base: 'main' });
    expect(run.err).not.toContain('signet plan:');
    expect(run.code).toBe(ExitCode.Changes);
    const sha = git(ws.root, 'rev-parse', '--short=7', 'main');
    expect(run.out).toContain(`plan dev against main (${sha}): 0 to add, 2 to change, 0 to remove`);
    expect(run.out).toContain('~ alpha: aws:kms/key:Key "alpha-key"');
    expect(run.out).toContain('enableKeyRotation: true → false');
    expect(run.out).toContain('tags.Name: "alpha" → "alpha-2"');
    // The worktree is gone, and git no longer knows it.
    expect(readdirSync(join(ws.root, '.plan'))).toEqual([]);
    expect(git(ws.root, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it(
    'compares with a saved plan, writes the Markdown comment, and exits 0 when nothing changed',
    SLOW,
    async () => {
      const changed = await signetPlan({
        env: 'dev',
        root: ws.root,
        cwd: ws.root,
        base: 'out/base.json',
        format: 'markdown',
        diffOut: 'out/comment.md',
        json: 'out/head.json',
      });
      expect(changed.code).toBe(ExitCode.Changes);
      const comment = readFileSync(join(ws.root, 'out/comment.md'), 'utf8');
      expect(comment).toBe(changed.out);
      expect(comment).toContain('### Plan of `dev` against `out/base.json`');
      // Neither key rotation nor a tag is an IAM, admission or exposure change.
      expect(comment).toContain('No security-relevant change');

      const same = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, base: 'out/head.json' });
      expect(same.code).toBe(ExitCode.Ok);
      expect(same.out).toBe('plan dev against out/head.json: no changes\n');
    },
  );

  it('refuses a base that is neither a plan nor a commit, a plan of another environment, and a broken file', async () => {
    const unknown = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, base: 'no-such-branch' });
    expect(unknown.code).toBe(ExitCode.Usage);
    expect(unknown.err).toContain(
      'signet plan: --base "no-such-branch" is neither a plan file nor a commit of the repository at',
    );

    const staging: PlanDocument = {
      ...(JSON.parse(readFileSync(basePlanFile, 'utf8')) as PlanDocument),
      environment: 'staging',
    };
    writeFileSync(join(ws.root, 'out/staging.json'), JSON.stringify(staging));
    const other = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, base: 'out/staging.json' });
    expect(other.code).toBe(ExitCode.Usage);
    expect(other.err).toContain('--base out/staging.json is a plan of "staging", not of "dev"');

    writeFileSync(
      join(ws.root, 'out/broken.json'),
      '{"environment":"dev","stacks":[{"name":"a","resources":[{}]}]}',
    );
    const broken = await signetPlan({ env: 'dev', root: ws.root, cwd: ws.root, base: 'out/broken.json' });
    expect(broken.code).toBe(ExitCode.Usage);
    expect(broken.err).toContain('--base out/broken.json: stacks[0].resources[0] is not a resource');

    const format = await signetPlan({
      env: 'dev',
      root: ws.root,
      cwd: ws.root,
      base: 'out/base.json',
      format: 'html',
    });
    expect(format.code).toBe(ExitCode.Usage);
    expect(format.err).toContain('--format "html" is not allowed; allowed: text, markdown');
    expect(existsSync(join(ws.root, 'out/comment.html'))).toBe(false);
  });
});
