import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One app declaration (the `signet` field of an app's package.json). */
export interface FixtureAppDeclaration {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly environments: readonly string[];
  readonly manifests: string;
}

/** A throwaway workspace the program under test runs in. */
export interface AppWorkspace {
  /** Root of the workspace (holds pnpm-workspace.yaml). */
  readonly root: string;
  /** Moves back to the previous working directory and deletes the workspace. */
  restore(): void;
}

/**
 * Creates a workspace holding only the given app declarations and makes it the working directory,
 * so a stack program's app discovery sees exactly these apps. Stack tests use it to stay
 * independent of the apps the real workspace holds: adding an app with `pnpm new-app` must not
 * change what a stack's own tests expect.
 */
export function useAppWorkspace(apps: readonly FixtureAppDeclaration[]): AppWorkspace {
  const previousCwd = process.cwd();
  const root = mkdtempSync(join(tmpdir(), 'signet-apps-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
  for (const app of apps) {
    mkdirSync(join(root, 'apps', app.name, app.manifests), { recursive: true });
    writeFileSync(
      join(root, 'apps', app.name, 'package.json'),
      JSON.stringify({ name: `@signet/${app.name}`, private: true, signet: app }, null, 2),
    );
  }
  process.chdir(join(root, 'apps'));
  return {
    root,
    restore() {
      process.chdir(previousCwd);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
