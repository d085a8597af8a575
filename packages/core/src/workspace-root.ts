import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The file that marks the workspace root. */
export const WORKSPACE_MARKER = 'pnpm-workspace.yaml';

/** The nearest folder at or above `start` holding pnpm-workspace.yaml, or undefined when there is none. */
export function locateWorkspaceRoot(start: string = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, WORKSPACE_MARKER))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The workspace root: the nearest folder at or above `start` that holds pnpm-workspace.yaml. */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  const root = locateWorkspaceRoot(start);
  if (root === undefined) throw new Error(`no ${WORKSPACE_MARKER} found at or above ${resolve(start)}`);
  return root;
}
