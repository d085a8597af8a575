// Test helper: one HTTP/1.1 request over node:http, so tests see exactly what went over the wire.
import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders } from 'node:http';

/** A response as received. */
export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** True when the request went out on a keep-alive socket that had already carried a response. */
  readonly reusedSocket: boolean;
}

/** Options of {@link request}. */
export interface RequestOptions {
  /** Default `GET`. */
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Default `false`: a fresh connection that closes after the response. */
  readonly agent?: Agent | false;
}

/**
 * Sends one request to 127.0.0.1:`port` and collects the response. A failure rejects with Node's error
 * (its `code`, such as `ECONNRESET`), carrying `reusedSocket` as well.
 */
export function request(port: number, path: string, options: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    // Which socket a failed request used decides whether the failure is a cut keep-alive request.
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end();
  });
}
