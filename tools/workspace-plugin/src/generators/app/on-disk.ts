import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FsTree } from '@nx/devkit/internal';
import { generateApp } from './generator.js';
import type { AppGeneratorSchema, NormalizedAppOptions } from './schema.js';

/** What {@link generateAppOnDisk} wrote. */
export interface GeneratedApp {
  readonly options: NormalizedAppOptions;
  /** Paths written, relative to the workspace root, sorted. */
  readonly files: readonly string[];
}

/**
 * Runs the generator on the workspace at `root`: changes are collected in memory by Nx's file-system
 * tree and written only when the generator succeeded, so a refusal writes nothing.
 */
export async function generateAppOnDisk(root: string, schema: AppGeneratorSchema): Promise<GeneratedApp> {
  const tree = new FsTree(root, false);
  const options = await generateApp(tree, schema);
  const changes = tree.listChanges();
  for (const change of changes) {
    const file = join(root, change.path);
    if (change.type === 'DELETE') {
      rmSync(file, { recursive: true, force: true });
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, change.content ?? '');
    if (change.options?.mode !== undefined) chmodSync(file, change.options.mode);
  }
  return { options, files: changes.map((c) => c.path).sort() };
}
