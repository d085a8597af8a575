/**
 * `pnpm engines [--drill] [name ...]`: provisions the pinned engines the tests run into the per-user cache and
 * prints one line per engine (name, version, path, where it came from). Exits 1, naming every
 * engine it could not provide and how to get it, when any is missing. `--drill` adds the engines of
 * the admission drill (DRILL_ENGINES).
 */
import { engineCacheRoot, ProvisionError, provisionAll } from '@signet/testing';
import { DRILL_ENGINES, ENGINES } from './catalog.js';

async function main(argv: readonly string[]): Promise<number> {
  const drill = argv.includes('--drill');
  const args = argv.filter((arg) => arg !== '--drill');
  const catalog = drill ? [...ENGINES, ...DRILL_ENGINES] : ENGINES;
  const unknown = args.filter((name) => !catalog.some((e) => e.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `engines: unknown engine ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${catalog.map((e) => e.name).join(', ')}${drill ? '' : ' (--drill adds ' + DRILL_ENGINES.map((e) => e.name).join(', ') + ')'}\n`,
    );
    return 2;
  }
  const specs = args.length === 0 ? catalog : catalog.filter((e) => args.includes(e.name));
  const started = performance.now();
  try {
    const results = await provisionAll(specs, { log: (line) => process.stderr.write(`engines: ${line}\n`) });
    const width = Math.max(...results.map((r) => r.name.length));
    const vwidth = Math.max(...results.map((r) => r.version.length));
    for (const r of results) {
      const how = r.cached ? `cached (${r.source})` : `${r.source}, ${r.seconds} s`;
      process.stdout.write(`${r.name.padEnd(width)}  ${r.version.padEnd(vwidth)}  ${r.path}  [${how}]\n`);
    }
    const total = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(`engines: ${results.length} ready in ${total} s (cache ${engineCacheRoot()})\n`);
    return 0;
  } catch (error) {
    if (error instanceof ProvisionError) {
      process.stderr.write(`engines: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
