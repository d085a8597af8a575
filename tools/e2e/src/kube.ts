import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { KeyPair } from './pki.js';

/** A Kubernetes object as JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** An answer of the API server. */
export interface KubeResponse {
  readonly status: number;
  readonly body: string;
  /** The parsed body, when it is JSON. */
  readonly json: Record<string, unknown> | undefined;
}

interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The field manager of everything the drill applies. */
const FIELD_MANAGER = 'signet-drill';

/**
 * A minimal client of the drill's API server over its REST API: TLS verified against the drill's
 * CA, authenticated with a client certificate. Server-side apply for manifests (so re-applying a
 * changed manifest is one call), and plain requests for what the assertions send.
 */
export class KubeClient {
  private readonly ca: Buffer;
  private readonly cert: Buffer;
  private readonly key: Buffer;
  private readonly resources = new Map<string, ResourceInfo>();

  constructor(
    readonly server: URL,
    ca: string,
    client: KeyPair,
  ) {
    this.ca = readFileSync(ca);
    this.cert = readFileSync(client.cert);
    this.key = readFileSync(client.key);
  }

  /** One HTTP request; never throws for an HTTP status, only for a connection failure. */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    timeoutMs = 60_000,
  ): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          ca: this.ca,
          cert: this.cert,
          key: this.key,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined && {
              'content-type': contentType,
              'content-length': Buffer.byteLength(payload),
            }),
          },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> | undefined;
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              json = undefined;
            }
            resolve({ status: response.statusCode ?? 0, body: text, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Like {@link request}, but a status of 300 or more throws with the API server's message. */
  async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
    const response = await this.request(method, path, body, contentType);
    if (response.status >= 300)
      throw new Error(`${method} ${path}: HTTP ${response.status}: ${messageOf(response)}`);
    return response;
  }

  /** The collection path of a kind (discovered once per group version), in `namespace` if namespaced. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const key = `${apiVersion}/${kind}`;
    let info = this.resources.get(key);
    if (info === undefined) {
      const list = (await this.ok('GET', base)).json as {
        resources: { name: string; kind: string; namespaced: boolean }[];
      };
      for (const r of list.resources)
        if (!r.name.includes('/'))
          this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
      info = this.resources.get(key);
      if (info === undefined) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    }
    if (!info.namespaced) return `${base}/${info.plural}`;
    if (namespace === undefined) throw new Error(`${kind} is namespaced; the manifest names no namespace`);
    return `${base}/namespaces/${namespace}/${info.plural}`;
  }

  /** The path of one object. */
  async objectPath(manifest: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const collection = await this.collectionPath(
      manifest.apiVersion,
      manifest.kind,
      manifest.metadata.namespace,
    );
    return `${collection}/${manifest.metadata.name}`;
  }

  /** Server-side apply of one manifest (created or updated, conflicts forced to the drill). */
  async apply(manifest: Manifest): Promise<Record<string, unknown>> {
    const path = await this.objectPath(manifest);
    const response = await this.ok(
      'PATCH',
      `${path}?fieldManager=${FIELD_MANAGER}&force=true`,
      manifest,
      'application/apply-patch+yaml',
    );
    return response.json ?? {};
  }

  /** Creates an object (`dryRun=All` when asked); returns the answer, whatever its status. */
  async create(manifest: Manifest, options: { dryRun?: boolean } = {}): Promise<KubeResponse> {
    const collection = await this.collectionPath(
      manifest.apiVersion,
      manifest.kind,
      manifest.metadata.namespace,
    );
    return this.request('POST', `${collection}${options.dryRun === true ? '?dryRun=All' : ''}`, manifest);
  }

  /** Deletes an object; a missing object is not an error. */
  async delete(manifest: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
    const path = await this.objectPath(manifest);
    const response = await this.request('DELETE', path);
    if (response.status >= 300 && response.status !== 404)
      throw new Error(`DELETE ${path}: HTTP ${response.status}: ${messageOf(response)}`);
  }
}

/** The `message` of a Status answer, or the raw body. */
export function messageOf(response: KubeResponse): string {
  const message = response.json?.['message'];
  return typeof message === 'string' ? message : response.body.slice(0, 2000);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${what}: not so after ${timeoutMs} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
  );
}
