import { loadServiceConfig } from '@signet/service-kit';
import type { Env, ServiceConfig } from '@signet/service-kit';

/** Name of this service: the Kubernetes Deployment, container, namespace and ECR repository share it. */
export const APP_NAME = 'hello-server';

/** Typed runtime configuration of the service. */
export type Config = ServiceConfig;

/**
 * Parses the environment at start: the service kit's variables (its README lists them), with `PORT`
 * defaulting to the container port 8080. Variables of the app's own go in an `extra: (read) => ({ … })`
 * option, read with the same `EnvReader`, so one start reports every problem.
 *
 * @throws {ConfigError} naming every invalid variable, its value and what it accepts.
 */
export function loadConfig(env: Env): Config {
  return loadServiceConfig(env, { app: APP_NAME, port: 8080 });
}
