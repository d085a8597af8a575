import { zipSync, type Zippable } from 'fflate';

/** One file of a zip archive: its path inside the archive (`/`-separated) and its bytes. */
export interface ZipEntry {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** Midnight of 1980-01-01 local time, the zip format's earliest: the same files make the same bytes in every time zone. */
const FIXED_TIME = new Date(1980, 0, 1);
/** A regular file, rw-r--r--, as Unix external attributes (made by Unix, os 3). */
const REGULAR_FILE = 0o100644 * 0x10000;

/**
 * A zip archive of `entries`, deflated, in the given order (fflate): what CodePipeline's S3 source
 * action reads and unpacks as the source artifact.
 */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    if (entry.path === '' || entry.path.startsWith('/') || entry.path.split('/').includes('..'))
      throw new Error(`zip entry "${entry.path}": allowed: a relative path without ..`);
    if (Object.hasOwn(files, entry.path)) throw new Error(`zip entry "${entry.path}" appears twice`);
    const data = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
    files[entry.path] = [data, { level: 6, mtime: FIXED_TIME, os: 3, attrs: REGULAR_FILE }];
  }
  return Buffer.from(zipSync(files));
}
