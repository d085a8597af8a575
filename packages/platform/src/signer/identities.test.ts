import { describe, expect, it } from 'vitest';
import { planSigningIdentities } from './identities.js';

describe('planSigningIdentities', () => {
  it('gives every app the pipeline identity plus each extra identity', () => {
    expect(planSigningIdentities('prod', ['api', 'hello-server'], ['release'])).toEqual([
      { app: 'api', identity: 'pipeline', profileName: 'signet_prod_api' },
      { app: 'api', identity: 'release', profileName: 'signet_prod_api_release' },
      { app: 'hello-server', identity: 'pipeline', profileName: 'signet_prod_hello_server' },
      { app: 'hello-server', identity: 'release', profileName: 'signet_prod_hello_server_release' },
    ]);
  });

  it('rejects identities that are not short labels, the reserved name, or repeats', () => {
    expect(() => planSigningIdentities('dev', ['a'], ['Release'])).toThrow(
      'signing identity "Release" is invalid; allowed: 1 to 16 lowercase letters, digits or "-", starting with a letter, other than "pipeline"',
    );
    expect(() => planSigningIdentities('dev', ['a'], ['pipeline'])).toThrow(
      'signing identity "pipeline" is invalid',
    );
    expect(() => planSigningIdentities('dev', ['a'], ['release', 'release'])).toThrow(
      'signing identity "release" is listed twice',
    );
  });

  it('rejects two identities whose profile names collide', () => {
    expect(() => planSigningIdentities('dev', ['a', 'a-release'], ['release'])).toThrow(
      'signing profile name "signet_dev_a_release" is used by both app "a" identity "release" and app "a-release" identity "pipeline"; names must be unique per environment',
    );
  });
});
