import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STAGE_ORDER } from './catalog.js';
import { ENVIRONMENTS } from '@signet/core';
import { ENVIRONMENT_DEFAULTS, inputsFor, type WorkspaceApp } from './defaults.js';
import type { Buildspec } from './model.js';
import { PHASE_ORDER } from './model.js';
import { renderStage } from './render.js';

const app: WorkspaceApp = {
  directory: 'apps/hello-server',
  declaration: {
    name: 'hello-server',
    namespace: 'hello-server',
    port: 8080,
    environments: ['dev', 'staging', 'prod'],
    manifests: 'deploy',
  },
};

/** All commands of a rendered buildspec, in execution order, as one bash session. */
function asScript(yaml: string): string {
  const spec = parse(yaml) as Buildspec;
  const commands = PHASE_ORDER.flatMap((name) => [
    ...(spec.phases[name]?.commands ?? []),
    ...(spec.phases[name]?.finally ?? []),
  ]);
  return ['#!/usr/bin/env bash', ...commands].join('\n') + '\n';
}

function shellcheck(script: string): { status: number | null; output: string; missing: boolean } {
  const run = spawnSync('shellcheck', ['--severity=info', '--shell=bash', '--format=gcc', '-'], {
    input: script,
    encoding: 'utf8',
  });
  const missing = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`, missing };
}

describe('shellcheck on every rendered buildspec', () => {
  it('finds shellcheck installed', () => {
    const probe = shellcheck('#!/usr/bin/env bash\ntrue\n');
    expect(
      probe.missing,
      'shellcheck is not installed: install it (apt-get install shellcheck) to run this test',
    ).toBe(false);
  });

  it('catches an unquoted expansion, so a clean result means something', () => {
    const result = shellcheck('#!/usr/bin/env bash\nrm $TARGET_DIR/x\n');
    expect(result.output).toContain('SC2086');
  });

  for (const environment of ENVIRONMENTS) {
    for (const stage of STAGE_ORDER) {
      it(`${environment} ${stage}: no finding at severity info`, () => {
        const yaml = renderStage(stage, inputsFor(app, environment, ENVIRONMENT_DEFAULTS[environment]));
        const result = shellcheck(asScript(yaml));
        expect(
          result.missing,
          'shellcheck is not installed: install it (apt-get install shellcheck) to run this test',
        ).toBe(false);
        expect(result.output).toBe('');
        expect(result.status).toBe(0);
      });
    }
  }
});
