import { describe, expect, it } from 'vitest';
import { formatInputProblem, SignetInputError } from '@signet/core';
import { z } from 'zod';
import {
  configKey,
  defineStackConfig,
  describeStackConfig,
  loadStackConfig,
  StackConfigError,
} from './config.js';

const definition = defineStackConfig('signet-networking', {
  azCount: configKey(
    z.number().int().min(2).max(3).default(2).describe('Availability zones.'),
    'an integer from 2 to 3',
  ),
  natGateways: configKey(
    z.enum(['single', 'per-az']).default('single').describe('NAT gateways.'),
    'single, per-az',
  ),
  extraIdentities: configKey(
    z.array(z.string()).default([]).describe('Extra identities.'),
    'a list of names',
  ),
});

function source(stack: string, config: Record<string, unknown>) {
  return { project: 'signet-networking', stack, config: { 'aws:region': 'eu-west-1', ...config } };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StackConfigError);
    expect(error).toBeInstanceOf(SignetInputError);
    const { message, problems } = error as StackConfigError;
    expect(message.split('\n')).toEqual(problems.map(formatInputProblem));
    return message.split('\n');
  }
  throw new Error('expected a StackConfigError');
}

describe('loadStackConfig', () => {
  it('parses the strings Pulumi passes into typed values and applies defaults', () => {
    const loaded = loadStackConfig(definition, {
      ...source('prod', {
        'signet-networking:azCount': '3',
        'signet-networking:extraIdentities': '["release"]',
      }),
      organization: 'acme',
    });
    expect(loaded.values).toEqual({ azCount: 3, natGateways: 'single', extraIdentities: ['release'] });
    expect(loaded).toMatchObject({
      environment: 'prod',
      org: 'acme',
      region: 'eu-west-1',
      file: 'Pulumi.prod.yaml',
    });
  });

  it("takes the org from the running stack, the self-managed backend's organization when none is given", () => {
    expect(loadStackConfig(definition, source('dev', {})).org).toBe('organization');
    expect(loadStackConfig(definition, { ...source('dev', {}), organization: 'acme' }).org).toBe('acme');
  });

  it('refuses a signet:org left in a stack file, saying where the organization is set instead', () => {
    expect(problemsOf(() => loadStackConfig(definition, source('dev', { 'signet:org': 'acme' })))).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "signet:org" is not a known key; allowed: no key of namespace "signet" (the Pulumi organization is the stack\'s own: set it once in nx.json, see docs/stacks.md)',
    ]);
  });

  it('carries each problem as data: file, key, value and what is allowed', () => {
    const error = (() => {
      try {
        loadStackConfig(definition, source('prod', { 'signet-networking:azCount': '5' }));
      } catch (e) {
        return e as StackConfigError;
      }
    })();
    expect(error?.problems).toEqual([
      {
        source: 'signet-networking (Pulumi.prod.yaml)',
        path: 'signet-networking:azCount',
        value: 5,
        allowed: 'an integer from 2 to 3',
      },
    ]);
  });

  it('names project, file, key, value and what is allowed for a bad value', () => {
    expect(
      problemsOf(() => loadStackConfig(definition, source('prod', { 'signet-networking:azCount': '5' }))),
    ).toEqual([
      'signet-networking (Pulumi.prod.yaml): key "signet-networking:azCount" has value 5; allowed: an integer from 2 to 3',
    ]);
    expect(
      problemsOf(() =>
        loadStackConfig(definition, source('dev', { 'signet-networking:natGateways': 'many' })),
      ),
    ).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "signet-networking:natGateways" has value "many"; allowed: single, per-az',
    ]);
  });

  it('rejects unknown keys of the project, shared and aws namespaces', () => {
    const problems = problemsOf(() =>
      loadStackConfig(
        definition,
        source('dev', { 'signet-networking:azCont': '2', 'signet:orgg': 'x', 'aws:profile': 'p' }),
      ),
    );
    expect(problems).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "aws:profile" is not a known key; allowed: one of aws:region',
      'signet-networking (Pulumi.dev.yaml): key "signet-networking:azCont" is not a known key; allowed: one of signet-networking:azCount, signet-networking:natGateways, signet-networking:extraIdentities',
      'signet-networking (Pulumi.dev.yaml): key "signet:orgg" is not a known key; allowed: no key of namespace "signet" (the Pulumi organization is the stack\'s own: set it once in nx.json, see docs/stacks.md)',
    ]);
  });

  it('refuses an account key in a stack file, naming the one place the account is set', () => {
    expect(
      problemsOf(() =>
        loadStackConfig(definition, source('prod', { 'aws:allowedAccountIds': '["333333333333"]' })),
      ),
    ).toEqual([
      'signet-networking (Pulumi.prod.yaml): key "aws:allowedAccountIds" is not a known key; allowed: one of aws:region (an environment names its account once, for every stack, in accounts.json at the workspace root; the stack\'s provider then accepts that account only, see docs/stacks.md)',
    ]);
  });

  it("takes the environment's account from the accounts the workspace names", () => {
    const accounts = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
    const loaded = loadStackConfig(definition, { ...source('staging', {}), accounts });
    expect(loaded).toMatchObject({ environment: 'staging', account: '222222222222', accounts });
    // The single-account layout: no accounts.json, nothing pinned.
    const unpinned = loadStackConfig(definition, { ...source('staging', {}), accounts: null });
    expect(unpinned.account).toBeUndefined();
    expect(unpinned.accounts).toBeUndefined();
  });

  it('rejects a key written for another Signet project and ignores other providers', () => {
    expect(
      problemsOf(() =>
        loadStackConfig(
          definition,
          source('dev', { 'signet-ecr:keepTaggedImages': '5', 'kubernetes:context': 'x' }),
        ),
      ),
    ).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "signet-ecr:keepTaggedImages" is not a known key; allowed: keys of project "signet-networking" (this key belongs to project "signet-ecr")',
    ]);
  });

  it('requires aws:region', () => {
    expect(
      problemsOf(() =>
        loadStackConfig(definition, { project: 'signet-networking', stack: 'dev', config: {} }),
      ),
    ).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "aws:region" is missing; allowed: an AWS region code such as "eu-west-1"',
    ]);
    expect(problemsOf(() => loadStackConfig(definition, source('dev', { 'aws:region': 'Europe' })))).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "aws:region" has value "Europe"; allowed: an AWS region code such as "eu-west-1"',
    ]);
  });

  it('requires the stack name to be an environment and reports every problem at once', () => {
    expect(
      problemsOf(() => loadStackConfig(definition, source('test', { 'signet-networking:azCount': '9' }))),
    ).toEqual([
      'signet-networking (Pulumi.test.yaml): stack name has value "test"; allowed: an environment: dev, staging, prod',
      'signet-networking (Pulumi.test.yaml): key "signet-networking:azCount" has value 9; allowed: an integer from 2 to 3',
    ]);
  });

  it('refuses to run under another project name', () => {
    expect(() => loadStackConfig(definition, { project: 'networking', stack: 'dev', config: {} })).toThrow(
      'signet-networking (Pulumi.yaml): key "name" has value "networking"; allowed: "signet-networking", the project this program is written for',
    );
  });

  it('reports a required key without default as missing', () => {
    const strict = defineStackConfig('signet-networking', {
      cidr: configKey(z.string().describe('VPC CIDR.'), 'a CIDR'),
    });
    expect(problemsOf(() => loadStackConfig(strict, source('dev', {})))).toEqual([
      'signet-networking (Pulumi.dev.yaml): key "signet-networking:cidr" is missing; allowed: a CIDR',
    ]);
  });
});

describe('configuration declarations', () => {
  it('demand a description and a signet- project name', () => {
    expect(() => configKey(z.number(), 'a number')).toThrow(
      'config key schema needs a .describe() description (allowed: a number)',
    );
    expect(() => defineStackConfig('networking', {})).toThrow('project name "networking" is invalid');
  });

  it('describe every key with its default for the docs', () => {
    const rows = describeStackConfig(definition);
    expect(rows.map((r) => [r.key, r.default])).toEqual([
      ['aws:region', '(required)'],
      ['signet-networking:azCount', '2'],
      ['signet-networking:natGateways', '"single"'],
      ['signet-networking:extraIdentities', '[]'],
    ]);
    expect(rows[1]?.description).toBe('Availability zones.');
  });
});
