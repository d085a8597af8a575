import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, loadServiceConfig } from './config.js';
import type { Env } from './config.js';

/** The configuration of an app named sample-app that declares port 8080. */
const loadConfig = (env: Env) => loadServiceConfig(env, { app: 'sample-app', port: 8080 });

function issuesOf(env: Record<string, string>): ConfigError['issues'] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServiceConfig', () => {
  it('uses production defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      drainDelayMs: 5_000,
      shutdownGraceMs: 20_000,
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
      requestTimeoutMs: 70_000,
      maxHeaderSize: 16_384,
      identity: { app: 'sample-app', version: undefined, commit: undefined, imageDigest: undefined },
    });
  });

  it('reads every variable', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const config = loadConfig({
      PORT: '0',
      HOST: '::1',
      LOG_LEVEL: 'debug',
      DRAIN_DELAY_MS: '10000',
      SHUTDOWN_GRACE_MS: '25000',
      KEEP_ALIVE_TIMEOUT_MS: '350000',
      APP_VERSION: '1.4.0-rc.1+build.7',
      GIT_COMMIT: '0123456789abcdef0123456789abcdef01234567',
      IMAGE_DIGEST: digest,
    });
    expect(config).toMatchObject({
      port: 0,
      host: '::1',
      logLevel: 'debug',
      drainDelayMs: 10_000,
      shutdownGraceMs: 25_000,
      keepAliveTimeoutMs: 350_000,
      identity: {
        version: '1.4.0-rc.1+build.7',
        commit: '0123456789abcdef0123456789abcdef01234567',
        imageDigest: digest,
      },
    });
    // Node requires requestTimeout >= headersTimeout, and headersTimeout stays above the keep-alive timeout.
    expect(config.headersTimeoutMs).toBeGreaterThan(config.keepAliveTimeoutMs);
    expect(config.requestTimeoutMs).toBeGreaterThanOrEqual(config.headersTimeoutMs);
  });

  it('accepts host names and treats empty variables as unset', () => {
    expect(loadConfig({ HOST: 'localhost', PORT: '', APP_VERSION: '' })).toMatchObject({
      host: 'localhost',
      port: 8080,
      identity: { version: undefined },
    });
  });

  it.each([
    ['PORT', 'http', 'an integer from 0 to 65535'],
    ['PORT', '65536', 'an integer from 0 to 65535'],
    ['PORT', '-1', 'an integer from 0 to 65535'],
    ['PORT', '80.5', 'an integer from 0 to 65535'],
    ['PORT', ' 80', 'an integer from 0 to 65535'],
    ['HOST', 'not a host', 'an IPv4 or IPv6 address or a DNS host name'],
    ['HOST', '-bad.example', 'an IPv4 or IPv6 address or a DNS host name'],
    ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['LOG_LEVEL', 'INFO', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['DRAIN_DELAY_MS', '5s', 'an integer from 0 to 300000'],
    ['DRAIN_DELAY_MS', '300001', 'an integer from 0 to 300000'],
    ['SHUTDOWN_GRACE_MS', '0', 'an integer from 1 to 600000'],
    ['SHUTDOWN_GRACE_MS', '1e4', 'an integer from 1 to 600000'],
    ['KEEP_ALIVE_TIMEOUT_MS', '999', 'an integer from 1000 to 3600000'],
    ['APP_VERSION', 'v1 beta', 'up to 64 characters of letters, digits, ".", "+", "_" and "-"'],
    ['APP_VERSION', 'x'.repeat(65), 'up to 64 characters of letters, digits, ".", "+", "_" and "-"'],
    ['GIT_COMMIT', 'ABC1234', 'a lowercase hexadecimal git object id (7 to 40 or 64 digits)'],
    ['GIT_COMMIT', 'abc12', 'a lowercase hexadecimal git object id (7 to 40 or 64 digits)'],
    ['IMAGE_DIGEST', 'sha256:abc', 'sha256: followed by 64 lowercase hexadecimal digits'],
    ['IMAGE_DIGEST', `sha512:${'a'.repeat(64)}`, 'sha256: followed by 64 lowercase hexadecimal digits'],
  ])('rejects %s=%j, naming the variable, the value and what is allowed', (variable, value, allowed) => {
    expect(issuesOf({ [variable]: value })).toEqual([{ variable, value, allowed }]);
    expect(() => loadConfig({ [variable]: value })).toThrow(
      `${variable}=${JSON.stringify(value)}: ${allowed}`,
    );
  });

  it('rejects a grace period that does not exceed the drain delay', () => {
    expect(issuesOf({ DRAIN_DELAY_MS: '30000', SHUTDOWN_GRACE_MS: '30000' })).toEqual([
      {
        variable: 'SHUTDOWN_GRACE_MS',
        value: '30000',
        allowed:
          'an integer greater than DRAIN_DELAY_MS (30000), since the grace period includes the drain delay',
      },
    ]);
    // The default grace period (20 s) is checked against a longer drain delay too.
    expect(issuesOf({ DRAIN_DELAY_MS: '25000' }).map((i) => [i.variable, i.value])).toEqual([
      ['SHUTDOWN_GRACE_MS', '20000'],
    ]);
  });

  it('reports every invalid variable at once', () => {
    const issues = issuesOf({ PORT: 'x', LOG_LEVEL: 'loud', IMAGE_DIGEST: 'latest' });
    expect(issues.map((i) => i.variable)).toEqual(['PORT', 'LOG_LEVEL', 'IMAGE_DIGEST']);
  });

  it('ignores NODE_ENV', () => {
    expect(loadConfig({ NODE_ENV: 'development' })).toEqual(loadConfig({ NODE_ENV: 'production' }));
  });

  it("defaults PORT to the app's own port", () => {
    expect(loadServiceConfig({}, { app: 'orders', port: 9090 })).toMatchObject({
      port: 9090,
      identity: { app: 'orders' },
    });
    expect(loadServiceConfig({ PORT: '7000' }, { app: 'orders', port: 9090 }).port).toBe(7000);
  });

  it("reads the app's own variables with the same reader, reporting their problems with the others", () => {
    const load = (env: Env) =>
      loadServiceConfig(env, {
        app: 'orders',
        port: 9090,
        extra: (read) => ({
          batchSize: read.integer('BATCH_SIZE', 100, 1, 1_000),
          region: read.oneOf('REGION', ['eu', 'us'] as const, 'eu'),
        }),
      });
    const config = load({ BATCH_SIZE: '250', REGION: 'us' });
    expect([config.batchSize, config.region, config.port]).toEqual([250, 'us', 9090]);
    expect(load({})).toMatchObject({ batchSize: 100, region: 'eu' });
    expect(() => load({ PORT: 'x', BATCH_SIZE: '0', REGION: 'ap' })).toThrow(
      new ConfigError([
        { variable: 'PORT', value: 'x', allowed: 'an integer from 0 to 65535' },
        { variable: 'BATCH_SIZE', value: '0', allowed: 'an integer from 1 to 1000' },
        { variable: 'REGION', value: 'ap', allowed: 'one of eu, us' },
      ]).message,
    );
  });
});

describe('EnvReader', () => {
  it('treats an empty variable as unset and records a problem of its own', () => {
    const read = new EnvReader({ NAME: '', OTHER: 'x' });
    expect(read.string('NAME')).toBeUndefined();
    expect(read.string('OTHER')).toBe('x');
    expect(read.rejected('OTHER')).toBe(false);
    read.throwIfInvalid();
    read.reject('OTHER', 'x', 'something else');
    expect(read.rejected('OTHER')).toBe(true);
    expect(() => read.throwIfInvalid()).toThrow('invalid configuration:\n  OTHER="x": something else');
  });
});
