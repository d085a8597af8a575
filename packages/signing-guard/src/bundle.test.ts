/*
 * The artifact Lambda runs: the bundle the build target writes, loaded as Lambda loads it (a
 * CommonJS file with the configuration file beside it), and built twice to the same bytes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../scripts/bundle.js';
import { SIGNING_GUARD_CONFIG_FILE, SIGNING_GUARD_ENTRY } from './artifact.js';
import { CONFIG, invocation, signingStage, signPayload } from './test/events.js';

let dir: string;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signing-guard-'));
  await bundle(join(dir, 'first', SIGNING_GUARD_ENTRY));
  await bundle(join(dir, 'second', SIGNING_GUARD_ENTRY));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (event: unknown) => Promise<{ decision: string }>;
function load(folder: string, config: unknown): Handler {
  const target = join(dir, folder);
  copyFileSync(join(dir, 'first', SIGNING_GUARD_ENTRY), join(target, SIGNING_GUARD_ENTRY));
  writeFileSync(join(target, SIGNING_GUARD_CONFIG_FILE), JSON.stringify(config));
  return (createRequire(import.meta.url)(join(target, SIGNING_GUARD_ENTRY)) as { handler: Handler }).handler;
}

describe('the bundle', () => {
  it('is the same bytes when built twice', () => {
    expect(sha256(join(dir, 'first', SIGNING_GUARD_ENTRY))).toBe(
      sha256(join(dir, 'second', SIGNING_GUARD_ENTRY)),
    );
  });

  it('loads as CommonJS, reads its configuration beside it and leaves the pipeline alone', async () => {
    const handler = load('second', CONFIG);
    await expect(
      handler(invocation('hello-server-signatures', signPayload(signingStage()))),
    ).resolves.toMatchObject({ decision: 'ignore' });
  });

  it('refuses to start on a bad configuration, naming the file and key', async () => {
    const target = join(dir, 'bad');
    mkdirSync(target);
    const handler = load('bad', { ...CONFIG, jobSearchWindowMinutes: 0 });
    await expect(handler({})).rejects.toThrow(
      `${join(target, SIGNING_GUARD_CONFIG_FILE)}: key "jobSearchWindowMinutes" has value 0; allowed: an integer from 1 to 60`,
    );
  });
});
