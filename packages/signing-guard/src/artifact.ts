/**
 * What a stack needs to deploy the signing guard: where the bundle is, the name of the
 * configuration file the function reads next to it, and that file's shape. Nothing here imports
 * the AWS SDK, so a Pulumi program can import it.
 */
import { fileURLToPath } from 'node:url';

export {
  parseSigningGuardConfig,
  SIGNING_GUARD_CONFIG_FILE,
  type SigningGuardApp,
  type SigningGuardConfig,
} from './config.js';
export { guardInputTemplate, guardRuleKey } from './invocation.js';

/**
 * The bundled function (CommonJS, every dependency inside), written by this package's `build`
 * target (`nx run signing-guard:build`). The same path from `src/` and from `dist/`.
 */
export const SIGNING_GUARD_BUNDLE = fileURLToPath(new URL('../dist/bundle/index.js', import.meta.url));

/** The Lambda runtime the function is deployed with; the bundle targets its Node.js version. */
export const SIGNING_GUARD_RUNTIME = 'nodejs22.x';

/** The function's file name in its code archive, and its handler (`<file>.<export>`). */
export const SIGNING_GUARD_ENTRY = 'index.js';
export const SIGNING_GUARD_HANDLER = 'index.handler';
