#!/usr/bin/env node
// Runs the TypeScript sources through tsx with the workspace's `development` condition, so the
// command works from a fresh clone after `pnpm install`, without a build.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['--conditions=development', '--import', import.meta.resolve('tsx'), entry, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
