/**
 * The Lambda entry point, bundled into `dist/bundle/index.js` (CommonJS). The configuration is
 * the file the stack writes next to the bundle in the code archive; it is read once, at cold
 * start, and a bad one stops the function there, with the key that is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSigningGuardConfig, SIGNING_GUARD_CONFIG_FILE } from './config.js';
import { createGuard, defaultClients, type GuardOutcome } from './guard.js';

let guard: ((event: unknown) => Promise<GuardOutcome>) | undefined;

/** Lambda's handler: one event of one of the guard's rules, wrapped with the rule's key by its target. */
export async function handler(invocation: unknown): Promise<GuardOutcome> {
  if (guard === undefined) {
    const file = join(__dirname, SIGNING_GUARD_CONFIG_FILE);
    const config = parseSigningGuardConfig(JSON.parse(readFileSync(file, 'utf8')), file);
    guard = createGuard(config, defaultClients());
  }
  return guard(invocation);
}
