import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Buildspec } from './model.js';
import { renderBuildspec, validateBuildspec } from './model.js';

const minimal: Buildspec = {
  version: '0.2',
  env: { shell: 'bash', variables: { MODE: 'release' }, 'exported-variables': ['IMAGE_DIGEST'] },
  phases: {
    build: { 'on-failure': 'ABORT', commands: ['echo "build: $MODE"'], finally: ['echo done'] },
    install: { 'runtime-versions': { nodejs: '22' }, commands: ['node --version'] },
  },
  artifacts: { files: ['imagedefinitions.json'] },
  cache: { paths: ['/root/.cache/**/*'] },
};

function withPhases(phases: unknown): Buildspec {
  return { ...minimal, phases } as Buildspec;
}

describe('renderBuildspec', () => {
  it('renders version 0.2 with keys and phases in reference order, whatever the model order', () => {
    const yaml = renderBuildspec(minimal);
    expect(yaml.indexOf('version: 0.2')).toBe(0);
    const keys = [...yaml.matchAll(/^([a-z_-]+):/gm)].map((m) => m[1]);
    expect(keys).toEqual(['version', 'env', 'phases', 'artifacts', 'cache']);
    expect(yaml.indexOf('  install:')).toBeLessThan(yaml.indexOf('  build:'));
    expect(yaml.indexOf('on-failure')).toBeLessThan(yaml.indexOf('commands:', yaml.indexOf('  build:')));
  });

  it('round-trips: the YAML parses back to the same buildspec', () => {
    const parsed = parse(renderBuildspec(minimal)) as Record<string, unknown>;
    expect(parsed).toEqual({ ...minimal, version: 0.2 });
  });

  it('writes the header comment above the document', () => {
    const yaml = renderBuildspec(minimal, {
      header: ['Generated: do not edit.', 'Regenerate with: pnpm nx run buildspec:render'],
    });
    expect(
      yaml.startsWith('# Generated: do not edit.\n# Regenerate with: pnpm nx run buildspec:render\n'),
    ).toBe(true);
  });

  it('never folds a long command and keeps multi-line commands verbatim', () => {
    const long = `echo ${'x'.repeat(300)}`;
    const multi = 'if true; then\n  echo "a: b"\nfi';
    const yaml = renderBuildspec(withPhases({ build: { commands: [long, multi] } }));
    expect((parse(yaml) as Buildspec).phases.build?.commands).toEqual([long, multi]);
    expect(yaml).toContain(long);
  });
});

describe('validateBuildspec', () => {
  it('accepts the minimal model', () => {
    expect(() => validateBuildspec(minimal)).not.toThrow();
  });

  it.each([
    [
      withPhases({ build: { 'on-failure': 'STOP', commands: ['true'] } }),
      'phases.build.on-failure: "STOP" is not allowed; use ABORT or CONTINUE',
    ],
    [
      withPhases({ build: { commands: [] } }),
      'phases.build.commands: [] is not allowed; give a non-empty list of commands',
    ],
    [
      withPhases({ build: { commands: ['  '] } }),
      'phases.build.commands[0]: "  " is not allowed; each command is a non-empty string',
    ],
    [
      withPhases({ compile: { commands: ['true'] } }),
      'phases.compile: is not a phase; use install, pre_build, build, post_build',
    ],
    [
      withPhases({ build: { commands: ['true'], 'runtime-versions': { nodejs: '22' } } }),
      'phases.build.runtime-versions: is only allowed in the install phase',
    ],
    [withPhases({ build: { commands: ['true'], retries: 2 } }), 'phases.build.retries: is not a phase key'],
    [withPhases({}), 'phases: is empty; give at least one phase'],
    [{ ...minimal, version: '0.1' }, 'version: "0.1" is not allowed; use "0.2"'],
    [{ ...minimal, env: { shell: 'zsh' } }, 'env.shell: "zsh" is not allowed; use bash or /bin/sh'],
    [
      { ...minimal, env: { 'exported-variables': ['AWS_REGION'] } },
      'env.exported-variables: "AWS_REGION" cannot be exported',
    ],
    [
      { ...minimal, env: { 'exported-variables': ['A', 'A'] } },
      'env.exported-variables: ["A","A"] lists a variable twice',
    ],
    [
      { ...minimal, env: { variables: { 'BAD-NAME': 'x' } } },
      'env.variables.BAD-NAME: "BAD-NAME" is not a variable name',
    ],
    [
      { ...minimal, env: { variables: { CODEBUILD_X: 'x' } } },
      'env.variables.CODEBUILD_X: "CODEBUILD_X" starts with CODEBUILD_',
    ],
    [{ ...minimal, artifacts: { files: [] } }, 'artifacts.files: is empty'],
    [{ ...minimal, cache: { paths: [] } }, 'cache.paths: is empty'],
    [{ ...minimal, reports: { unit: { files: [] } } }, 'reports.unit.files: is empty'],
    [{ ...minimal, proxy: {} }, 'proxy: is not a buildspec key Signet renders'],
  ])('rejects %j naming the field', (spec, message) => {
    expect(() => validateBuildspec(spec as Buildspec)).toThrow(message);
    expect(() => renderBuildspec(spec as Buildspec)).toThrow(message);
  });
});
