import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRILL_ENGINE_VERSIONS, findOnPath, type GoSource } from '@signet/testing';
import { KYVERNO_RELEASE } from '@signet/policies';
import { describe, expect, it } from 'vitest';
import { DRILL_ENGINES, ENGINES, sourceVersion, VERIFIER_MODULE_DIR } from './catalog.js';

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

const goSource = (name: string): GoSource => {
  const source = DRILL_ENGINES.find((e) => e.name === name)?.sources.find((s) => s.kind === 'go');
  if (source?.kind !== 'go') throw new Error(`no go source for ${name}`);
  return source;
};

describe('the drill engines', () => {
  it('are named apart from the engines every test run provisions', () => {
    const names = [...ENGINES, ...DRILL_ENGINES].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('build kube-apiserver from k8s.io/kubernetes with each staging module at its published release', () => {
    const source = goSource('kube-apiserver');
    const wrapper = goJson<GoMod>(['mod', 'edit', '-json'], source.moduleDir);
    const direct = (wrapper.Require ?? []).filter((r) => r.Indirect !== true);
    expect(direct).toEqual([{ Path: 'k8s.io/kubernetes', Version: DRILL_ENGINE_VERSIONS['kube-apiserver'] }]);
    const { GoMod: upstreamGoMod } = goJson<{ GoMod: string }>(
      ['mod', 'download', '-json', `k8s.io/kubernetes@${DRILL_ENGINE_VERSIONS['kube-apiserver']}`],
      source.moduleDir,
    );
    const upstream = goJson<GoMod>(['mod', 'edit', '-json', upstreamGoMod], source.moduleDir);
    const staging = (upstream.Replace ?? []).filter((r) => r.New.Path.startsWith('./staging/'));
    expect(staging.length).toBeGreaterThan(20);
    // v1.33.13 → v0.33.13: the staging modules are published with major 0.
    const published = DRILL_ENGINE_VERSIONS['kube-apiserver'].replace(/^v1\./, 'v0.');
    for (const r of staging)
      expect(wrapper.Replace ?? []).toContainEqual({
        Old: { Path: r.Old.Path },
        New: { Path: r.Old.Path, Version: published },
      });
    expect((wrapper.Replace ?? []).length).toBe(staging.length);
  }, 120_000);

  it("build etcd at the pinned release, and the admission controller from the Kyverno CLI's wrapper", () => {
    const etcd = goJson<GoMod>(['mod', 'edit', '-json'], goSource('etcd').moduleDir);
    expect((etcd.Require ?? []).filter((r) => r.Indirect !== true)).toEqual([
      { Path: 'go.etcd.io/etcd/server/v3', Version: DRILL_ENGINE_VERSIONS.etcd },
    ]);
    const kyverno = DRILL_ENGINES.find((e) => e.name === 'kyverno-admission');
    expect(kyverno?.version).toBe(KYVERNO_RELEASE.appVersion);
    const cli = ENGINES.find((e) => e.name === 'kyverno')?.sources.find((s) => s.kind === 'go');
    expect(cli?.kind === 'go' && cli.moduleDir).toBe(goSource('kyverno-admission').moduleDir);
  });

  it('version the verifier by its source, so a change is rebuilt rather than served from the cache', () => {
    const spec = DRILL_ENGINES.find((e) => e.name === 'signet-verifier');
    expect(spec?.version).toBe(sourceVersion(VERIFIER_MODULE_DIR));
    const copy = mkdtempSync(join(tmpdir(), 'signet-verifier-src-'));
    try {
      cpSync(VERIFIER_MODULE_DIR, copy, { recursive: true });
      expect(sourceVersion(copy)).toBe(spec?.version);
      writeFileSync(join(copy, 'main.go'), '// changed\n', { flag: 'a' });
      expect(sourceVersion(copy)).not.toBe(spec?.version);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
