import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the pinned engines live: one folder per tool and version under a per-user cache, so a
 * second run (and every other clone of the workspace on the machine) reuses them.
 *
 * `SIGNET_ENGINES_HOME` moves the cache (tests of the provisioner point it at a scratch folder);
 * otherwise it is `$XDG_CACHE_HOME/signet/engines`, or `~/.cache/signet/engines`.
 */
export function engineCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['SIGNET_ENGINES_HOME'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const cache = env['XDG_CACHE_HOME'];
  return join(cache !== undefined && cache !== '' ? cache : join(homedir(), '.cache'), 'signet', 'engines');
}

/** The folder of one tool at one version: `<root>/<name>-<version>`. */
export function engineDir(name: string, version: string, root = engineCacheRoot()): string {
  return join(root, `${name}-${version}`);
}

/** The executable of one tool at one version: `<root>/<name>-<version>/bin/<binary>`. */
export function engineBinary(name: string, version: string, binary = name, root = engineCacheRoot()): string {
  return join(engineDir(name, version, root), 'bin', binary);
}

/** Written last, after the binary is in place: a folder without it is an interrupted install. */
export const RECEIPT_FILE = 'receipt.json';

/** What the receipt of an installed engine records. */
export interface EngineReceipt {
  readonly name: string;
  readonly version: string;
  /** Which source produced the binary: `go`, `release` or `system`. */
  readonly source: string;
  /** The binary, absolute. */
  readonly path: string;
  /** When it was installed (ISO 8601). */
  readonly installedAt: string;
}

/** The receipt of an installed engine, or undefined when there is none or it does not match. */
export function readReceipt(
  name: string,
  version: string,
  root = engineCacheRoot(),
): EngineReceipt | undefined {
  const file = join(engineDir(name, version, root), RECEIPT_FILE);
  if (!existsSync(file)) return undefined;
  let receipt: EngineReceipt;
  try {
    receipt = JSON.parse(readFileSync(file, 'utf8')) as EngineReceipt;
  } catch {
    return undefined;
  }
  if (receipt.name !== name || receipt.version !== version) return undefined;
  if (!isExecutable(receipt.path)) return undefined;
  return receipt;
}

/** Is `path` a regular file with an execute bit? */
export function isExecutable(path: string): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
