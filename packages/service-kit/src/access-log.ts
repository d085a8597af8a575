import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { BatchedDestination } from './log-destination.js';

/** Message of every access-log line. */
export const ACCESS_LOG_MESSAGE = 'request completed';

/** Level the access log writes at. */
const ACCESS_LEVEL = 'info';

/**
 * A request id that is safe to echo into a header and a JSON log line as it is: 1–128 characters of
 * `A-Za-z0-9_.:@+/=-`. Only {@link requestIdFor} makes one.
 */
export type RequestId = string & { readonly __brand: 'RequestId' };

/** Incoming ids are echoed into logs and headers, so only short ids from a conservative alphabet are kept. */
const SANE_REQUEST_ID = /^[\w.:@+/=-]{1,128}$/;

/** Bytes of a generated id: 128 random bits, as a W3C trace-id has. */
const ID_BYTES = 16;
/** Random bytes drawn from the kernel at once, for this many ids. */
const ID_POOL = Buffer.alloc(ID_BYTES * 256);
let idOffset = ID_POOL.length;

/**
 * The request id of a request: its `x-request-id` header when that is sane, else a fresh random id of 32
 * lowercase hex characters (128 bits from the system CSPRNG; the format of a W3C trace-id). The hex is
 * produced in one step, which leaves the string flat for the header and the log line that use it.
 */
export function requestIdFor(incoming: string | readonly string[] | undefined): RequestId {
  if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming as RequestId;
  if (idOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  const id = ID_POOL.toString('hex', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id as RequestId;
}

/**
 * Writes one access-log line for a request that has just been answered. `method` is the method Node's
 * HTTP parser accepted (a token); `start` is `performance.now()` when the request arrived: the line's `ms`
 * is the time since then, with three decimals.
 */
export type AccessLog = (
  reqId: RequestId,
  method: string,
  path: string,
  status: number,
  start: number,
) => void;

/** Whole microseconds from `start` (a `performance.now()` reading) to `end`. */
const micros = (start: number, end: number): number => Math.round((end - start) * 1000);

/** The fields of an access-log line, in the order they are written. */
const FIELDS = ['reqId', 'method', 'path', 'status', 'ms'] as const;

// pino.symbols is pino's documented door for "performant integration where necessary"; these are the pieces
// pino itself joins into a line. msgPrefixSym exists at runtime but is missing from pino's type of symbols.
const symbols = pino.symbols as typeof pino.symbols & { readonly msgPrefixSym?: symbol };

/** A pino logger seen through the symbols of the state the fast path reads. */
interface PinoInternals {
  readonly [symbols.lsCacheSym]: Readonly<Record<number, string>>;
  readonly [symbols.timeSym]: () => string;
  readonly [symbols.chindingsSym]: string;
  readonly [symbols.endSym]: string;
  readonly [symbols.streamSym]: { write(line: string): unknown };
}

/**
 * Why `logger` cannot take the fast path (an option whose effect the fixed-shape line would skip), or
 * undefined when it can.
 */
export function fastPathObstacle(logger: Logger): string | undefined {
  const raw = logger as unknown as Record<symbol, unknown>;
  const formatters = raw[symbols.formattersSym] as { log?: unknown } | undefined;
  const hooks = raw[symbols.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const serializers = (raw[symbols.serializersSym] ?? {}) as Record<string, unknown>;
  const stringifiers = (raw[symbols.stringifiersSym] ?? {}) as Record<string, unknown>;
  const stream = raw[symbols.streamSym] as Record<symbol, unknown> | undefined;
  if (typeof (stream as { write?: unknown } | undefined)?.write !== 'function') return 'no stream';
  if (stream?.[symbols.needsMetadataGsym] === true) return 'a stream that needs metadata (multistream)';
  if (raw[symbols.mixinSym] !== undefined && raw[symbols.mixinSym] !== null) return 'mixin';
  if (formatters?.log !== undefined) return 'formatters.log';
  if (hooks?.logMethod !== undefined) return 'hooks.logMethod';
  if (hooks?.streamWrite !== undefined) return 'hooks.streamWrite';
  if (raw[symbols.nestedKeySym]) return 'nestedKey';
  if (symbols.msgPrefixSym === undefined) return 'an unknown pino version';
  if (typeof raw[symbols.msgPrefixSym] === 'string') return 'msgPrefix';
  if (raw[symbols.messageKeySym] !== 'msg') return 'messageKey';
  if (Object.keys(stringifiers).length > 0) return 'redact';
  const serialized = FIELDS.find((field) => serializers[field] !== undefined);
  if (serialized !== undefined) return `a serializer for "${serialized}"`;
  if (logger.levels.values[ACCESS_LEVEL] === undefined) return `no "${ACCESS_LEVEL}" level`;
  return undefined;
}

/** Records an access log keeps before it has them rendered (about 50 KiB of lines). */
const DEFERRED_RECORDS = 256;

/**
 * The access log: one `info` line per finished request, `{reqId, method, path, status, ms}` with the
 * message {@link ACCESS_LOG_MESSAGE}, written to `logger`'s destination.
 *
 * It is the one log call on every request, so it skips pino's generic serializer (which walks an object
 * per call and cost a quarter of a request's instructions) and joins the fixed-shape line from the pieces pino
 * would use itself: the logger's level label, timestamp, bindings (pid, hostname and any child bindings)
 * and line end. The line parses to the same JSON that `logger.info(fields, message)` writes, and obeys
 * the logger's level as it changes. A logger configured with anything that line would skip (mixin,
 * formatters.log, hooks, redaction, nestedKey, msgPrefix, another messageKey, serializers for these
 * fields, a stream that needs metadata) gets `logger.info` instead.
 *
 * On a {@link BatchedDestination} with pino's default timestamp, a request only records its fields and a
 * monotonic clock reading; the lines are rendered in bulk when the destination writes or another line is
 * logged (see {@link BatchedDestination.defer}). Rendering many lines in one loop, away from the HTTP code,
 * costs a fraction of rendering each in the middle of its request, and the order of lines is kept.
 */
export function createAccessLog(logger: Logger): AccessLog {
  if (fastPathObstacle(logger) !== undefined) {
    return (reqId, method, path, status, start) =>
      logger.info(
        { reqId, method, path, status, ms: micros(start, performance.now()) / 1000 },
        ACCESS_LOG_MESSAGE,
      );
  }
  const pinoLogger = logger as unknown as PinoInternals;
  const level = logger.levels.values[ACCESS_LEVEL] as number;
  const levelLabel = pinoLogger[symbols.lsCacheSym][level];
  const tail = `,"msg":${JSON.stringify(ACCESS_LOG_MESSAGE)}${pinoLogger[symbols.endSym]}`;
  // The request id is sane by construction and the method a token, so only the path needs JSON escaping.
  const line = (
    time: string | number,
    bindings: string,
    reqId: string,
    method: string,
    path: string,
    status: number,
    duration: number,
  ): string =>
    `${levelLabel}${typeof time === 'number' ? `,"time":${time}` : time}${bindings},"reqId":"${reqId}","method":"${method}","path":${JSON.stringify(path)},"status":${status},"ms":${millis(duration)}${tail}`;

  const stream = pinoLogger[symbols.streamSym];
  if (
    !(stream instanceof BatchedDestination) ||
    pinoLogger[symbols.timeSym] !== pino.stdTimeFunctions.epochTime
  ) {
    return (reqId, method, path, status, start) => {
      if (!logger.isLevelEnabled(ACCESS_LEVEL)) return;
      const duration = micros(start, performance.now());
      // Bindings and destination are read per line, as pino does: setBindings() may change them.
      pinoLogger[symbols.streamSym].write(
        line(
          pinoLogger[symbols.timeSym](),
          pinoLogger[symbols.chindingsSym],
          reqId,
          method,
          path,
          status,
          duration,
        ),
      );
    };
  }

  // Each record keeps the monotonic time it was answered at; its wall-clock time is worked out when it is
  // rendered, from one Date.now() for the whole batch (exact to the millisecond Date.now() has).
  const ends = new Float64Array(DEFERRED_RECORDS);
  const statuses = new Uint16Array(DEFERRED_RECORDS);
  const durations = new Float64Array(DEFERRED_RECORDS);
  const bindings: string[] = new Array<string>(DEFERRED_RECORDS).fill('');
  const reqIds: string[] = new Array<string>(DEFERRED_RECORDS).fill('');
  const methods: string[] = new Array<string>(DEFERRED_RECORDS).fill('');
  const paths: string[] = new Array<string>(DEFERRED_RECORDS).fill('');
  let recorded = 0;
  const pull = stream.defer(() => {
    if (recorded === 0) return '';
    const wallMinusMonotonic = Date.now() - performance.now();
    let text = '';
    for (let i = 0; i < recorded; i += 1) {
      text += line(
        Math.round(wallMinusMonotonic + (ends[i] ?? 0)),
        bindings[i] ?? '',
        reqIds[i] ?? '',
        methods[i] ?? '',
        paths[i] ?? '',
        statuses[i] ?? 0,
        durations[i] ?? 0,
      );
      // Paths and ids are the client's; do not keep them alive past their line.
      reqIds[i] = '';
      paths[i] = '';
    }
    recorded = 0;
    return text;
  });
  return (reqId, method, path, status, start) => {
    if (!logger.isLevelEnabled(ACCESS_LEVEL)) return;
    const i = recorded;
    const end = performance.now();
    ends[i] = end;
    bindings[i] = pinoLogger[symbols.chindingsSym];
    reqIds[i] = reqId;
    methods[i] = method;
    paths[i] = path;
    statuses[i] = status;
    durations[i] = micros(start, end);
    recorded = i + 1;
    if (recorded === DEFERRED_RECORDS) pull();
  };
}

/** "000" to "999": the fraction of {@link millis}. */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Whole microseconds as milliseconds with three decimals, as JSON number text (`1234` → `1.234`, `87` →
 * `0.087`). Integer arithmetic and a table: a float's shortest decimal form costs more than the rest of
 * the line.
 */
export function millis(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) return 'null';
  return `${Math.trunc(micros / 1000)}.${THOUSANDTHS[micros % 1000]}`;
}
