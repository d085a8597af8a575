import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployerBuildspec, PRIVATE_ENDPOINT_STACKS } from './deployer.js';
import { renderBuildspec } from './model.js';
import { runBuild } from './test/codebuild.js';

// The deployer's buildspec in real bash, with real git (a local origin with a main branch and a
// side branch), real sha256sum and tar; stand-ins only for what would reach the internet or deploy:
// curl (hands over a local archive), corepack, and pnpm (records each call instead of running it).

const root = mkdtempSync(join(tmpdir(), 'signet-deployer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
const calls = join(root, 'calls.log');
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:signet/prod/pulumi-token-AbCdEf';
let archiveSha = '';
let mainCommit = '';
let sideCommit = '';
let runs = 0;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: '/usr/bin:/bin',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
      HOME: root,
    },
  }).trim();

function script(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

beforeAll(() => {
  mkdirSync(bin, { recursive: true });
  // The archive the stand-in curl hands over: a `pulumi/pulumi` that answers `version`.
  const dist = join(root, 'dist', 'pulumi');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'pulumi'), '#!/usr/bin/env bash\necho v3.200.0\n');
  chmodSync(join(dist, 'pulumi'), 0o755);
  execFileSync('tar', ['-czf', join(root, 'pulumi.tgz'), '-C', join(root, 'dist'), 'pulumi']);
  archiveSha = createHash('sha256')
    .update(readFileSync(join(root, 'pulumi.tgz')))
    .digest('hex');
  script(
    'curl',
    `out=""; while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift 2 ;; *) shift ;; esac; done; cp ${JSON.stringify(join(root, 'pulumi.tgz'))} "$out"`,
  );
  script('corepack', 'true');
  script(
    'pnpm',
    `echo "pnpm $* [env=$SIGNET_ENVIRONMENT token=\${PULUMI_ACCESS_TOKEN:+set}]" >> ${JSON.stringify(calls)}`,
  );
  // origin: main holds one commit; a side branch one more.
  const origin = join(root, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(join(origin, 'README.md'), 'main\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '--quiet', '-m', 'main');
  mainCommit = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '--quiet', '-b', 'side');
  writeFileSync(join(origin, 'README.md'), 'side\n');
  git(origin, 'commit', '--quiet', '-am', 'side');
  sideCommit = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '--quiet', 'main');
});

/** One deployer build of `commit`, as CodeBuild runs it: the source checked out at that commit. */
async function deploy(commit: string, sha256 = archiveSha) {
  const n = runs++;
  const source = join(root, `src-${n}`);
  git(root, 'clone', '--quiet', join(root, 'origin'), source);
  if (/^[0-9a-f]{40}$/.test(commit)) git(source, 'checkout', '--quiet', commit);
  // Only the checked-out commit: CodeBuild's clone does not carry the deploy branch.
  git(source, 'update-ref', '-d', 'refs/remotes/origin/main');
  rmSync(calls, { force: true });
  const spec = deployerBuildspec({
    environment: 'prod',
    pulumiTokenSecretArn: SECRET,
    pulumiCli: { version: '3.200.0', sha256 },
  });
  const result = await runBuild({
    yaml: renderBuildspec(spec),
    sourceDir: source,
    workDir: join(root, `work-${n}`),
    env: {
      ...(spec.env?.variables ?? {}),
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: root,
      CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
      PULUMI_ACCESS_TOKEN: 'from-secrets-manager',
    },
  });
  let recorded = '';
  try {
    recorded = readFileSync(calls, 'utf8');
  } catch {
    recorded = '';
  }
  return { ...result, calls: recorded.trim().split('\n').filter(Boolean) };
}

describe('the deployer buildspec', () => {
  it('installs the pinned Pulumi CLI, then runs up of eks and then signing-pipeline for a commit on main', async () => {
    const result = await deploy(mainCommit);
    expect(result.log).toContain('v3.200.0');
    expect(result.calls).toEqual([
      'pnpm install --frozen-lockfile [env=prod token=set]',
      ...PRIVATE_ENDPOINT_STACKS.map(
        (stack) => `pnpm exec nx run ${stack}:up --configuration=prod [env=prod token=set]`,
      ),
    ]);
    expect(result.succeeded).toBe(true);
  });

  it('deploys nothing from a commit that is not on main', async () => {
    const result = await deploy(sideCommit);
    expect(result.log).toContain(
      `commit ${sideCommit} is not on main; the deployer deploys only what main holds`,
    );
    expect(result.calls).toEqual([]);
    expect(result.succeeded).toBe(false);
  });

  it('deploys nothing from a branch name or a short SHA instead of a full commit SHA', async () => {
    const result = await deploy('main');
    expect(result.log).toContain('source version has value "main"; allowed: a full commit SHA');
    expect(result.calls).toEqual([]);
    expect(result.succeeded).toBe(false);
  });

  it('deploys nothing when the Pulumi archive is not the pinned one', async () => {
    const result = await deploy(mainCommit, 'f'.repeat(64));
    expect(result.log).toMatch(/FAILED/);
    expect(result.calls).toEqual([]);
    expect(result.succeeded).toBe(false);
  });

  it('takes the Pulumi token from Secrets Manager and refuses bad input, naming the field', () => {
    const spec = deployerBuildspec({
      environment: 'dev',
      pulumiTokenSecretArn: SECRET,
      pulumiCli: { version: '3.200.0', sha256: 'a'.repeat(64) },
    });
    expect(spec.env?.['secrets-manager']).toEqual({ PULUMI_ACCESS_TOKEN: SECRET });
    expect(() =>
      deployerBuildspec({
        environment: 'dev',
        pulumiTokenSecretArn: SECRET,
        pulumiCli: { version: 'latest', sha256: 'a'.repeat(64) },
      }),
    ).toThrow('key "pulumiCli.version" has value "latest"; allowed: a Pulumi CLI release such as "3.200.0"');
    expect(() =>
      deployerBuildspec({
        environment: 'dev',
        pulumiTokenSecretArn: 'token',
        pulumiCli: { version: '3.200.0', sha256: 'a'.repeat(64) },
      }),
    ).toThrow('key "pulumiTokenSecretArn" has value "token"');
  });
});
