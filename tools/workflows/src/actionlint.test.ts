import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTestEngine } from '@signet/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runActionlint, workflowFiles } from './workflows.js';

const actionlint = requireTestEngine('actionlint');
const shellcheck = requireTestEngine('shellcheck');

const scratch = mkdtempSync(join(tmpdir(), 'signet-workflows-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lints one workflow written to a scratch repository's .github/workflows. */
function lintScratch(name: string, yaml: string) {
  const dir = join(scratch, name, '.github', 'workflows');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'check.yml');
  writeFileSync(file, yaml);
  return runActionlint(actionlint, shellcheck, [file], join(scratch, name));
}

const job = (steps: string) =>
  [
    'on: push',
    'permissions: {}',
    'jobs:',
    '  check:',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    steps,
    '',
  ].join('\n');

describe('actionlint', () => {
  it('passes the workflows in .github/workflows, shellcheck included', () => {
    const run = runActionlint(actionlint, shellcheck, workflowFiles());
    expect(run.report).toBe('');
    expect(run.status).toBe(0);
  });

  // Without shellcheck actionlint skips run: scripts silently, and the test above would pass unchecked.
  it('checks run: scripts with the provisioned shellcheck', () => {
    const run = lintScratch('shellcheck', job('      - run: rm -rf $BUILD_DIR/out'));
    expect(run.status).toBe(1);
    expect(run.findings).toEqual([
      expect.objectContaining({ kind: 'shellcheck', line: 7, message: expect.stringContaining('SC2086') }),
    ]);
  });

  it('reports an unknown key, naming it', () => {
    const run = lintScratch('unknown-key', job('      - run: echo ok\n        shell-name: bash'));
    expect(run.status).toBe(1);
    expect(run.findings).toEqual([
      expect.objectContaining({
        kind: 'syntax-check',
        line: 8,
        message: expect.stringContaining('"shell-name"'),
      }),
    ]);
  });
});
