import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discoverApps } from '@signet/core';
import type { WorkspaceApp } from '../defaults.js';

// The workspace root has one finder, in @signet/core.
export { findWorkspaceRoot } from '@signet/core';

/** Folder of the committed buildspecs, relative to the workspace root. */
export const BUILDSPECS_DIR = 'buildspecs';
/**
 * Files under buildspecs/ that are written by hand, not rendered: README.md explains the folder;
 * project.json makes it an Nx project, so a change to a committed buildspec reaches the stack that
 * embeds it (signing-pipeline) and nothing else.
 */
const HAND_WRITTEN = new Set(['README.md', 'project.json']);

/** The apps of the workspace, found and validated by the one discovery (@signet/core), to render. */
export function workspaceApps(root: string): WorkspaceApp[] {
  return discoverApps(root).map(({ directory, ...declaration }) => ({ directory, declaration }));
}

/** Rendered files currently under buildspecs/, relative to the workspace root. */
export function committedBuildspecs(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (!HAND_WRITTEN.has(relative(join(root, BUILDSPECS_DIR), path)))
        files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, BUILDSPECS_DIR));
  return files;
}

/** Differences between what the generator renders and what is committed. */
export interface Drift {
  readonly missing: string[];
  readonly changed: string[];
  readonly stale: string[];
}

/** Compares rendered and committed buildspecs. */
export function compareBuildspecs(
  rendered: ReadonlyMap<string, string>,
  committed: ReadonlyMap<string, string>,
): Drift {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, content] of rendered) {
    const current = committed.get(path);
    if (current === undefined) missing.push(path);
    else if (current !== content) changed.push(path);
  }
  const stale = [...committed.keys()].filter((path) => !rendered.has(path));
  return { missing, changed, stale };
}

/** True when nothing differs. */
export function isClean(drift: Drift): boolean {
  return drift.missing.length === 0 && drift.changed.length === 0 && drift.stale.length === 0;
}
