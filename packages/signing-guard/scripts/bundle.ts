/**
 * Bundles the Lambda function into `dist/bundle/index.js`: one CommonJS file with every
 * dependency (the pinned AWS SDK clients, not the runtime's), no source map, no minification, so
 * that the same sources and lockfile give the same bytes (the code hash Lambda compares).
 * Run by the package's `build` target.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SIGNING_GUARD_RUNTIME } from '../src/artifact.js';

/** The Node.js version of the runtime the function is deployed with: `nodejs22.x` → `node22`. */
export const BUNDLE_TARGET = SIGNING_GUARD_RUNTIME.replace(/^nodejs(\d+)\.x$/, 'node$1');

export async function bundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/lambda.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE_TARGET,
    // Resolve packages as Node does (their `main`/`exports` for require), not by `module` fields.
    mainFields: ['main'],
    conditions: [],
    sourcemap: false,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle(fileURLToPath(new URL('../dist/bundle/index.js', import.meta.url)));
}
