import { isIP } from 'node:net';

/** Name of this service: the Kubernetes Deployment, container, namespace and ECR repository share it. */
export const APP_NAME = 'hello-server';

/** Log levels accepted by `LOG_LEVEL` (pino's levels plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the running image is, as far as the environment tells; fields the environment leaves out stay undefined. */
export interface BuildIdentity {
  /** Service name, always {@link APP_NAME}. */
  readonly app: string;
  /** Release version from `APP_VERSION`. */
  readonly version: string | undefined;
  /** Source commit from `GIT_COMMIT`. */
  readonly commit: string | undefined;
  /** Image manifest digest from `IMAGE_DIGEST` (`sha256:<64 hex>`). */
  readonly imageDigest: string | undefined;
}

/** Typed, validated runtime configuration of the service. */
export interface Config {
  /** TCP port to listen on (`PORT`, default 8080; 0 picks a free port). */
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
  /** Build identity shown by `GET /`. */
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

/** Thrown by {@link loadConfig} when one or more variables are invalid; the message lists each of them. */
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

/** Request head limit: Node's own default, made explicit so a runtime upgrade cannot silently change it. */
const MAX_HEADER_SIZE = 16 * 1024;
/** Extra time a request head may take over the keep-alive timeout. */
const HEADERS_TIMEOUT_MARGIN_MS = 1_000;
/** Extra time a whole request may take over its head. */
const REQUEST_TIMEOUT_MARGIN_MS = 4_000;

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const COMMIT = /^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses and validates the service configuration from environment variables. An empty variable counts as
 * unset, so a Dockerfile `ENV X=${X}` without a build argument falls back to the default.
 *
 * @throws {ConfigError} naming every invalid variable, its value and what it accepts.
 */
export function loadConfig(env: Env): Config {
  const issues: ConfigIssue[] = [];

  const read = (variable: string): string | undefined => {
    const value = env[variable];
    return value === undefined || value === '' ? undefined : value;
  };

  const integer = (variable: string, fallback: number, min: number, max: number): number => {
    const raw = read(variable);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      issues.push({ variable, value: raw, allowed: `an integer from ${min} to ${max}` });
      return fallback;
    }
    return value;
  };

  const matching = (variable: string, pattern: RegExp, allowed: string): string | undefined => {
    const raw = read(variable);
    if (raw === undefined || pattern.test(raw)) return raw;
    issues.push({ variable, value: raw, allowed });
    return undefined;
  };

  const port = integer('PORT', 8080, 0, 65_535);

  const host = read('HOST') ?? '0.0.0.0';
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    issues.push({ variable: 'HOST', value: host, allowed: 'an IPv4 or IPv6 address or a DNS host name' });
  }

  const rawLevel = read('LOG_LEVEL') ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(rawLevel) ? (rawLevel as LogLevel) : 'info';
  if (logLevel !== rawLevel) {
    issues.push({ variable: 'LOG_LEVEL', value: rawLevel, allowed: `one of ${LOG_LEVELS.join(', ')}` });
  }

  const drainDelayMs = integer('DRAIN_DELAY_MS', 5_000, 0, 300_000);
  const shutdownGraceMs = integer('SHUTDOWN_GRACE_MS', 20_000, 1, 600_000);
  if (shutdownGraceMs <= drainDelayMs && !issues.some((i) => i.variable === 'SHUTDOWN_GRACE_MS')) {
    issues.push({
      variable: 'SHUTDOWN_GRACE_MS',
      value: String(shutdownGraceMs),
      allowed: `an integer greater than DRAIN_DELAY_MS (${drainDelayMs}), since the grace period includes the drain delay`,
    });
  }
  const keepAliveTimeoutMs = integer('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 3_600_000);

  const version = matching(
    'APP_VERSION',
    VERSION,
    'up to 64 characters of letters, digits, ".", "+", "_" and "-"',
  );
  const commit = matching(
    'GIT_COMMIT',
    COMMIT,
    'a lowercase hexadecimal git object id (7 to 40 or 64 digits)',
  );
  const imageDigest = matching('IMAGE_DIGEST', DIGEST, 'sha256: followed by 64 lowercase hexadecimal digits');

  if (issues.length > 0) throw new ConfigError(issues);

  const headersTimeoutMs = keepAliveTimeoutMs + HEADERS_TIMEOUT_MARGIN_MS;
  return {
    port,
    host,
    logLevel,
    drainDelayMs,
    shutdownGraceMs,
    keepAliveTimeoutMs,
    headersTimeoutMs,
    requestTimeoutMs: headersTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS,
    maxHeaderSize: MAX_HEADER_SIZE,
    identity: { app: APP_NAME, version, commit, imageDigest },
  };
}
