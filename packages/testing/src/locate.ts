import { engineCacheRoot, engineDir, readReceipt, RECEIPT_FILE } from './layout.js';

/** A test needs an engine that `pnpm engines` has not provisioned. Never caught to skip a test. */
export class EngineMissingError extends Error {
  constructor(
    readonly engine: string,
    readonly version: string,
    readonly looked: string,
  ) {
    super(
      `${engine} ${version} is not provisioned (no ${RECEIPT_FILE} in ${looked}); run \`pnpm engines\` from the workspace root, which installs every pinned engine and says what is missing`,
    );
    this.name = 'EngineMissingError';
  }
}

/**
 * The executable of a pinned engine, as `pnpm engines` installed it. Throws
 * {@link EngineMissingError} when it is absent: a test that needs an engine fails without it, it
 * never skips.
 */
export function requireEngine(name: string, version: string, root = engineCacheRoot()): string {
  const receipt = readReceipt(name, version, root);
  if (receipt === undefined) throw new EngineMissingError(name, version, engineDir(name, version, root));
  return receipt.path;
}
