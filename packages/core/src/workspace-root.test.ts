import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findWorkspaceRoot, locateWorkspaceRoot } from './workspace-root.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'signet-root-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('findWorkspaceRoot', () => {
  it('finds the workspace root from a nested folder, and from the root itself', () => {
    const nested = join(root, 'stacks', 'ecr', 'src');
    mkdirSync(nested, { recursive: true });
    expect(findWorkspaceRoot(nested)).toBe(root);
    expect(findWorkspaceRoot(root)).toBe(root);
  });

  it('says where it looked when there is no workspace', () => {
    expect(() => findWorkspaceRoot('/')).toThrow('no pnpm-workspace.yaml found at or above /');
    expect(locateWorkspaceRoot('/')).toBeUndefined();
  });

  it("finds this repository's root from this folder", () => {
    expect(locateWorkspaceRoot(import.meta.dirname)).toBe(join(import.meta.dirname, '..', '..', '..'));
  });
});
