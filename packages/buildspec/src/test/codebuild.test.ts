import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Buildspec } from '../model.js';
import { renderBuildspec } from '../model.js';
import { runBuild } from './codebuild.js';

const root = mkdtempSync(join(tmpdir(), 'signet-codebuild-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

function run(phases: Buildspec['phases'], exported: string[] = [], strict = false) {
  const dir = join(root, String(runs++));
  const spec: Buildspec = { version: '0.2', env: { shell: 'bash', 'exported-variables': exported }, phases };
  return runBuild({
    yaml: renderBuildspec(spec),
    sourceDir: root,
    workDir: dir,
    env: { PATH: '/usr/bin:/bin' },
    strict,
  });
}

describe('the CodeBuild emulation the scenarios rely on', () => {
  it('shares one shell session: variables and the working directory carry over between commands and phases', async () => {
    const result = await run(
      {
        install: { commands: ['cd /', 'X=from-install'] },
        build: { commands: ['[ "$PWD" = / ] && [ "$X" = from-install ]', 'export OUT="$X-$PWD"'] },
      },
      ['OUT'],
    );
    expect(result.succeeded).toBe(true);
    expect(result.exported).toEqual({ OUT: 'from-install-/' });
  });

  it('skips the rest of a phase after a failing command but runs its finally block', async () => {
    const result = await run({
      build: { commands: ['echo one', 'false', 'echo never'], finally: ['echo cleanup'] },
    });
    expect(result.succeeded).toBe(false);
    expect(result.log).toContain('one');
    expect(result.log).toContain('cleanup');
    expect(result.log).not.toMatch(/^never$/m);
  });

  it('runs post_build after a failed build (no on-failure), with CODEBUILD_BUILD_SUCCEEDING=0', async () => {
    const result = await run({
      build: { commands: ['false'] },
      post_build: { commands: ['echo "succeeding=$CODEBUILD_BUILD_SUCCEEDING"'] },
    });
    expect(result.log).toContain('succeeding=0');
    expect(result.phases).toEqual([
      { phase: 'build', succeeded: false },
      { phase: 'post_build', succeeded: true },
    ]);
    expect(result.succeeded).toBe(false);
  });

  it('stops after a failed install or pre_build, and after any phase with on-failure ABORT', async () => {
    const install = await run({ install: { commands: ['false'] }, build: { commands: ['echo built'] } });
    expect(install.phases).toEqual([{ phase: 'install', succeeded: false }]);
    const aborted = await run({
      build: { 'on-failure': 'ABORT', commands: ['false'] },
      post_build: { commands: ['echo post'] },
    });
    expect(aborted.phases).toEqual([{ phase: 'build', succeeded: false }]);
  });

  it('goes on to the next phase with on-failure CONTINUE', async () => {
    const result = await run({
      install: { 'on-failure': 'CONTINUE', commands: ['false'] },
      build: { commands: ['echo built'] },
    });
    expect(result.phases).toEqual([
      { phase: 'install', succeeded: false },
      { phase: 'build', succeeded: true },
    ]);
    expect(result.succeeded).toBe(false);
  });

  it('judges a command by its exit status only, as CodeBuild does, unless run strict', async () => {
    const lenient = await run({ build: { commands: ['false\necho swallowed'] } });
    expect(lenient.succeeded).toBe(true);
    const strict = await run({ build: { commands: ['false\necho swallowed'] } }, [], true);
    expect(strict.succeeded).toBe(false);
  });
});
