import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '../io.js';

/** The tools/cli folder. */
export const CLI_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Signet workspace root. */
export const WORKSPACE_ROOT = join(CLI_ROOT, '..', '..');

/** A fixture workspace under src/test/fixtures. */
export function fixtureWorkspace(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * A scratch copy of a fixture workspace that a test may break. It lives under tools/cli so its
 * stack programs resolve `@pulumi/*` and `@signet/*` from the CLI's node_modules.
 */
export function scratchWorkspace(fixture: string): { root: string; remove(): void } {
  const base = join(CLI_ROOT, '.plan');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'workspace-'));
  cpSync(fixtureWorkspace(fixture), root, { recursive: true });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Captures what a command writes. */
export function captureIo(): CommandIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}
