import { isIP } from 'node:net';

/** Log levels accepted by `LOG_LEVEL` (pino's levels plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the running image is, as far as the environment tells; fields the environment leaves out stay undefined. */
export interface BuildIdentity {
  /** Service name, as the app declares it. */
  readonly app: string;
  /** Release version from `APP_VERSION`. */
  readonly version: string | undefined;
  /** Source commit from `GIT_COMMIT`. */
  readonly commit: string | undefined;
  /** Image manifest digest from `IMAGE_DIGEST` (`sha256:<64 hex>`). */
  readonly imageDigest: string | undefined;
}

/** Typed, validated runtime configuration every service has. */
export interface ServiceConfig {
  /** TCP port to listen on (`PORT`, default: the app's port; 0 picks a free port). */
  readonly port: number;
  /** Address to bind (`HOST`, default `0.0.0.0`). */
  readonly host: string;
  /** Minimum log level (`LOG_LEVEL`, default `info`). */
  readonly logLevel: LogLevel;
  /**
   * How long the server keeps serving after a stop signal, with readiness already false, so load balancers
   * and kube-proxy stop routing here before the listener closes (`DRAIN_DELAY_MS`, default 5000).
   */
  readonly drainDelayMs: number;
  /**
   * Upper bound for the whole shutdown, drain delay included; past it the process exits 1
   * (`SHUTDOWN_GRACE_MS`, default 20000; must exceed the drain delay).
   */
  readonly shutdownGraceMs: number;
  /**
   * Idle time before a keep-alive connection is closed (`KEEP_ALIVE_TIMEOUT_MS`, default 65000). It must stay
   * above the load balancer's idle timeout (ALB: 60 s) so the balancer, not the server, closes idle
   * connections; otherwise the balancer may reuse a connection the server is closing and answer 502.
   */
  readonly keepAliveTimeoutMs: number;
  /** Time allowed to receive a request's headers; kept above the keep-alive timeout as Node's docs advise. */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive a whole request; Node requires it to be at least the headers timeout. */
  readonly requestTimeoutMs: number;
  /** Largest accepted request head in bytes; larger heads get 431. */
  readonly maxHeaderSize: number;
  /** Build identity, for the app to show. */
  readonly identity: BuildIdentity;
}

/** One rejected environment variable. */
export interface ConfigIssue {
  /** Name of the environment variable. */
  readonly variable: string;
  /** The value as given. */
  readonly value: string;
  /** What the variable accepts. */
  readonly allowed: string;
}

/** Thrown when one or more variables are invalid; the message lists each of them. */
export class ConfigError extends Error {
  /** Every invalid variable, in the order they were checked. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration:\n${issues
        .map((i) => `  ${i.variable}=${JSON.stringify(i.value)}: ${i.allowed}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Reads typed values from environment variables and collects every problem instead of stopping at the
 * first, so one start reports all of them. An empty variable counts as unset, so a Dockerfile
 * `ENV X=${X}` without a build argument falls back to the default. A rejected variable yields its fallback;
 * {@link EnvReader.throwIfInvalid} then reports it.
 */
export class EnvReader {
  readonly #env: Env;
  readonly #issues: ConfigIssue[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  /** The variable's value, or undefined when it is unset or empty. */
  string(variable: string): string | undefined {
    const value = this.#env[variable];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A decimal integer from `min` to `max` (digits only: no sign, exponent or blanks). */
  integer(variable: string, fallback: number, min: number, max: number): number {
    const raw = this.string(variable);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.reject(variable, raw, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A value matching `pattern`; `allowed` says in words what the pattern accepts. */
  matching(variable: string, pattern: RegExp, allowed: string): string | undefined {
    const raw = this.string(variable);
    if (raw === undefined || pattern.test(raw)) return raw;
    this.reject(variable, raw, allowed);
    return undefined;
  }

  /** One of `values`, compared exactly (case included). */
  oneOf<T extends string>(variable: string, values: readonly T[], fallback: T): T {
    const raw = this.string(variable) ?? fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.reject(variable, raw, `one of ${values.join(', ')}`);
    return fallback;
  }

  /** An IPv4 or IPv6 address or a DNS host name. */
  host(variable: string, fallback: string): string {
    const host = this.string(variable) ?? fallback;
    if (isIP(host) === 0 && !HOSTNAME.test(host)) {
      this.reject(variable, host, 'an IPv4 or IPv6 address or a DNS host name');
    }
    return host;
  }

  /** Records a problem found by a check of its own, such as one that relates two variables. */
  reject(variable: string, value: string, allowed: string): void {
    this.#issues.push({ variable, value, allowed });
  }

  /** Whether `variable` has been rejected already (a relation check then has nothing to add). */
  rejected(variable: string): boolean {
    return this.#issues.some((i) => i.variable === variable);
  }

  /** @throws {ConfigError} listing every problem recorded so far, when there is any. */
  throwIfInvalid(): void {
    if (this.#issues.length > 0) throw new ConfigError([...this.#issues]);
  }
}

/** Options of {@link loadServiceConfig}. */
export interface ServiceConfigOptions<Extra extends object> {
  /** The app's name, shown as `identity.app`. */
  readonly app: string;
  /** Port used when `PORT` is unset: the container port the app declares. */
  readonly port: number;
  /**
   * Reads the app's own variables, after the service's, with the same reader: their problems are
   * reported together with the others. The returned fields are added to the configuration.
   */
  readonly extra?: (env: EnvReader) => Extra;
}

/** Request head limit: Node's own default, made explicit so a runtime upgrade cannot silently change it. */
const MAX_HEADER_SIZE = 16 * 1024;
/** Extra time a request head may take over the keep-alive timeout. */
const HEADERS_TIMEOUT_MARGIN_MS = 1_000;
/** Extra time a whole request may take over its head. */
const REQUEST_TIMEOUT_MARGIN_MS = 4_000;

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const COMMIT = /^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses and validates a service's configuration from environment variables: `PORT`, `HOST`,
 * `LOG_LEVEL`, `DRAIN_DELAY_MS`, `SHUTDOWN_GRACE_MS`, `KEEP_ALIVE_TIMEOUT_MS`, `APP_VERSION`, `GIT_COMMIT`,
 * `IMAGE_DIGEST`, then the app's own through `extra`. `NODE_ENV` changes nothing.
 *
 * @throws {ConfigError} naming every invalid variable, its value and what it accepts.
 */
export function loadServiceConfig<Extra extends object = Record<never, never>>(
  env: Env,
  options: ServiceConfigOptions<Extra>,
): ServiceConfig & Extra {
  const read = new EnvReader(env);
  const port = read.integer('PORT', options.port, 0, 65_535);
  const host = read.host('HOST', '0.0.0.0');
  const logLevel = read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info');

  const drainDelayMs = read.integer('DRAIN_DELAY_MS', 5_000, 0, 300_000);
  const shutdownGraceMs = read.integer('SHUTDOWN_GRACE_MS', 20_000, 1, 600_000);
  if (shutdownGraceMs <= drainDelayMs && !read.rejected('SHUTDOWN_GRACE_MS')) {
    read.reject(
      'SHUTDOWN_GRACE_MS',
      String(shutdownGraceMs),
      `an integer greater than DRAIN_DELAY_MS (${drainDelayMs}), since the grace period includes the drain delay`,
    );
  }
  const keepAliveTimeoutMs = read.integer('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 3_600_000);

  const version = read.matching(
    'APP_VERSION',
    VERSION,
    'up to 64 characters of letters, digits, ".", "+", "_" and "-"',
  );
  const commit = read.matching(
    'GIT_COMMIT',
    COMMIT,
    'a lowercase hexadecimal git object id (7 to 40 or 64 digits)',
  );
  const imageDigest = read.matching(
    'IMAGE_DIGEST',
    DIGEST,
    'sha256: followed by 64 lowercase hexadecimal digits',
  );
  const extra = options.extra?.(read) ?? ({} as Extra);

  read.throwIfInvalid();

  const headersTimeoutMs = keepAliveTimeoutMs + HEADERS_TIMEOUT_MARGIN_MS;
  return {
    ...extra,
    port,
    host,
    logLevel,
    drainDelayMs,
    shutdownGraceMs,
    keepAliveTimeoutMs,
    headersTimeoutMs,
    requestTimeoutMs: headersTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS,
    maxHeaderSize: MAX_HEADER_SIZE,
    identity: { app: options.app, version, commit, imageDigest },
  };
}
