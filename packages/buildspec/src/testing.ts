/**
 * The engines the buildspec scenario tests sign and verify with, for other projects' tests: a TLS
 * registry behind the ECR hostname (through a local CONNECT proxy), moto, two notation test keys,
 * and the AWS Signer plugin stand-in. Test infrastructure only; no deployable code imports it.
 */
export {
  clientEnv,
  ECR_PASSWORD,
  REGISTRY_HOST,
  runOk,
  stopTestServices,
  testServices,
  type TestKey,
  type TestServices,
} from './test/engines.js';
export {
  SIGNER_PLUGIN_EXECUTABLE,
  SIGNER_PLUGIN_NAME,
  SIGNER_PLUGIN_SOURCE,
  writeSignerPluginZip,
} from './test/signer-plugin.js';
export { makeGpgKey, stopGpgAgent, writeDetachedSignature, type TestGpgKey } from './test/gpg.js';
