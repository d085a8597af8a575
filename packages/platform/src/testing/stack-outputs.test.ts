import { describe, expect, it } from 'vitest';
import { STACK_OUTPUT_KEYS } from '../contracts.js';
import { EKS_OUTPUT_KEYS } from '../eks/contract.js';
import { environmentStackOutputs, upstreamStackOutputs } from './stack-outputs.js';

const APPS = ['hello-server', 'billing'];

describe('upstreamStackOutputs', () => {
  it('gives each stack exactly the output keys of its contract', () => {
    const outputs = environmentStackOutputs('dev', { apps: APPS, eks: true });
    expect(Object.keys(outputs.networking).sort()).toEqual([...STACK_OUTPUT_KEYS.networking].sort());
    expect(Object.keys(outputs.ecr).sort()).toEqual([...STACK_OUTPUT_KEYS.ecr].sort());
    expect(Object.keys(outputs.signer).sort()).toEqual([...STACK_OUTPUT_KEYS.signer].sort());
    expect(Object.keys(outputs.eks ?? {}).sort()).toEqual([...EKS_OUTPUT_KEYS].sort());
  });

  it('names the stacks of the environment and of its promotion chain, and nothing else', () => {
    expect(Object.keys(upstreamStackOutputs('dev', { apps: APPS }))).toEqual([
      'organization/signet-networking/dev',
      'organization/signet-ecr/dev',
      'organization/signet-signer/dev',
    ]);
    expect(
      Object.keys(upstreamStackOutputs('prod', { apps: APPS, organization: 'acme', eks: true })),
    ).toEqual(
      ['dev', 'staging', 'prod'].flatMap((env) =>
        ['networking', 'ecr', 'signer', 'eks'].map((stack) => `acme/signet-${stack}/${env}`),
      ),
    );
  });

  it('names repositories and profiles as the stacks do, with a release profile where one is required', () => {
    const dev = environmentStackOutputs('dev', { apps: APPS });
    expect(dev.ecr.repositories['hello-server']).toEqual({
      name: 'signet-dev/hello-server',
      arn: 'arn:aws:ecr:eu-west-1:123456789012:repository/signet-dev/hello-server',
      url: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/signet-dev/hello-server',
    });
    expect(Object.keys(dev.signer.profiles['hello-server'] ?? {})).toEqual(['pipeline']);
    const prod = environmentStackOutputs('prod', { apps: APPS, profileVersion: 'abcdef1234' });
    expect(prod.signer.profiles['hello-server']?.['release']).toEqual({
      name: 'signet_prod_hello_server_release',
      arn: 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_prod_hello_server_release',
      versionArn:
        'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_prod_hello_server_release/abcdef1234',
    });
    expect(prod.signer.trustedIdentities).toEqual(
      [
        'signet_prod_billing',
        'signet_prod_billing_release',
        'signet_prod_hello_server',
        'signet_prod_hello_server_release',
      ].map((name) => `arn:aws:signer:eu-west-1:123456789012:/signing-profiles/${name}`),
    );
    const chosen = environmentStackOutputs('dev', { apps: APPS, extraIdentities: () => ['release'] });
    expect(Object.keys(chosen.signer.profiles['billing'] ?? {})).toEqual(['pipeline', 'release']);
  });

  it('refuses an unknown environment and a zone count it cannot name', () => {
    expect(() => upstreamStackOutputs('qa', { apps: APPS })).toThrow(
      'upstreamStackOutputs: environment "qa" is unknown; allowed: dev, staging, prod',
    );
    expect(() => environmentStackOutputs('dev', { apps: APPS, zones: 4 })).toThrow(
      'upstreamStackOutputs: zones 4 is invalid; allowed: an integer from 1 to 3',
    );
  });
});
