import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { STACK_OUTPUT_KEYS, stackReferenceName } from './contracts.js';
import { runStackProgram } from './testing/index.js';

const stackDir = join(import.meta.dirname, 'test', 'consumer');

const networking = {
  vpcId: 'vpc-1',
  vpcCidr: '10.0.0.0/16',
  privateSubnetIds: ['subnet-a', 'subnet-b'],
  publicSubnetIds: ['subnet-c', 'subnet-d'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  endpointSecurityGroupId: 'sg-1',
  deployerSecurityGroupId: 'sg-2',
};

beforeEach(() => {
  vi.resetModules();
});

describe('stack output contracts', () => {
  it('name the referenced stack <org>/signet-<stack>/<env>', () => {
    expect(stackReferenceName('acme', 'signer', 'staging')).toBe('acme/signet-signer/staging');
  });

  it('list every key of each contract once', () => {
    expect(STACK_OUTPUT_KEYS).toEqual({
      networking: [
        'vpcId',
        'vpcCidr',
        'privateSubnetIds',
        'publicSubnetIds',
        'availabilityZones',
        'endpointSecurityGroupId',
        'deployerSecurityGroupId',
      ],
      ecr: ['repositories', 'kmsKeyArn'],
      signer: ['profiles', 'trustedIdentities', 'pluginMirror'],
    });
  });

  it('let a consumer read each upstream output of <org>/signet-<stack>/<env>', async () => {
    const result = await runStackProgram({
      organization: 'acme',
      stackDir,
      env: 'prod',
      stackReferences: {
        'acme/signet-networking/prod': networking,
        'acme/signet-ecr/prod': { repositories: {}, kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k' },
      },
    });
    expect(result.outputs).toEqual({
      privateSubnetIds: ['subnet-a', 'subnet-b'],
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    });
  });

  it('fail the consumer, naming the key, when the upstream stack does not export it', async () => {
    await expect(
      runStackProgram({
        organization: 'acme',
        stackDir,
        env: 'prod',
        // An ecr stack deployed before kmsKeyArn existed.
        stackReferences: {
          'acme/signet-networking/prod': networking,
          'acme/signet-ecr/prod': { repositories: {} },
        },
      }),
    ).rejects.toThrow(
      'signet-consumer requires output "kmsKeyArn" of stack acme/signet-ecr/prod, which does not export it',
    );
  });
});
