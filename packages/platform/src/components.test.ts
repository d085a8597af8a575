import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppRepository } from './ecr/app-repository.js';
import { KmsKey } from './kms/kms-key.js';
import { SignetVpc, type SignetVpcArgs } from './network/signet-vpc.js';
import { AppSigningProfile } from './signer/app-signing-profile.js';
import { createMockRuntime } from './testing/index.js';

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    createMockRuntime({ region: 'eu-west-1' }).mocks,
    'signet-test',
    'dev',
    false,
  );
});

const vpcArgs: SignetVpcArgs = {
  environment: 'dev',
  region: 'eu-west-1',
  cidrBlock: '10.10.0.0/16',
  azCount: 2,
  natGateways: 'single',
  flowLogRetentionDays: 30,
};

describe('component argument validation', () => {
  it('SignetVpc names the offending argument and what is allowed', () => {
    expect(() => new SignetVpc('bad-cidr', { ...vpcArgs, cidrBlock: '10.0.0.0/33' })).toThrow(
      'SignetVpc bad-cidr: cidrBlock: invalid CIDR "10.0.0.0/33": prefix length must be 0..32; allowed: an IPv4 CIDR block in RFC 1918 space with a prefix length from /16 to /20',
    );
    expect(() => new SignetVpc('one-az', { ...vpcArgs, azCount: 1 })).toThrow(
      'SignetVpc one-az: azCount has value 1; allowed: an integer from 2 to 3',
    );
    expect(() => new SignetVpc('nat', { ...vpcArgs, natGateways: 'none' as 'single' })).toThrow(
      'SignetVpc nat: natGateways has value "none"; allowed: single, per-az',
    );
    expect(() => new SignetVpc('retention', { ...vpcArgs, flowLogRetentionDays: 10 })).toThrow(
      'SignetVpc retention: flowLogRetentionDays has value 10; allowed: 1, 3, 5, 7, 14, 30,',
    );
    expect(
      () => new SignetVpc('endpoints', { ...vpcArgs, interfaceEndpoints: ['ecr.api', 'kms' as 'sts'] }),
    ).toThrow(
      'SignetVpc endpoints: interfaceEndpoints has value "kms"; allowed: ecr.api, ecr.dkr, sts, signer, logs, ec2, elasticloadbalancing, eks-auth',
    );
  });

  it('KmsKey refuses short deletion windows and AWS-reserved aliases', () => {
    expect(
      () =>
        new KmsKey('short', { description: 'x', aliasName: 'alias/signet-dev-x', deletionWindowInDays: 3 }),
    ).toThrow('KmsKey short: deletionWindowInDays has value 3; allowed: an integer from 7 to 30');
    expect(() => new KmsKey('reserved', { description: 'x', aliasName: 'alias/aws/ecr' })).toThrow(
      'KmsKey reserved: aliasName has value "alias/aws/ecr"; allowed: "alias/" followed by',
    );
  });

  const access = {
    writerRoleNames: ['signet-dev-app-build'],
    administratorRoleNames: ['signet-dev-deployer'],
  };

  it('AppRepository refuses names ECR rejects, wildcard pullers and writers', () => {
    expect(
      () =>
        new AppRepository('upper', {
          ...access,
          repositoryName: 'Signet/App',
          kmsKeyArn: 'k',
          keepTaggedImages: 5,
        }),
    ).toThrow('AppRepository upper: repositoryName has value "Signet/App"; allowed: an ECR repository name');
    expect(
      () =>
        new AppRepository('wild', {
          ...access,
          repositoryName: 'signet-dev/app',
          kmsKeyArn: 'k',
          keepTaggedImages: 5,
          extraPullPrincipalArns: ['arn:aws:iam::111122223333:role/*'],
        }),
    ).toThrow('key "extraPullPrincipalArns[0]" has value "arn:aws:iam::111122223333:role/*"; allowed:');
    expect(
      () =>
        new AppRepository('keep', {
          ...access,
          repositoryName: 'signet-dev/app',
          kmsKeyArn: 'k',
          keepTaggedImages: 0,
        }),
    ).toThrow('keepTaggedImages has value 0; allowed: an integer from 1 to 10000');
    expect(
      () =>
        new AppRepository('writers', {
          ...access,
          writerRoleNames: ['signet-dev-*'],
          repositoryName: 'signet-dev/app',
          kmsKeyArn: 'k',
          keepTaggedImages: 5,
        }),
    ).toThrow('key "writerRoleArns[0]" has value "arn:aws:iam::000000000000:role/signet-dev-*"; allowed:');
  });

  it('AppSigningProfile refuses names and validity periods Signer rejects', () => {
    expect(
      () => new AppSigningProfile('hyphen', { profileName: 'signet-dev-app', signatureValidityMonths: 12 }),
    ).toThrow(
      'AppSigningProfile hyphen: profileName has value "signet-dev-app"; allowed: ^[a-zA-Z0-9_]{2,64}$',
    );
    expect(
      () => new AppSigningProfile('long', { profileName: 'signet_dev_app', signatureValidityMonths: 136 }),
    ).toThrow(
      'AppSigningProfile long: signatureValidityMonths has value 136; allowed: an integer from 1 to 135',
    );
  });
});
