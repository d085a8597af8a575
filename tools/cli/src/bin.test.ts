import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, fixtureWorkspace } from './test/harness.js';

/** Runs the installed `signet` launcher as a user would. */
function signet(...args: string[]) {
  const result = spawnSync(process.execPath, [join(CLI_ROOT, 'bin/signet.js'), ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the signet launcher', () => {
  it('exits 2 with the message on an unknown environment', { timeout: 60_000 }, () => {
    const result = signet('plan', '--env', 'qa', '--root', fixtureWorkspace('good'));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('signet plan: unknown environment "qa"; allowed: dev, staging\n');
    expect(result.stdout).toBe('');
  });

  it('exits 2 when --env is missing, saying so', { timeout: 60_000 }, () => {
    const result = signet('plan');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: required option '--env <env>' not specified");
  });

  it('lists plan among its commands', { timeout: 60_000 }, () => {
    const result = signet('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/plan \[options\]\s+evaluate an environment's stacks/);
  });
});
