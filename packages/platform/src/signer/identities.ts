import { PIPELINE_IDENTITY } from '../contracts.js';
import type { Environment } from '../environment.js';
import { assertUniqueProfileNames, FIRST_GENERATION, signingProfileName } from '../naming.js';

/** One signing identity to create: an app, an identity name and its Signer profile name. */
export interface PlannedSigningIdentity {
  readonly app: string;
  readonly identity: string;
  readonly profileName: string;
}

const IDENTITY = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;

/**
 * The signing identities of an environment: for every app the pipeline identity, plus each extra
 * identity (e.g. `release`, for a second signing stage). Profile names are checked for Signer's
 * pattern and for uniqueness across the environment. `generation` is the signer stack's
 * `generation` (see {@link signingProfileName}).
 */
export function planSigningIdentities(
  environment: Environment,
  apps: readonly string[],
  extraIdentities: readonly string[] = [],
  generation: number = FIRST_GENERATION,
): PlannedSigningIdentity[] {
  const seen = new Set<string>();
  for (const identity of extraIdentities) {
    if (!IDENTITY.test(identity) || identity === PIPELINE_IDENTITY) {
      throw new Error(
        `signing identity "${identity}" is invalid; allowed: 1 to 16 lowercase letters, digits or "-", starting with a letter, other than "${PIPELINE_IDENTITY}"`,
      );
    }
    if (seen.has(identity))
      throw new Error(`signing identity "${identity}" is listed twice; allowed: each identity once`);
    seen.add(identity);
  }
  const planned = apps.flatMap((app) =>
    [PIPELINE_IDENTITY, ...extraIdentities].map((identity) => ({
      app,
      identity,
      profileName: signingProfileName(
        environment,
        app,
        identity === PIPELINE_IDENTITY ? undefined : identity,
        generation,
      ),
    })),
  );
  assertUniqueProfileNames(
    planned.map((p) => ({ name: p.profileName, owner: `app "${p.app}" identity "${p.identity}"` })),
  );
  return planned;
}
