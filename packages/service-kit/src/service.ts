import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { createAccessLog, requestIdFor, type RequestId } from './access-log.js';
import type { ServiceConfig } from './config.js';
import { createDrain } from './drain.js';
import { createLogger } from './logger.js';
import { json, staticReply, type Handler, type Reply, type Routes } from './routes.js';

/** Options of {@link createService}. */
export interface ServiceOptions {
  /** Where logs go; default: {@link createLogger} at the configured level, writing to stdout. */
  readonly logger?: Logger;
  /**
   * The app's `GET`/`HEAD` routes by exact path, added to the built-in `/healthz` and `/readyz` (which they
   * cannot replace).
   */
  readonly routes?: Routes;
}

/** A service, built but not listening. */
export interface Service {
  /** The HTTP server; the caller decides where it listens. */
  readonly server: Server;
  /** Logger the service writes to. */
  readonly logger: Logger;
  /** False once {@link Service.shutdown} has started. */
  readonly ready: boolean;
  /**
   * Graceful shutdown. Readiness turns false at once and responses carry `Connection: close`; after the
   * drain delay the listener closes, connections without a request in progress are closed once they have
   * had a moment to send one, and the promise resolves once in-flight requests have been answered and
   * every connection has ended. Idempotent: later calls return the same promise.
   */
  shutdown(): Promise<void>;
}

const METHODS_ALLOWED = 'GET, HEAD';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const problem = (status: number, error: string, requestId: RequestId): Reply => ({
  status,
  body: { statusCode: status, error, requestId },
});

/**
 * Builds an HTTP service without listening: the app's routes plus `GET /healthz` (liveness) and
 * `GET /readyz` (readiness; 503 while draining). Unknown paths get a JSON 404, other methods a JSON 405
 * with `Allow`, and failures a JSON 500 that never carries the error itself. Each request gets an id (a
 * sane incoming `x-request-id`, else a new random 128-bit hex id) that is echoed in `x-request-id` and
 * logged with one access-log line per request.
 */
export function createService(config: ServiceConfig, options: ServiceOptions = {}): Service {
  const logger = options.logger ?? createLogger(config.logLevel);
  const accessLog = createAccessLog(logger);

  const alive = staticReply(200, { status: 'ok' });
  const ready = staticReply(200, { status: 'ready' });
  const notReady = staticReply(503, { status: 'draining' });

  const routes = new Map<string, Handler>(Object.entries(options.routes ?? {}));
  routes.set('/healthz', () => alive);
  routes.set('/readyz', () => (drain.ready ? ready : notReady));

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
    if (drain.asksToClose) headers.push('connection', 'close');
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
  const drain = createDrain(server, { drainDelayMs: config.drainDelayMs, logger });

  return {
    server,
    logger,
    get ready() {
      return drain.ready;
    },
    shutdown: () => drain.shutdown(),
  };
}
