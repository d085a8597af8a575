import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFiles } from '@nx/devkit';
import { FsTree } from '@nx/devkit/internal';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_DIR, writeApp } from './generator.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const SAMPLE = 'apps/hello-server';

/** Build output, installs and caches: what .gitignore leaves out of the workspace. */
const IGNORED = /^(node_modules|dist|coverage|\.nx|\.plan)$|\.tsbuildinfo$/;

/** Files under `path`, relative to the workspace root, without ignored ones. */
function workspaceFiles(path: string): string[] {
  return readdirSync(join(ROOT, path), { withFileTypes: true })
    .filter((entry) => !IGNORED.test(entry.name))
    .flatMap((entry) =>
      entry.isDirectory() ? workspaceFiles(`${path}/${entry.name}`) : [`${path}/${entry.name}`],
    );
}

function templateTargets(dir = TEMPLATE_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateTargets(join(dir, entry.name))
      : [`${SAMPLE}/${relative(TEMPLATE_DIR, join(dir, entry.name)).replace(/\.template$/, '')}`],
  );
}

describe('the app template', () => {
  // Generating hello-server from the template must reproduce apps/hello-server byte for byte, so a
  // change to the sample app that the template lacks (or the reverse) fails here.
  it('generates apps/hello-server exactly, file for file', async () => {
    const tree = new FsTree(ROOT, false);
    const sample = JSON.parse(readFileSync(join(ROOT, SAMPLE, 'package.json'), 'utf8')) as {
      signet: { name: string; namespace: string; port: number; environments: string[] };
    };
    writeApp(
      tree,
      { ...sample.signet, directory: SAMPLE },
      // The sample exists on disk: this comparison is the one place the generator writes over it,
      // in memory only (the tree is never flushed).
      { overwrite: true },
    );
    await formatFiles(tree);

    expect(templateTargets().sort()).toEqual(workspaceFiles(SAMPLE).sort());
    for (const file of workspaceFiles(SAMPLE)) {
      expect(tree.read(file, 'utf8'), `${file} differs from its template`).toBe(
        readFileSync(join(ROOT, file), 'utf8'),
      );
    }
    for (const file of workspaceFiles('buildspecs/hello-server')) {
      expect(tree.read(file, 'utf8'), `${file} differs from the committed one`).toBe(
        readFileSync(join(ROOT, file), 'utf8'),
      );
    }
  });
});
