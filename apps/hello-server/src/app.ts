import { createService, staticReply } from '@signet/service-kit';
import type { Service, ServiceOptions } from '@signet/service-kit';
import type { Config } from './config.js';

/**
 * Builds the service without listening: `GET /` greets with the build identity, on top of the kit's
 * `/healthz` and `/readyz`, JSON errors, request ids, request log and graceful shutdown.
 */
export function buildApp(config: Config, options: Omit<ServiceOptions, 'routes'> = {}): Service {
  // Serialised once: the greeting is the hot path the throughput goal is measured on.
  const { app, version, commit, imageDigest } = config.identity;
  const greeting = staticReply(200, { message: `Hello from ${app}`, app, version, commit, imageDigest });
  return createService(config, { ...options, routes: { '/': () => greeting } });
}
