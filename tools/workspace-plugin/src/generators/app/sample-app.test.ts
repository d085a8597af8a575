import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { generateApp } from './generator.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const SAMPLE = 'apps/hello-server';

/** Build output, installs and caches: what .gitignore leaves out of the workspace. */
const IGNORED = /^(node_modules|dist|coverage|\.nx|\.plan)$|\.tsbuildinfo$/;

/** Files under `path` on disk, relative to the workspace root, without ignored ones. */
function diskFiles(path: string): string[] {
  return readdirSync(join(ROOT, path), { withFileTypes: true })
    .filter((entry) => !IGNORED.test(entry.name))
    .flatMap((entry) =>
      entry.isDirectory() ? diskFiles(`${path}/${entry.name}`) : [`${path}/${entry.name}`],
    );
}

describe('the sample app', () => {
  // apps/hello-server is what the generator writes for it: a change to the template that the sample lacks,
  // or to the sample that the template lacks, fails here. Everything else apps share lives in the
  // service kit, once.
  it('is exactly what the generator writes for hello-server, file by file', async () => {
    const sample = JSON.parse(readFileSync(join(ROOT, SAMPLE, 'package.json'), 'utf8')) as {
      signet: { name: string; namespace: string; port: number; environments: string[] };
    };
    const tree = createTreeWithEmptyWorkspace();
    // Formatted as the workspace formats: its prettier options and ignores, not the empty workspace's
    // formatter (Nx reads the options of an in-memory tree from its .prettierrc).
    tree.delete('.oxfmtrc.json');
    tree.write('.prettierrc', readFileSync(join(ROOT, '.prettierrc.json'), 'utf8'));
    tree.write('.prettierignore', readFileSync(join(ROOT, '.prettierignore'), 'utf8'));
    const options = await generateApp(tree, sample.signet);
    expect(options.directory).toBe(SAMPLE);

    const generated = (path: string) =>
      tree
        .listChanges()
        .map((change) => change.path)
        .filter((file) => file.startsWith(`${path}/`))
        .sort();
    expect(generated(SAMPLE)).toEqual(diskFiles(SAMPLE).sort());
    for (const file of diskFiles(SAMPLE)) {
      expect(tree.read(file, 'utf8'), `${file} differs from what the generator writes`).toBe(
        readFileSync(join(ROOT, file), 'utf8'),
      );
    }
    expect(generated('buildspecs/hello-server')).toEqual(diskFiles('buildspecs/hello-server').sort());
    for (const file of diskFiles('buildspecs/hello-server')) {
      expect(tree.read(file, 'utf8'), `${file} differs from the committed one`).toBe(
        readFileSync(join(ROOT, file), 'utf8'),
      );
    }
  });
});
