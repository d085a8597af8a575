export {
  engineBinary,
  engineCacheRoot,
  engineDir,
  isExecutable,
  readReceipt,
  RECEIPT_FILE,
  type EngineReceipt,
} from './layout.js';
export { EngineMissingError, requireEngine } from './locate.js';
export {
  findOnPath,
  provision,
  provisionAll,
  ProvisionError,
  type EngineSource,
  type EngineSpec,
  type GoSource,
  type ProvisionOptions,
  type ProvisionResult,
  type ReleaseSource,
  type SystemSource,
} from './provision.js';
export {
  freePort,
  motoEnvironment,
  startMoto,
  startProcess,
  startRegistry,
  stopProcess,
  waitUntilReady,
  type LocalService,
  type RegistryOptions,
} from './services.js';
export {
  DRILL_ENGINE_VERSIONS,
  requireTestEngine,
  TEST_ENGINE_VERSIONS,
  type TestEngine,
} from './versions.js';
