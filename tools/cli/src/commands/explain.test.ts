import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../io.js';
import { runCommand } from '../program.js';
import { captureIo, scratchWorkspace } from '../test/harness.js';
import { runExplainCommand, type ExplainCommandOptions } from './explain.js';

const SLOW = { timeout: 600_000 };

function explain(options: ExplainCommandOptions) {
  const io = captureIo();
  return runCommand('explain', io, () => runExplainCommand(options, io)).then((code) => ({ code, ...io }));
}

describe('signet explain', () => {
  const ws = scratchWorkspace('good');
  afterAll(() => ws.remove());

  it('writes the trust map to --out, naming at its top the command that regenerates it', SLOW, async () => {
    const run = await explain({ env: 'dev', root: ws.root, cwd: ws.root, out: 'trust.md' });
    expect(run.code, run.err).toBe(ExitCode.Ok);
    const text = readFileSync(join(ws.root, 'trust.md'), 'utf8');
    expect(text.split('\n')[0]).toBe(
      '<!-- Generated from the plan by `pnpm signet explain --env dev --out trust.md`: do not edit. -->',
    );
    expect(text).toContain('# Trust map of `dev`');
    expect(text).toContain('```mermaid\nflowchart LR');
    expect(run.out).toBe('');
    expect(run.err).toContain(`wrote ${join(ws.root, 'trust.md')}`);
  });

  it('prints it on stdout without --out, and refuses an unknown environment', SLOW, async () => {
    const run = await explain({ env: 'dev', root: ws.root, cwd: ws.root });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.out).toMatch(/^# Trust map of `dev`/);
    const unknown = await explain({ env: 'qa', root: ws.root, cwd: ws.root });
    expect(unknown.code).toBe(ExitCode.Usage);
    expect(unknown.err).toContain('signet explain: unknown environment "qa"; allowed: dev');
  });
});
