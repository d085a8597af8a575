import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Logger, LoggerOptions } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccessLog, fastPathObstacle, millis, requestIdFor, type RequestId } from './access-log.js';
import { BatchedDestination } from './log-destination.js';

const GENERATED_ID = /^[0-9a-f]{32}$/;
const ID = requestIdFor('trace-1');
type Line = Record<string, unknown>;

/** A logger writing to an array of raw lines. */
function capture(options: LoggerOptions = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: pino({ level: 'info', ...options }, { write: (line: string) => void lines.push(line) }),
    lines,
  };
}

/** A line's fields but its time and duration, which differ between two calls. */
const withoutTimes = (line: string): Line => {
  const { time, ms, ...rest } = JSON.parse(line) as Line;
  expect(typeof time).toBe('number');
  expect(typeof ms).toBe('number');
  return rest;
};

/** A `performance.now()` reading `ms` milliseconds ago. */
const ago = (ms: number): number => performance.now() - ms;

const dirs: string[] = [];
const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A logger on a BatchedDestination writing to a temporary file, and a reader of that file's lines. */
function batched(options: LoggerOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'access-log-'));
  dirs.push(dir);
  const path = join(dir, 'log');
  const fd = openSync(path, 'w');
  fds.push(fd);
  const destination = new BatchedDestination(fd, { batchSize: 1 << 20, flushIntervalMs: 60_000 });
  const logger = pino({ level: 'info', ...options }, destination);
  const read = (): Line[] =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line);
  return { logger, destination, read };
}

describe('requestIdFor', () => {
  it('keeps a sane incoming id and replaces anything else by a fresh 128-bit hex id', () => {
    expect(requestIdFor('Root=1-67891233-abcdef012345678912345678')).toBe(
      'Root=1-67891233-abcdef012345678912345678',
    );
    for (const bad of [undefined, '', 'a"b', 'a\\b', 'x'.repeat(129), 'new\nline', ['a', 'b']]) {
      expect(requestIdFor(bad)).toMatch(GENERATED_ID);
    }
    const ids = new Set(Array.from({ length: 2000 }, () => requestIdFor(undefined)));
    expect(ids.size).toBe(2000);
  });
});

describe('millis', () => {
  it('writes whole microseconds as milliseconds with three decimals, JSON-parseable', () => {
    expect([0, 7, 87, 999, 1000, 1234, 60_000_001].map(millis)).toEqual([
      '0.000',
      '0.007',
      '0.087',
      '0.999',
      '1.000',
      '1.234',
      '60000.001',
    ]);
    expect(JSON.parse(`{"ms":${millis(1234)}}`)).toEqual({ ms: 1.234 });
  });

  it('writes null for a duration it cannot represent', () => {
    expect([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY].map(millis)).toEqual([
      'null',
      'null',
      'null',
      'null',
    ]);
  });
});

describe('createAccessLog on any destination', () => {
  it('writes the JSON line pino writes for the same fields, bindings of a child included', () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'http' });
    for (const target of [logger, child]) {
      createAccessLog(target)(ID, 'GET', '/a "quoted"\\path\u0001', 404, ago(2));
      target.info(
        { reqId: ID, method: 'GET', path: '/a "quoted"\\path\u0001', status: 404, ms: 1.234 },
        'request completed',
      );
    }
    expect(lines).toHaveLength(4);
    expect(withoutTimes(lines[0] ?? '')).toEqual(withoutTimes(lines[1] ?? ''));
    expect(withoutTimes(lines[2] ?? '')).toEqual(withoutTimes(lines[3] ?? ''));
    expect(withoutTimes(lines[2] ?? '')).toMatchObject({ component: 'http', pid: process.pid });
    expect(lines.every((line) => line.endsWith('}\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    const ms = (JSON.parse(lines[0] ?? '') as Line).ms as number;
    expect(ms).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(1000);
    expect(String(ms)).toMatch(/^\d+(\.\d{1,3})?$/);
  });

  it('follows the logger level as it changes', () => {
    const { logger, lines } = capture();
    const log = createAccessLog(logger);
    logger.level = 'warn';
    log(ID, 'GET', '/', 200, ago(1));
    expect(lines).toEqual([]);
    logger.level = 'debug';
    log(ID, 'GET', '/', 200, ago(1));
    expect(lines).toHaveLength(1);
  });

  it.each([
    ['mixin', { mixin: () => ({ extra: 1 }) }, { extra: 1 }],
    [
      'formatters.log',
      { formatters: { log: (o: object) => ({ ...o, formatted: true }) } },
      { formatted: true },
    ],
    ['redact', { redact: ['path'] }, { path: '[Redacted]' }],
    ['messageKey', { messageKey: 'message' }, { message: 'request completed' }],
    ['nestedKey', { nestedKey: 'payload' }, { payload: { status: 200 } }],
    ['a serializer for "path"', { serializers: { path: () => 'serialized' } }, { path: 'serialized' }],
    ['msgPrefix', { msgPrefix: '[http] ' }, { msg: '[http] request completed' }],
    [
      'hooks.logMethod',
      {
        hooks: {
          logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info']) {
            method.apply(this, [{ hooked: true }, 'request completed']);
          },
        },
      },
      { hooked: true },
    ],
  ] as const)('hands a logger with %s to pino, which applies it', (obstacle, options, expected) => {
    const { logger, lines } = capture(options as LoggerOptions);
    expect(fastPathObstacle(logger)).toBe(obstacle);
    createAccessLog(logger)(ID, 'GET', '/x', 200, ago(1));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject(expected);
  });

  it('takes the fast path for a plain logger', () => {
    expect(fastPathObstacle(capture().logger)).toBeUndefined();
    expect(
      fastPathObstacle(pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime })),
    ).toBeUndefined();
  });

  it('keeps a custom timestamp', () => {
    const { logger, lines } = capture({ timestamp: pino.stdTimeFunctions.isoTime });
    createAccessLog(logger)(ID, 'GET', '/', 200, ago(1));
    expect((JSON.parse(lines[0] ?? '') as Line).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('createAccessLog on a BatchedDestination', () => {
  it('defers its lines and writes them in order with the other lines of the logger', () => {
    const { logger, destination, read } = batched();
    const log = createAccessLog(logger);
    log(requestIdFor('first'), 'GET', '/one', 200, ago(1));
    log(requestIdFor('second'), 'HEAD', '/two', 404, ago(20));
    logger.error({ reqId: 'third' }, 'request failed');
    log(requestIdFor('fourth'), 'GET', '/four', 500, ago(1));
    expect(read()).toEqual([]);
    destination.flushSync();
    const lines = read();
    expect(lines.map((line) => line.reqId)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(lines[1]).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'HEAD',
      path: '/two',
      status: 404,
      pid: process.pid,
    });
    expect(lines[1]?.ms).toBeGreaterThanOrEqual(20);
    expect(lines[1]?.ms).toBeLessThan(1000);
    expect(lines.every((line) => typeof line.time === 'number')).toBe(true);
  });

  it('hands its records to the destination when its store is full, none lost or repeated', () => {
    const { logger, destination, read } = batched();
    const log = createAccessLog(logger);
    for (let i = 0; i < 1000; i += 1) log(requestIdFor(`r${i}`), 'GET', `/${i}`, 200, ago(1));
    destination.flushSync();
    destination.flushSync();
    expect(read().map((line) => line.reqId)).toEqual(Array.from({ length: 1000 }, (_, i) => `r${i}`));
  });

  it('records the time of the request, not of the write', async () => {
    const { logger, destination, read } = batched();
    const before = Date.now();
    createAccessLog(logger)(ID, 'GET', '/', 200, ago(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    destination.flushSync();
    const time = read()[0]?.time as number;
    // Worked out from one Date.now() (whole milliseconds) per batch: it may read up to 1 ms early.
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThan(before + 40);
  });

  it('writes nothing below the level', () => {
    const { logger, destination, read } = batched({ level: 'warn' });
    createAccessLog(logger)(ID, 'GET', '/', 200, ago(1));
    destination.flushSync();
    expect(read()).toEqual([]);
  });
});

// The brand makes a raw string unusable as a request id at compile time.
// @ts-expect-error a plain string is not a RequestId
const unchecked: RequestId = 'not checked';
void unchecked;
