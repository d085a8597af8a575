import type { AddressInfo } from 'node:net';
import { ConfigError } from './config.js';
import type { Env, ServiceConfig } from './config.js';
import type { Service } from './service.js';

/** sysexits.h EX_CONFIG: the process cannot start with the configuration it was given. */
export const EXIT_CONFIG = 78;

/** Options of {@link runService}. */
export interface RunServiceOptions<C extends ServiceConfig> {
  /** The app's name, which prefixes a configuration error on stderr (there is no logger yet). */
  readonly name: string;
  /** Parses the environment; throws {@link ConfigError} on invalid variables. */
  readonly loadConfig: (env: Env) => C;
  /** Builds the service, not listening. */
  readonly buildApp: (config: C) => Service;
  /** Environment to parse; default `process.env`. */
  readonly env?: Env;
}

/**
 * A service's process entry point: parses the environment (on invalid variables: each one on stderr and
 * exit code {@link EXIT_CONFIG}), builds the service, listens, and turns SIGTERM/SIGINT into its graceful
 * shutdown, exiting 0 once it is done, or 1 when it outlasts `SHUTDOWN_GRACE_MS`. An uncaught exception,
 * an unhandled rejection or a failure to listen is logged as fatal and exits 1.
 */
export function runService<C extends ServiceConfig>(options: RunServiceOptions<C>): void {
  let config: C;
  try {
    config = options.loadConfig(options.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${options.name}: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }

  const app = options.buildApp(config);
  const { logger, server } = app;

  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });

  server.once('error', (err) => {
    logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });

  server.listen(config.port, config.host, () => {
    const { address, port } = server.address() as AddressInfo;
    logger.info({ address, port, identity: config.identity }, 'listening');
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (!app.ready) {
      logger.warn({ signal }, 'shutdown already in progress');
      return;
    }
    logger.info({ signal, shutdownGraceMs: config.shutdownGraceMs }, 'stop signal received');
    // Kubernetes kills the pod after terminationGracePeriodSeconds anyway; exiting first, non-zero, makes a
    // stuck shutdown visible in the logs and the exit code instead of as a SIGKILL.
    setTimeout(() => {
      logger.error({ shutdownGraceMs: config.shutdownGraceMs }, 'shutdown grace period exceeded, exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    app.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
