/**
 * `pnpm test:e2e:warm`, the last step of `pnpm test`: runs the admission drill when its long builds
 * are in the engine cache, and otherwise says plainly that it did not run and why. A cold build of
 * the drill's engines does not fit CI's time limit next to the rest of `pnpm test` (docs/testing.md
 * has the figures), so CI runs the drill once a warm cache holds them, never silently skips it.
 */
import { spawnSync } from 'node:child_process';
import { DRILL_ENGINES } from '@signet/engines';
import { engineDir, readReceipt } from '@signet/testing';

/** The engines whose cold build is long; the verifier (about 30 s) is built whenever it is missing. */
const LONG_BUILDS = ['etcd', 'kube-apiserver', 'kyverno-admission'];

const missing = DRILL_ENGINES.filter((e) => LONG_BUILDS.includes(e.name)).filter(
  (e) => readReceipt(e.name, e.version) === undefined,
);
if (missing.length > 0) {
  process.stdout.write(
    [
      '',
      'e2e: THE ADMISSION DRILL DID NOT RUN: its engines are not built in this cache:',
      ...missing.map((e) => `e2e:   ${e.name} ${e.version} (no receipt in ${engineDir(e.name, e.version)})`),
      'e2e: their cold build takes longer than CI allows next to the rest of `pnpm test` (docs/testing.md).',
      'e2e: build them and run the drill with: pnpm engines --drill && pnpm test:e2e',
      '',
    ].join('\n'),
  );
} else {
  const result = spawnSync('pnpm', ['test:e2e'], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
