// Test helpers for services built on the kit: real HTTP on an ephemeral loopback port, captured logs, and
// the checks of an app's manifests and Dockerfile. For tests only: resolved from source, never built.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { LogLevel } from '../config.js';
import { createLogger } from '../logger.js';
import type { Service } from '../service.js';

export {
  deploymentChecks,
  describeDeployment,
  IMAGE_PLACEHOLDER,
  type DeploymentCheck,
  type DeploymentOptions,
} from './deployment.js';
export { request, type RequestOptions, type Response } from './http.js';

/** A logger whose lines are kept in memory. */
export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line as written, newline included. */
  readonly lines: string[];
  /** Every line, parsed. */
  readonly entries: Record<string, unknown>[];
}

/** A logger as services create it ({@link createLogger}), writing to memory instead of stdout. */
export function captureLogs(level: LogLevel = 'info'): CapturedLogs {
  const lines: string[] = [];
  const entries: Record<string, unknown>[] = [];
  const logger = createLogger(level, {
    write: (line: string) => {
      lines.push(line);
      entries.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, lines, entries };
}

/** Listens on an ephemeral port of 127.0.0.1 and resolves with that port. */
export async function listenOnLoopback(service: Service): Promise<number> {
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  return (service.server.address() as AddressInfo).port;
}
