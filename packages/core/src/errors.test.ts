import { describe, expect, it } from 'vitest';
import { formatInputProblem, quote, SignetInputError } from './errors.js';

describe('formatInputProblem', () => {
  it('names the file, the key, the value and what is allowed', () => {
    expect(
      formatInputProblem({
        source: 'signet-networking (Pulumi.prod.yaml)',
        path: 'signet-networking:azCount',
        value: 5,
        allowed: 'an integer from 2 to 3',
      }),
    ).toBe(
      'signet-networking (Pulumi.prod.yaml): key "signet-networking:azCount" has value 5; allowed: an integer from 2 to 3',
    );
  });

  it('says when a key is missing or unknown, and leaves out the file when there is none', () => {
    expect(
      formatInputProblem({
        source: 'apps/x/package.json',
        path: 'signet.port',
        issue: 'missing',
        allowed: 'a port',
      }),
    ).toBe('apps/x/package.json: key "signet.port" is missing; allowed: a port');
    expect(
      formatInputProblem({
        path: 'replicas',
        subject: 'option',
        issue: 'unknown',
        allowed: 'one of name, port',
      }),
    ).toBe('option "replicas" is not a known option; allowed: one of name, port');
  });

  it('names the stack name without a key: the stack name is the environment', () => {
    expect(
      formatInputProblem({
        source: 'signet-ecr (Pulumi.test.yaml)',
        path: 'stack name',
        subject: 'stack name',
        value: 'test',
        allowed: 'an environment: dev, staging, prod',
      }),
    ).toBe(
      'signet-ecr (Pulumi.test.yaml): stack name has value "test"; allowed: an environment: dev, staging, prod',
    );
  });

  it('quotes values so empty strings and numbers written as strings stay visible', () => {
    expect(formatInputProblem({ path: 'port', value: '8080', allowed: 'an integer' })).toBe(
      'key "port" has value "8080"; allowed: an integer',
    );
    expect(quote('')).toBe('""');
    expect(quote(undefined)).toBe('undefined');
  });
});

describe('SignetInputError', () => {
  it('carries every problem as data and says each on its own line', () => {
    const error = new SignetInputError([
      { source: 'a.yaml', path: 'x', value: 1, allowed: '2' },
      { source: 'a.yaml', path: 'y', issue: 'missing', allowed: 'a name' },
    ]);
    expect(error.message).toBe(
      'a.yaml: key "x" has value 1; allowed: 2\na.yaml: key "y" is missing; allowed: a name',
    );
    expect([error.source, error.path, error.value, error.allowed]).toEqual(['a.yaml', 'x', 1, '2']);
    expect(error.problems).toHaveLength(2);
    expect(error.name).toBe('SignetInputError');
  });

  it('is the base of the errors that say where the input came from', () => {
    class ConfigError extends SignetInputError {}
    const error = new ConfigError({ path: 'k', value: 0, allowed: '1' });
    expect(error).toBeInstanceOf(SignetInputError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });

  it('keeps a caller-worded message word for word and still carries the problem', () => {
    const error = new SignetInputError(
      { path: 'verifier.port', allowed: 'a port' },
      'verifier.port: 70000 is not a port',
    );
    expect(error.message).toBe('verifier.port: 70000 is not a port');
    expect(error.path).toBe('verifier.port');
  });

  it('refuses to be thrown without a problem', () => {
    expect(() => new SignetInputError([])).toThrow('needs at least one problem');
  });
});
