export type { DestinationStream, Logger } from 'pino';
export {
  ACCESS_LOG_MESSAGE,
  createAccessLog,
  requestIdFor,
  type AccessLog,
  type RequestId,
} from './access-log.js';
export {
  ConfigError,
  EnvReader,
  LOG_LEVELS,
  loadServiceConfig,
  type BuildIdentity,
  type ConfigIssue,
  type Env,
  type LogLevel,
  type ServiceConfig,
  type ServiceConfigOptions,
} from './config.js';
export { BatchedDestination, type BatchedDestinationOptions } from './log-destination.js';
export { createLogger } from './logger.js';
export { json, staticReply, type Handler, type Reply, type Routes } from './routes.js';
export { EXIT_CONFIG, runService, type RunServiceOptions } from './run.js';
export { createService, type Service, type ServiceOptions } from './service.js';
