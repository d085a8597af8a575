import { describe, expect, it } from 'vitest';
import {
  assertUniqueProfileNames,
  kmsAliasName,
  logGroupName,
  physicalName,
  repositoryName,
  signingProfileName,
  signingProfilePrefix,
} from './naming.js';
import { buildDefaultTags } from './tags.js';

describe('naming', () => {
  it('scopes physical names to the environment', () => {
    expect(physicalName('prod', 'vpc-endpoints')).toBe('signet-prod-vpc-endpoints');
    expect(kmsAliasName('dev', 'ecr')).toBe('alias/signet-dev-ecr');
    expect(logGroupName('staging', 'vpc-flow-logs')).toBe('/signet/staging/vpc-flow-logs');
    expect(repositoryName('prod', 'hello-server')).toBe('signet-prod/hello-server');
  });

  it('rejects roles and app names that are not lowercase labels', () => {
    expect(() => physicalName('dev', 'Bad_Role')).toThrow('resource role "Bad_Role" is invalid');
    expect(() => repositoryName('dev', 'x-')).toThrow('app name "x-" is invalid');
  });

  it('builds signing profile names Signer accepts, hyphens converted', () => {
    expect(signingProfileName('prod', 'hello-server', undefined, 1)).toBe('signet_prod_hello_server');
    // A re-created environment's names: the generation right after the environment, never part of an app.
    expect(signingProfileName('prod', 'hello-server', undefined, 2)).toBe('signet_prod_2_hello_server');
    expect(signingProfileName('staging', 'hello-server', 'release', 12)).toBe(
      'signet_staging_12_hello_server_release',
    );
    expect(
      signingProfileName('prod', 'hello-server', undefined, 2).startsWith(signingProfilePrefix('prod')),
    ).toBe(true);
    expect(() => signingProfileName('prod', 'hello-server', undefined, 0)).toThrow(
      'signing profile generation 0 is invalid; allowed: an integer from 1',
    );
    expect(signingProfileName('prod', 'hello-server')).toBe('signet_prod_hello_server');
    expect(signingProfileName('staging', 'hello-server', 'release')).toBe(
      'signet_staging_hello_server_release',
    );
  });

  it('refuses a profile name over 64 characters instead of truncating it', () => {
    const app = 'a'.repeat(40);
    expect(() => signingProfileName('staging', app, 'release-candidate')).toThrow(
      `signing profile name "signet_staging_${app}_release_candidate" (app "${app}", identity "release-candidate") is 73 characters; allowed: ^[a-zA-Z0-9_]{2,64}$ (at most 64 characters): shorten the app or identity name`,
    );
  });

  it('detects two identities that map to the same profile name', () => {
    const first = signingProfileName('dev', 'a-b', 'c');
    const second = signingProfileName('dev', 'a', 'b-c');
    expect(() =>
      assertUniqueProfileNames([
        { name: first, owner: 'app "a-b" identity "c"' },
        { name: second, owner: 'app "a" identity "b-c"' },
      ]),
    ).toThrow(
      'signing profile name "signet_dev_a_b_c" is used by both app "a-b" identity "c" and app "a" identity "b-c"; names must be unique per environment',
    );
  });
});

describe('buildDefaultTags', () => {
  it('tags every resource with project, environment, stack and manager', () => {
    expect(buildDefaultTags({ project: 'signet-ecr', environment: 'prod' })).toEqual({
      project: 'signet',
      environment: 'prod',
      stack: 'signet-ecr',
      'managed-by': 'pulumi',
    });
  });
});
