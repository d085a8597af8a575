import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from './config.js';
import { BatchedDestination } from './log-destination.js';

/**
 * Creates a service's JSON-lines logger; by default it writes to stdout through a
 * {@link BatchedDestination} (16 KiB writes, flushed at least every 250 ms and on exit).
 */
export function createLogger(
  level: LogLevel,
  destination: DestinationStream = new BatchedDestination(1),
): Logger {
  return pino({ level }, destination);
}
