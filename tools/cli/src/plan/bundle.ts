/**
 * The JavaScript a plan process runs: the child entry and one stack program, bundled by esbuild
 * into plain ES modules, cached on disk by the content of every source file that went in. Running
 * bundles instead of the TypeScript sources through tsx saves about two thirds of each process's CPU
 * (no transpiling, no loader thread resolving every module of the Pulumi SDK).
 *
 * Only the workspace's own TypeScript (`@signet/*` and relative imports) is bundled. Third-party
 * packages stay external, each resolved once here, with the `development` condition the sources are
 * planned with, to its absolute path: Node then loads the very files `tsx` would have loaded, and
 * the child entry and the program share one instance of every module (esbuild code splitting puts
 * what both import, such as `@signet/platform`, in a shared chunk).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';

/** Where bundles are kept: per workspace copy, next to the CLI's other caches. */
export const BUNDLE_CACHE = fileURLToPath(
  new URL('../../node_modules/.cache/signet-plan/bundles', import.meta.url),
);

/** A bundled stack program and the child entry that plans it. */
export interface PlanBundle {
  /** The child entry (an ES module). */
  readonly child: string;
  /** Module hooks the child runs before anything else (`--import`), see lazy-modules.ts. */
  readonly hooks: string;
  /** The stack program (an ES module), imported by the child once the mock runtime is installed. */
  readonly program: string;
  /** Third-party modules the program imports, as absolute paths: the child loads them while it waits. */
  readonly preload: readonly string[];
}

interface Manifest {
  readonly esbuild: string;
  /** Every bundled source file (absolute) and the SHA-256 of its content. */
  readonly inputs: Record<string, string>;
  readonly preload: string[];
}

/** The module hooks every plan process loads first (see lazy-modules.ts). */
const HOOKS_ENTRY = fileURLToPath(
  new URL(`./lazy-modules${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

/** The files a bundle directory holds; a new layout gives every bundle a new directory. */
const BUNDLE_LAYOUT = 2;

/** Bundles not rebuilt for this long are removed when another is built (copies of the workspace). */
const STALE_MS = 7 * 24 * 3600 * 1000;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Keeps third-party packages external, at the absolute path the sources would have loaded. */
const externalPackages: Plugin = {
  name: 'signet-external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@signet/') || args.pluginData === 'resolving') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, external: true };
    });
  },
};

function isCurrent(dir: string): Manifest | undefined {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (manifest.esbuild !== esbuildVersion) return undefined;
    for (const [path, hash] of Object.entries(manifest.inputs)) {
      if (!existsSync(path) || sha256(readFileSync(path)) !== hash) return undefined;
    }
    return manifest;
  } catch {
    return undefined;
  }
}

/**
 * The bundle planning `programFile` with `childEntry`, built when no cached one matches the
 * current sources. Concurrent plans may build the same bundle; each writes its own directory and
 * renames it into place unless the other's is there already (see {@link installBundle}), so a
 * reader never sees a half-written or a removed bundle.
 */
export async function planBundle(
  childEntry: string,
  programFile: string,
  cacheDir: string = BUNDLE_CACHE,
): Promise<PlanBundle> {
  const key = sha256(
    JSON.stringify([BUNDLE_LAYOUT, esbuildVersion, resolve(childEntry), resolve(programFile)]),
  );
  const dir = join(cacheDir, key.slice(0, 24));
  const paths = (manifest: Manifest): PlanBundle => ({
    child: join(dir, 'child.mjs'),
    hooks: join(dir, 'hooks.mjs'),
    program: join(dir, 'program.mjs'),
    preload: manifest.preload,
  });
  const cached = isCurrent(dir);
  if (cached !== undefined) return paths(cached);

  const staging = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      entryPoints: { child: childEntry, program: programFile, hooks: HOOKS_ENTRY },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      conditions: ['development'],
      outExtension: { '.js': '.mjs' },
      // Stack programs and the mock runtime report errors with their own messages; keep names.
      keepNames: true,
      metafile: true,
      logLevel: 'silent',
      plugins: [externalPackages],
    });
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = resolve(input);
      inputs[path] = sha256(readFileSync(path));
    }
    const programOutput = Object.entries(result.metafile.outputs).find(
      ([, output]) => output.entryPoint !== undefined && resolve(output.entryPoint) === resolve(programFile),
    )?.[1];
    const preload = [
      ...new Set(
        (programOutput?.imports ?? [])
          .filter((i) => i.external && !i.path.startsWith('node:'))
          .map((i) => i.path),
      ),
    ].sort();
    const manifest: Manifest = { esbuild: esbuildVersion, inputs, preload };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    installBundle(staging, dir);
    pruneStale(cacheDir);
    return paths(manifest);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Puts a built bundle (`staging`) in place at `dir`. A current bundle already there is left alone:
 * another plan built the same one meanwhile, and its processes may be loading it (removing it under
 * them failed their imports); `staging` is then discarded by the caller. A stale one (built from
 * other sources) is moved aside, replaced and removed.
 */
export function installBundle(staging: string, dir: string): void {
  if (isCurrent(dir) !== undefined) return;
  try {
    renameSync(staging, dir);
    return;
  } catch (error) {
    if (!existsSync(dir)) throw error;
  }
  // A directory is there: another plan's current bundle, placed since the check, or a stale one.
  if (isCurrent(dir) !== undefined) return;
  const aside = `${dir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(dir, aside);
  } catch {
    // Another plan moved it aside first.
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (isCurrent(dir) === undefined) throw error;
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}

function pruneStale(cacheDir: string): void {
  const now = Date.now();
  for (const entry of readdirSync(cacheDir)) {
    const dir = join(cacheDir, entry);
    try {
      if (now - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another plan.
    }
  }
}
