/**
 * Renders the buildspecs of every app declared in apps/*\/package.json into buildspecs/.
 *   tsx src/cli/render.ts          write them (and delete stale ones)
 *   tsx src/cli/render.ts --check  fail if the committed files differ from the generator
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDER_COMMAND, renderWorkspaceBuildspecs } from '../render.js';
import {
  committedBuildspecs,
  compareBuildspecs,
  findWorkspaceRoot,
  isClean,
  workspaceApps,
} from './workspace.js';

const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
const rendered = renderWorkspaceBuildspecs(workspaceApps(root));
const drift = compareBuildspecs(rendered, committedBuildspecs(root));

if (process.argv.includes('--check')) {
  if (!isClean(drift)) {
    const lines = [
      ...drift.missing.map((p) => `  missing: ${p}`),
      ...drift.changed.map((p) => `  changed: ${p}`),
      ...drift.stale.map((p) => `  stale:   ${p}`),
    ];
    process.stderr.write(
      `buildspecs/ is out of date with the generator:\n${lines.join('\n')}\nRun: ${RENDER_COMMAND}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`buildspecs/ is up to date (${rendered.size} files)\n`);
} else {
  for (const path of drift.stale) rmSync(join(root, path));
  for (const [path, content] of rendered) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  process.stdout.write(`rendered ${rendered.size} buildspecs, removed ${drift.stale.length} stale\n`);
}
