import type { IncomingMessage } from 'node:http';

/** A response: a status and a JSON-serialisable body (or bytes already serialised as JSON). */
export interface Reply {
  readonly status: number;
  readonly body: Buffer | object;
}

/** Answers a `GET`/`HEAD` request for one path. It may be async; a throw or rejection becomes a bare 500. */
export type Handler = (req: IncomingMessage) => Reply | Promise<Reply>;

/** `GET`/`HEAD` routes by exact path (the query string is not part of it). */
export type Routes = Readonly<Record<string, Handler>>;

/** A value as JSON bytes. */
export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/**
 * A reply serialised once, now: for an answer that never changes, so a hot path sends bytes instead of
 * serialising the same object on every request.
 */
export function staticReply(status: number, body: unknown): Reply {
  return { status, body: json(body) };
}
