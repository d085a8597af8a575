import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNER_PLUGIN_SOURCE } from './signer-plugin.js';

/*
 * Real OpenPGP keys and signatures for the signing stage's check of the AWS Signer plugin: made
 * with the machine's gpg (GnuPG 2, the same tool the stage runs), in a keyring of their own.
 * The stand-in plugin's executable is signed as AWS signs the real one: a detached binary
 * signature of the executable inside the zip.
 */

function gpg(home: string, args: readonly string[], input?: string): string {
  const run = spawnSync(
    'gpg',
    ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
    {
      encoding: 'utf8',
      ...(input !== undefined && { input }),
    },
  );
  if (run.status !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** A test signing key: its keyring, fingerprint and armored public key. */
export interface TestGpgKey {
  readonly home: string;
  readonly fingerprint: string;
  readonly publicKey: string;
}

/** Makes a signing key (RSA 2048, no passphrase) in a keyring of its own. */
export function makeGpgKey(name: string): TestGpgKey {
  const home = mkdtempSync(join(tmpdir(), 'signet-gpg-'));
  gpg(home, [
    '--quick-gen-key',
    `${name} <${name.replaceAll(' ', '-').toLowerCase()}@signet.test>`,
    'rsa2048',
    'sign',
    'never',
  ]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys']))?.[1];
  if (fingerprint === undefined) throw new Error(`no fingerprint for the key made in ${home}`);
  return { home, fingerprint, publicKey: gpg(home, ['--armor', '--export', fingerprint]) };
}

/** Writes `key`'s detached binary signature of `content` to `path`. */
export function writeDetachedSignature(key: TestGpgKey, content: string, path: string): void {
  const file = join(key.home, 'signed-content');
  writeFileSync(file, content);
  gpg(key.home, ['--yes', '--local-user', key.fingerprint, '--output', path, '--detach-sign', file]);
}

/** Stops the gpg-agent a key's keyring started. */
export function stopGpgAgent(key: TestGpgKey): void {
  spawnSync('gpgconf', ['--homedir', key.home, '--kill', 'gpg-agent']);
}

/** The names the stand-in curl serves AWS's plugin signature and public key under. */
const PLUGIN_SIGNATURE = 'notation-com.amazonaws.signer.notation.plugin.sig';
const PLUGIN_PUBLIC_KEY = 'public.key';

/** The signature and key pin of the stand-in plugin, served from `base`, signed by `awsKey`. */
export function pluginGpgPin(base: string, awsKey: TestGpgKey) {
  return {
    signatureUrl: `${base}/${PLUGIN_SIGNATURE}`,
    publicKeyUrl: `${base}/${PLUGIN_PUBLIC_KEY}`,
    fingerprint: awsKey.fingerprint,
  };
}

/** Writes AWS's (the stand-in key's) signature of the stand-in plugin and the public key into `dir`. */
export function writePluginSignature(dir: string, awsKey: TestGpgKey): void {
  writeDetachedSignature(awsKey, SIGNER_PLUGIN_SOURCE, join(dir, PLUGIN_SIGNATURE));
  writeFileSync(join(dir, PLUGIN_PUBLIC_KEY), awsKey.publicKey);
}

/**
 * What is served as AWS's signature of the plugin and AWS's key: AWS's own; a signature of other
 * bytes by AWS's key (`tampered`); another key's signature with that key served as AWS's
 * (`other-key`); a key file that is not a key (`not-a-key`).
 */
export type PluginSignatureScenario = 'aws' | 'tampered' | 'other-key' | 'not-a-key';

/** Serves what the scenario says in place of AWS's plugin signature and key (nothing: AWS's own). */
export function writePluginSignatureOverrides(
  overrides: string,
  keys: { readonly aws: TestGpgKey; readonly other: TestGpgKey },
  scenario: PluginSignatureScenario,
): void {
  if (scenario === 'aws') return;
  if (scenario === 'tampered') {
    writeDetachedSignature(
      keys.aws,
      `${SIGNER_PLUGIN_SOURCE}\n// one more line\n`,
      join(overrides, PLUGIN_SIGNATURE),
    );
  } else if (scenario === 'other-key') {
    writeDetachedSignature(keys.other, SIGNER_PLUGIN_SOURCE, join(overrides, PLUGIN_SIGNATURE));
    writeFileSync(join(overrides, PLUGIN_PUBLIC_KEY), keys.other.publicKey);
  } else {
    writeFileSync(join(overrides, PLUGIN_PUBLIC_KEY), '<html>Access Denied</html>\n');
  }
}
