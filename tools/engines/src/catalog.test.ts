import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, requireEngine, type GoSource } from '@signet/testing';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './catalog.js';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

interface GoMod {
  readonly Require?: readonly {
    readonly Path: string;
    readonly Version: string;
    readonly Indirect?: boolean;
  }[];
  readonly Replace?: readonly {
    readonly Old: { readonly Path: string };
    readonly New: { readonly Path: string; readonly Version?: string };
  }[];
}

function goJson<T>(args: readonly string[], cwd: string): T {
  const go = findOnPath('go');
  if (go === undefined) throw new Error('go is not installed; it is a prerequisite of the engines');
  const result = spawnSync(go, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  if (result.status !== 0) throw new Error(`go ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const goEngines = ENGINES.flatMap((spec) =>
  spec.sources.filter((s): s is GoSource => s.kind === 'go').map((source) => ({ spec, source })),
);

describe('the engine catalog', () => {
  it('names each engine once', () => {
    const names = ENGINES.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(goEngines.map((e) => [e.spec.name, e] as const))(
    'builds %s from a wrapper module that requires exactly the pinned version and repeats its replaces',
    (_name, { spec, source }) => {
      const wrapper = goJson<GoMod>(['mod', 'edit', '-json'], source.moduleDir);
      const direct = (wrapper.Require ?? []).filter((r) => r.Indirect !== true);
      const [pinned, ...others] = direct;
      expect(others).toEqual([]);
      if (pinned === undefined) throw new Error(`${source.moduleDir}/go.mod requires no module directly`);
      expect(source.package.startsWith(pinned.Path)).toBe(true);
      expect(pinned.Version.replace(/^v/, '')).toBe(spec.version.replace(/^v/, ''));
      // The tool's own go.mod, from the module cache: every replace it has, the wrapper repeats.
      const { GoMod: upstreamGoMod } = goJson<{ GoMod: string }>(
        ['mod', 'download', '-json', `${pinned.Path}@${pinned.Version}`],
        source.moduleDir,
      );
      const upstream = goJson<GoMod>(['mod', 'edit', '-json', upstreamGoMod], source.moduleDir);
      for (const replace of upstream.Replace ?? []) {
        expect(wrapper.Replace ?? []).toContainEqual(replace);
      }
    },
    120_000,
  );

  it('keeps the wrapper modules under tools/engines/go', () => {
    for (const { source } of goEngines) {
      expect(source.moduleDir.startsWith(join(workspaceRoot, 'tools', 'engines', 'go'))).toBe(true);
      expect(readFileSync(join(source.moduleDir, 'go.sum'), 'utf8').length).toBeGreaterThan(0);
    }
  });
});

describe('pnpm engines', () => {
  const cli = (args: readonly string[]) =>
    spawnSync(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args],
      {
        encoding: 'utf8',
        cwd: workspaceRoot,
      },
    );

  it('prints one line per engine with its version and path', () => {
    const result = cli(['notation', 'docker-registry']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^notation\\s+1\\.3\\.2\\s+${requireEngine('notation', '1.3.2')}\\s+\\[`),
    );
    expect(lines[1]).toMatch(/^docker-registry\s+2\.8\s+\/\S+docker-registry\s+\[/);
    expect(lines[2]).toMatch(/^engines: 2 ready in [\d.]+ s \(cache /);
  }, 60_000);

  it('refuses an unknown engine, naming the known ones', () => {
    const result = cli(['kyvernoo']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('engines: unknown engine "kyvernoo"; known: kyverno, notation, oras');
  }, 60_000);
});
