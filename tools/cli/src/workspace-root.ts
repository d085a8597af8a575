import { locateWorkspaceRoot } from '@signet/core';

/**
 * The nearest directory at or above `from` holding `pnpm-workspace.yaml`, or undefined: the one
 * workspace-root finder (@signet/core), for commands that say themselves what to do without one.
 */
export function findWorkspaceRoot(from: string): string | undefined {
  return locateWorkspaceRoot(from);
}
