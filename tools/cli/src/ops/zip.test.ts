import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipArchive } from './zip.js';

/** Runs Info-ZIP's unzip on the archive: the reader CodeBuild images and most tools share. */
function unzip(archive: Buffer, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-zip-'));
  try {
    writeFileSync(join(dir, 'a.zip'), archive);
    return spawnSync('unzip', [...args, join(dir, 'a.zip')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('zipArchive', () => {
  const archive = zipArchive([
    { path: 'promotion.json', content: '{"digest":"sha256:00"}\n' },
    { path: 'apps/a/k8s/deployment.yaml', content: 'kind: Deployment\n'.repeat(50) },
  ]);

  it('writes an archive unzip tests clean, with each file at its path', () => {
    const tested = unzip(archive, '-t');
    expect(tested.stdout).toContain('No errors detected');
    expect(tested.status).toBe(0);
    expect(unzip(archive, '-Z1').stdout.split('\n').filter(Boolean)).toEqual([
      'promotion.json',
      'apps/a/k8s/deployment.yaml',
    ]);
  });

  it('round-trips the bytes of each file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-zip-'));
    try {
      writeFileSync(join(dir, 'a.zip'), archive);
      const out = spawnSync('unzip', ['-p', join(dir, 'a.zip'), 'apps/a/k8s/deployment.yaml'], {
        encoding: 'utf8',
      });
      expect(out.stdout).toBe('kind: Deployment\n'.repeat(50));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the same bytes for the same files (a fixed time)', () => {
    expect(zipArchive([{ path: 'x', content: 'y' }]).equals(zipArchive([{ path: 'x', content: 'y' }]))).toBe(
      true,
    );
  });

  it('refuses paths that would leave the folder it is unpacked in, and duplicates', () => {
    expect(() => zipArchive([{ path: '../x', content: '' }])).toThrow('allowed: a relative path without ..');
    expect(() => zipArchive([{ path: '/etc/x', content: '' }])).toThrow('allowed: a relative path');
    expect(() =>
      zipArchive([
        { path: 'x', content: '' },
        { path: 'x', content: '' },
      ]),
    ).toThrow('zip entry "x" appears twice');
  });
});
