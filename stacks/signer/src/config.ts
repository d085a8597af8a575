import { configKey, defineStackConfig, FIRST_GENERATION, SIGNATURE_VALIDITY_MONTHS } from '@signet/platform';
import { z } from 'zod';

/** Configuration of `signet-signer`, per environment in `Pulumi.<env>.yaml`. */
export const signerConfig = defineStackConfig('signet-signer', {
  signatureValidityMonths: configKey(
    z
      .number()
      .int()
      .min(SIGNATURE_VALIDITY_MONTHS.min)
      .max(SIGNATURE_VALIDITY_MONTHS.max)
      .default(12)
      .describe(
        'Months a signature stays valid; after that the image must be re-signed (rebuilt) to pass admission.',
      ),
    `an integer from ${SIGNATURE_VALIDITY_MONTHS.min} to ${SIGNATURE_VALIDITY_MONTHS.max}`,
  ),
  extraIdentities: configKey(
    z
      .array(z.string().regex(/^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/))
      .default([])
      .describe(
        'Signing identities every app gets besides `pipeline`, e.g. `release` for a second signing stage.',
      ),
    'a list of identity names (1 to 16 lowercase letters, digits or "-", starting with a letter)',
  ),
  generation: configKey(
    z
      .number()
      .int()
      .min(FIRST_GENERATION)
      .default(FIRST_GENERATION)
      .describe(
        'Generation of the signing profile names: raise it by one when re-creating an environment after `signet decommission`, whose canceled or revoked profiles keep their names reserved in Signer (generation N > 1 names profiles `signet_<env>_<N>_<app>`).',
      ),
    'an integer from 1',
  ),
});
