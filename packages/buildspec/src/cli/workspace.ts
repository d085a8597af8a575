import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAppDeclaration } from '../app.js';
import type { WorkspaceApp } from '../app.js';

/** Folder of the committed buildspecs, relative to the workspace root. */
export const BUILDSPECS_DIR = 'buildspecs';
/** Files under buildspecs/ that are written by hand, not rendered. */
const HAND_WRITTEN = new Set(['README.md']);

/** The workspace root: the nearest folder upwards holding pnpm-workspace.yaml. */
export function findWorkspaceRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Apps declared by apps/<folder>/package.json `signet` fields, sorted by folder. */
export function discoverApps(root: string): WorkspaceApp[] {
  const appsDir = join(root, 'apps');
  if (!existsSync(appsDir)) return [];
  const apps: WorkspaceApp[] = [];
  for (const folder of readdirSync(appsDir).sort()) {
    const manifest = join(appsDir, folder, 'package.json');
    if (!existsSync(manifest)) continue;
    const directory = `apps/${folder}`;
    const declaration = parseAppDeclaration(
      JSON.parse(readFileSync(manifest, 'utf8')),
      `${directory}/package.json`,
    );
    if (declaration !== undefined) apps.push({ directory, declaration });
  }
  return apps;
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
