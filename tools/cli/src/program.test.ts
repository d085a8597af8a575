import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@signet/platform';
import { CliError, ExitCode } from './io.js';
import { runCommand, runProgram } from './program.js';
import { captureIo } from './test/harness.js';

describe('runCommand: where a failure is printed and becomes the exit code', () => {
  it('passes the exit code of a command that finishes through, printing nothing', async () => {
    const io = captureIo();
    expect(await runCommand('audit', io, () => Promise.resolve(ExitCode.Failure))).toBe(1);
    expect(io.err).toBe('');
  });

  it('prints a CliError under the command name and exits with its code', async () => {
    const io = captureIo();
    const usage = () => Promise.reject(new CliError('--env "qa" is not an environment', ExitCode.Usage));
    expect(await runCommand('audit', io, usage)).toBe(2);
    expect(io.err).toBe('signet audit: --env "qa" is not an environment\n');
    const failed = () => Promise.reject(new CliError('signer:RevokeSignature on job 1: access denied'));
    expect(await runCommand('revoke', io, failed)).toBe(1);
    expect(io.err).toContain('signet revoke: signer:RevokeSignature on job 1: access denied\n');
    expect(io.out).toBe('');
  });

  it('lets any other error through with its stack: it is a bug, not a message for the user', async () => {
    const io = captureIo();
    const bug = new TypeError('cannot read properties of undefined');
    await expect(runCommand('plan', io, () => Promise.reject(bug))).rejects.toBe(bug);
    expect(bug.stack).toContain('program.test.ts');
    expect(io.err).toBe('');
  });
});

describe('runProgram', () => {
  async function signet(...args: string[]) {
    const io = captureIo();
    let code: number | undefined;
    await runProgram(['node', 'signet', ...args], io, (c) => {
      code = c;
    });
    return { code, out: io.out, err: io.err };
  }

  it('exits 2 on a usage error commander reports, 0 on --help', async () => {
    expect(await signet('audit')).toMatchObject({
      code: 2,
      err: expect.stringContaining("error: required option '--env <env>' not specified"),
    });
    expect(await signet('revoke', '--bogus')).toMatchObject({ code: 2 });
    expect(await signet('--help')).toMatchObject({ code: 0, out: expect.stringContaining('decommission') });
  });

  it("runs every command's failure through the same printer", async () => {
    for (const command of ['audit', 'decommission']) {
      expect(await signet(command, '--env', 'qa')).toEqual({
        code: 2,
        out: '',
        err: `signet ${command}: --env "qa" is not an environment; allowed: ${ENVIRONMENTS.join(', ')}\n`,
      });
    }
    expect(await signet('revoke', '--reason', 'x')).toMatchObject({
      code: 2,
      err: 'signet revoke: pass exactly one of --job <id> (revoke one signature) or --profile <name> (revoke a signing profile)\n',
    });
  });
});
