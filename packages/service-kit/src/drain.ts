import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

/**
 * Longest part of the drain delay, at its end, during which responses stop asking clients to reconnect.
 * A client told `Connection: close` reconnects within milliseconds, to this listener when it addresses
 * the pod directly or its node's endpoints are not yet updated; a listener that closes then resets every
 * connection still waiting in the kernel's accept queue, after the client has sent its request on it. With
 * no response asking for a reconnect, that queue is empty by the time the listener closes.
 */
export const SETTLE_MS = 500;

/**
 * Time a connection without a request in progress keeps after the listener closes, to send one. A client
 * writes its first request as soon as it connects, and its next one as soon as the previous answer
 * arrives, so a connection accepted just before the close, or between two requests, gets that request
 * in (answered with `Connection: close`) instead of being cut while it is on the wire.
 */
export const IDLE_CLOSE_DELAY_MS = 1_000;

/** Options of {@link createDrain}. */
export interface DrainOptions {
  /** Time to keep serving, readiness false, before the listener closes. */
  readonly drainDelayMs: number;
  readonly logger: Logger;
}

/** Graceful shutdown of one HTTP server. */
export interface Drain {
  /** False once {@link Drain.shutdown} has started. */
  readonly ready: boolean;
  /** True while every response should carry `Connection: close`. */
  readonly asksToClose: boolean;
  /** Starts the shutdown; later calls return the same promise. */
  shutdown(): Promise<void>;
}

type Phase = 'serving' | 'draining' | 'settling' | 'closing';

/**
 * The shutdown sequence of `server`, which the service consults on every response:
 *
 * 1. draining (the drain delay but its last {@link SETTLE_MS}, at most half of it): readiness is false and
 *    every response carries `Connection: close`, so keep-alive clients reconnect, through the Service, to
 *    other pods;
 * 2. settling: responses no longer ask for a reconnect, so no client is connecting to this listener when
 *    it closes;
 * 3. closing: the listener closes (new connections are refused) and every response carries
 *    `Connection: close` again; connections without a request in progress (between two requests, or
 *    without a byte received yet) are closed after {@link IDLE_CLOSE_DELAY_MS}, unless they have ended by
 *    then; a request in progress, or one whose head is arriving, is answered.
 *
 * The promise resolves once every connection has ended.
 */
export function createDrain(server: Server, options: DrainOptions): Drain {
  const { drainDelayMs, logger } = options;
  let phase: Phase = 'serving';
  let stopping: Promise<void> | undefined;
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  const run = async (): Promise<void> => {
    phase = 'draining';
    logger.info({ drainDelayMs }, 'shutdown started: readiness is false, draining');
    const settleMs = Math.min(SETTLE_MS, Math.floor(drainDelayMs / 2));
    await sleep(drainDelayMs - settleMs);
    phase = 'settling';
    await sleep(settleMs);

    const ended = new Promise<void>((resolve) => server.once('close', () => resolve()));
    phase = 'closing';
    // http.Server#close() first destroys every connection between two requests, at once, though the next
    // request may already be on the wire (a client sends it as soon as the previous answer arrives); the
    // client then sees a reset for a request it has sent (https://nodejs.org/api/http.html#serverclosecallback).
    // net.Server's close, which it calls next, only stops accepting; idle connections are closed below, once
    // they have had time for a request.
    // Node's request and header timeouts keep applying to the connections left (its checker is unref'd,
    // so it never holds the process).
    NetServer.prototype.close.call(server);
    logger.info('listener closed, waiting for in-flight requests');

    let timer: NodeJS.Timeout | undefined;
    const idleDelay = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), IDLE_CLOSE_DELAY_MS);
    });
    if ((await Promise.race([ended.then(() => 'ended' as const), idleDelay])) === 'idle') {
      server.closeIdleConnections();
      // Node counts a connection that has not sent a byte as busy (its headers timeout runs from the accept),
      // so it would hold the shutdown until the grace period; it has no request to cut.
      for (const socket of connections) if (socket.bytesRead === 0) socket.destroy();
    }
    clearTimeout(timer);
    await ended;
    logger.info('all connections closed');
  };

  return {
    get ready() {
      return phase === 'serving';
    },
    get asksToClose() {
      return phase === 'draining' || phase === 'closing';
    },
    shutdown: () => (stopping ??= run()),
  };
}
