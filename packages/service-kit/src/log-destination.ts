import { writeSync } from 'node:fs';

/** Options of {@link BatchedDestination}. */
export interface BatchedDestinationOptions {
  /** Queued characters that trigger a write (default 16384). */
  readonly batchSize?: number;
  /** Longest time a line may wait when traffic is too low to fill a batch, in ms (default 250). */
  readonly flushIntervalMs?: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * A pino destination that queues log lines and writes them to a file descriptor in batches, one blocking
 * `write` per batch, flushed on a timer and when the process exits.
 *
 * pino's own sonic-boom destination batches too, but measures the UTF-8 length of its whole pending buffer
 * on every line (flattening it each time); in the throughput benchmark that made the request log cost
 * more than a third of a request. Here a line costs one string append (V8 links the strings, copying
 * nothing); a batch is encoded once, when it is written.
 *
 * A hot-path writer can also register a source of deferred lines ({@link BatchedDestination.defer}): it
 * keeps the fields of its records and the destination has it render them just before any other line is
 * queued and before every write, so lines still come out in the order they were logged.
 *
 * Writes are synchronous, so a log reader that stops reading slows the service down instead of letting
 * memory grow; a full non-blocking pipe (EAGAIN) is waited out, a closed one (EPIPE) turns this into a sink.
 */
export class BatchedDestination {
  readonly #fd: number;
  readonly #batchSize: number;
  readonly #sources: (() => string)[] = [];
  #pending = '';
  #closed = false;

  constructor(fd: number, options: BatchedDestinationOptions = {}) {
    this.#fd = fd;
    this.#batchSize = options.batchSize ?? 16_384;
    setInterval(() => this.flushSync(), options.flushIntervalMs ?? 250).unref();
    process.once('exit', () => this.flushSync());
  }

  /** Queues one serialised line (pino passes it with its trailing newline). */
  write(line: string): boolean {
    if (this.#sources.length > 0) this.#render();
    this.#pending += line;
    if (this.#pending.length >= this.#batchSize) this.flushSync();
    return true;
  }

  /**
   * Registers a source of deferred lines: `render()` returns every line recorded since its last call, in
   * order ('' when there are none). The destination calls it before it queues any other line and before
   * each write (on a full batch, the timer, `flush` and exit). The returned function queues the source's
   * lines now; the source calls it when its own store is full.
   */
  defer(render: () => string): () => void {
    this.#sources.push(render);
    return () => {
      this.#render();
      if (this.#pending.length >= this.#batchSize) this.flushSync();
    };
  }

  #render(): void {
    for (const render of this.#sources) this.#pending += render();
  }

  /** What `logger.flush(cb)` calls: writes everything now, then calls back. */
  flush(cb?: (err?: Error) => void): void {
    try {
      this.flushSync();
    } catch (err) {
      cb?.(err as Error);
      return;
    }
    cb?.();
  }

  /** Writes every queued line before returning. */
  flushSync(): void {
    if (this.#sources.length > 0) this.#render();
    if (this.#pending.length === 0 || this.#closed) {
      this.#pending = '';
      return;
    }
    // Emptied first: a failed write drops this batch rather than repeating it ahead of every later one.
    const text = this.#pending;
    this.#pending = '';
    let data: Buffer | undefined;
    let offset = 0;
    for (;;) {
      try {
        // The whole batch goes out as a string first (encoded straight into the write); only a partial
        // write, which a pipe can return, needs the bytes in hand to resume at the right one.
        if (data === undefined) {
          const written = writeSync(this.#fd, text);
          if (written === Buffer.byteLength(text, 'utf8')) return;
          data = Buffer.from(text, 'utf8');
          offset = written;
        } else {
          offset += writeSync(this.#fd, data, offset, data.length - offset);
        }
        if (offset >= data.length) return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The reader is behind: sleep a millisecond instead of spinning, then retry the rest.
        if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
        else if (code === 'EPIPE') {
          this.#closed = true;
          return;
        } else throw err;
      }
    }
  }
}
