import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { createAccessLog, requestIdFor, type RequestId } from './access-log.js';
import type { Config, LogLevel } from './config.js';
import { BatchedDestination } from './log-destination.js';

/** A response: a status and a JSON-serialisable body (or bytes already serialised as JSON). */
export interface Reply {
  readonly status: number;
  readonly body: Buffer | object;
}

/** Answers a `GET`/`HEAD` request for one path. It may be async; a throw or rejection becomes a bare 500. */
export type Handler = (req: IncomingMessage) => Reply | Promise<Reply>;

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Where logs go; default: {@link createLogger} at the configured level, writing to stdout. */
  readonly logger?: Logger;
  /**
   * Extra `GET`/`HEAD` routes by exact path, added to the built-in ones (which they cannot replace). Apps
   * started from this template add their endpoints here; tests use it to exercise failure paths.
   */
  readonly routes?: Readonly<Record<string, Handler>>;
}

/** The service, built but not listening. */
export interface App {
  /** The HTTP server; the caller decides where it listens. */
  readonly server: Server;
  /** Logger the app writes to. */
  readonly logger: Logger;
  /** False once {@link App.shutdown} has started. */
  readonly ready: boolean;
  /**
   * Graceful shutdown. Readiness turns false at once and every response from now on carries
   * `Connection: close`; after the drain delay the listener closes, idle keep-alive sockets are closed and
   * the promise resolves once in-flight requests have been answered and every connection has ended.
   * Idempotent: later calls return the same promise.
   */
  shutdown(): Promise<void>;
}

/**
 * Creates the service's JSON-lines logger; by default it writes to stdout through a
 * {@link BatchedDestination} (4 KiB writes, flushed at least every 250 ms and on exit).
 */
export function createLogger(
  level: LogLevel,
  destination: DestinationStream = new BatchedDestination(1),
): Logger {
  return pino({ level }, destination);
}

const METHODS_ALLOWED = 'GET, HEAD';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const problem = (status: number, error: string, requestId: RequestId): Reply => ({
  status,
  body: { statusCode: status, error, requestId },
});

/**
 * Builds the HTTP service without listening: `GET /` (greeting with the build identity), `GET /healthz`
 * (liveness), `GET /readyz` (readiness; 503 while draining). Unknown paths get a JSON 404, other methods a
 * JSON 405 with `Allow`, and failures a JSON 500 that never carries the error itself. Each request gets an
 * id (a sane incoming `x-request-id`, else a new random 128-bit hex id) that is echoed in `x-request-id`
 * and logged.
 */
export function buildApp(config: Config, options: BuildAppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const accessLog = createAccessLog(logger);
  let draining = false;
  let stopping: Promise<void> | undefined;

  // Static answers are serialised once: the greeting is the hot path the throughput goal is measured on.
  const { app, version, commit, imageDigest } = config.identity;
  const greeting: Reply = {
    status: 200,
    body: json({ message: `Hello from ${app}`, app, version, commit, imageDigest }),
  };
  const alive: Reply = { status: 200, body: json({ status: 'ok' }) };
  const ready: Reply = { status: 200, body: json({ status: 'ready' }) };
  const notReady: Reply = { status: 503, body: json({ status: 'draining' }) };

  const routes = new Map<string, Handler>(Object.entries(options.routes ?? {}));
  routes.set('/', () => greeting);
  routes.set('/healthz', () => alive);
  routes.set('/readyz', () => (draining ? notReady : ready));

  const send = (
    res: ServerResponse,
    reply: Reply,
    requestId: RequestId,
    start: number,
    path: string,
  ): void => {
    const body = Buffer.isBuffer(reply.body) ? reply.body : json(reply.body);
    // A flat header list skips ServerResponse's per-header bookkeeping on the hot path.
    const headers = [
      'content-type',
      CONTENT_TYPE,
      'content-length',
      String(body.length),
      'cache-control',
      'no-store',
      'x-content-type-options',
      'nosniff',
      'x-request-id',
      requestId,
    ];
    if (reply.status === 405) headers.push('allow', METHODS_ALLOWED);
    // Tells keep-alive clients to reconnect elsewhere; Node then closes the socket after this response.
    if (draining) headers.push('connection', 'close');
    res.writeHead(reply.status, headers);
    res.end(body);
    accessLog(requestId, res.req.method ?? '', path, reply.status, start);
  };

  const fail = (
    res: ServerResponse,
    err: unknown,
    requestId: RequestId,
    start: number,
    path: string,
  ): void => {
    logger.error({ reqId: requestId, err }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, problem(500, 'Internal Server Error', requestId), requestId, start, path);
  };

  // A handler's reply can still be unusable (a status Node rejects, a body JSON cannot serialise): that is
  // a 500 for this request, never an exception that reaches the process.
  const reply = (
    res: ServerResponse,
    value: Reply,
    requestId: RequestId,
    start: number,
    path: string,
  ): void => {
    try {
      send(res, value, requestId, start, path);
    } catch (err) {
      fail(res, err, requestId, start, path);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const start = performance.now();
    const requestId = requestIdFor(req.headers['x-request-id']);
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);

    const handler = routes.get(path);
    if (handler === undefined) {
      send(res, problem(404, 'Not Found', requestId), requestId, start, path);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, problem(405, 'Method Not Allowed', requestId), requestId, start, path);
      return;
    }
    let result: Reply | Promise<Reply>;
    try {
      result = handler(req);
    } catch (err) {
      fail(res, err, requestId, start, path);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => reply(res, value, requestId, start, path),
        (err: unknown) => fail(res, err, requestId, start, path),
      );
    } else {
      reply(res, result, requestId, start, path);
    }
  };

  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      maxHeaderSize: config.maxHeaderSize,
    },
    onRequest,
  );

  const shutdown = async (): Promise<void> => {
    draining = true;
    logger.info({ drainDelayMs: config.drainDelayMs }, 'shutdown started: readiness is false, draining');
    await sleep(config.drainDelayMs);
    await new Promise<void>((resolve, reject) => {
      // Since Node 19, close() also closes idle keep-alive sockets; sockets with a request in flight stay
      // open until their response (sent with Connection: close) is written.
      server.close((err) => {
        if (err === undefined || (err as NodeJS.ErrnoException).code === 'ERR_SERVER_NOT_RUNNING') resolve();
        else reject(err);
      });
      logger.info('listener closed, waiting for in-flight requests');
    });
    logger.info('all connections closed');
  };

  return {
    server,
    logger,
    get ready() {
      return !draining;
    },
    shutdown: () => (stopping ??= shutdown()),
  };
}
