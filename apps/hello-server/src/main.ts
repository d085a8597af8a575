// Process entry point: parse the environment, listen, and turn SIGTERM/SIGINT into a graceful shutdown.
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { APP_NAME, ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';

/** sysexits.h EX_CONFIG: the process cannot start with the configuration it was given. */
const EXIT_CONFIG = 78;

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${APP_NAME}: ${err.message}\n`);
  process.exit(EXIT_CONFIG);
}

const app = buildApp(config);
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
