import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const SKIPPED = /^(node_modules|dist|coverage|tmp|\.nx|\.plan|\.git)$|\.tsbuildinfo$/;

/** Copies the workspace's files, without installs, build output, caches or git. */
function copyFiles(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (SKIPPED.test(entry.name)) continue;
    if (entry.isDirectory()) {
      mkdirSync(join(to, entry.name), { recursive: true });
      copyFiles(join(from, entry.name), join(to, entry.name));
    } else if (entry.isFile()) {
      cpSync(join(from, entry.name), join(to, entry.name));
    }
  }
}

/** Every workspace package of `root`: its folder (relative) and its package.json. */
function workspacePackages(root: string): { dir: string; pkg: Record<string, Record<string, string>> }[] {
  return ['apps', 'packages', 'stacks', 'tools'].flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group))
          .map((name) => join(group, name))
          .filter((dir) => existsSync(join(root, dir, 'package.json')))
          .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
      : [],
  );
}

/**
 * Gives the copy pnpm's layout without an install: the root node_modules is the original's (the
 * store every package links into, by relative links that then resolve through it), each package's
 * own links to third-party packages are copied as they are, and its links to workspace packages
 * are made from its package.json, pointing inside the copy.
 */
function linkLikePnpm(original: string, copy: string): void {
  symlinkSync(join(original, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packages = workspacePackages(copy);
  const folders = new Map(packages.map(({ dir, pkg }) => [pkg['name'] as unknown as string, dir]));
  for (const { dir, pkg } of packages) {
    const modules = join(copy, dir, 'node_modules');
    mkdirSync(modules, { recursive: true });
    const source = join(original, dir, 'node_modules');
    const copyLink = (name: string) => {
      const from = join(source, name);
      if (lstatSync(from).isSymbolicLink() && !existsSync(join(modules, name))) {
        mkdirSync(dirname(join(modules, name)), { recursive: true });
        symlinkSync(readlinkSync(from), join(modules, name));
      }
    };
    if (existsSync(source)) {
      for (const entry of readdirSync(source)) {
        if (entry === '@signet' || entry.startsWith('.')) continue;
        if (entry.startsWith('@'))
          for (const scoped of readdirSync(join(source, entry))) copyLink(`${entry}/${scoped}`);
        else copyLink(entry);
      }
    }
    for (const [name, version] of Object.entries({ ...pkg['dependencies'], ...pkg['devDependencies'] })) {
      const target = folders.get(name);
      if (!version.startsWith('workspace:') || target === undefined) continue;
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(relative(dirname(join(modules, name)), join(copy, target)), join(modules, name), 'dir');
    }
  }
}

/**
 * A temporary copy of the workspace at `original` (its files, without installs, build output,
 * caches or git) that plans like the original: see {@link linkLikePnpm}. The caller removes it.
 */
export function copyWorkspace(original: string, prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  copyFiles(original, root);
  linkLikePnpm(original, root);
  return root;
}
