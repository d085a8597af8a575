import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestsSha256, manifestsSha256Command } from './stages/manifests.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Runs the bash command of the stages in a checkout holding `files` under apps/a/deploy. */
function hashInBash(files: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'signet-manifests-'));
  roots.push(root);
  const folder = 'apps/a/deploy';
  mkdirSync(join(root, folder, 'nested'), { recursive: true });
  for (const [name, content] of Object.entries({ ...files, ...extra }))
    writeFileSync(join(root, folder, name), content);
  // As CodeBuild runs a phase: command after command, stopping at the first that fails.
  const script = [...manifestsSha256Command('H', folder), `printf '%s' "$H"`]
    .map((command) => `${command}\n[[ $? -eq 0 ]] || exit 1`)
    .join('\n');
  const run = spawnSync('bash', ['-c', script], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: root },
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

const FILES = {
  'service.yaml': 'kind: Service\n',
  'deployment.yaml': 'kind: Deployment\n',
  'B.yaml': 'x: 1\n',
};

describe('the manifests hash', () => {
  it('is the same in TypeScript and in the stages’ bash, and ignores what Deploy does not apply', () => {
    const bash = hashInBash(FILES, { 'notes.txt': 'not a manifest\n', 'nested/deep.yaml': 'kind: Pod\n' });
    expect(bash.err).toBe('');
    expect(bash.status).toBe(0);
    expect(bash.out).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bash.out).toBe(manifestsSha256(FILES));
  });

  it('changes when a manifest changes, is added, removed or renamed', () => {
    const base = manifestsSha256(FILES);
    expect(manifestsSha256({ ...FILES, 'service.yaml': 'kind: Service\n# changed\n' })).not.toBe(base);
    expect(manifestsSha256({ ...FILES, 'extra.yaml': '' })).not.toBe(base);
    const { 'B.yaml': _removed, ...fewer } = FILES;
    expect(manifestsSha256(fewer)).not.toBe(base);
    const { 'service.yaml': svc, ...rest } = FILES;
    expect(manifestsSha256({ ...rest, 'svc.yaml': svc })).not.toBe(base);
  });

  it('refuses an empty folder, in bash and in TypeScript, naming the folder', () => {
    const bash = hashInBash({}, { 'readme.md': 'no manifests\n' });
    expect(bash.status).not.toBe(0);
    expect(bash.err).toContain('Cannot hash the manifests in apps/a/deploy: it holds no *.yaml file');
    expect(() => manifestsSha256({})).toThrow('no manifests to hash');
  });

  it('refuses a name it cannot hash the same way in bash', () => {
    expect(() => manifestsSha256({ 'a b.yaml': '' })).toThrow(
      'manifest "a b.yaml" has a name the hash does not accept',
    );
  });
});
