import { describe, expect, it } from 'vitest';
import {
  assertAccountId,
  assertArn,
  assertRegion,
  assertResourceArn,
  parseSigningProfileArn,
} from './arn.js';
import { PolicyInputError } from './errors.js';
import { PROFILE_ARN, PROFILE_VERSION_ARN } from './test/fixtures.js';

describe('parseSigningProfileArn', () => {
  it('splits a profile ARN and a profile version ARN into the parts the plugin matches on', () => {
    expect(parseSigningProfileArn(PROFILE_ARN, 'f')).toEqual({
      arn: PROFILE_ARN,
      profileArn: PROFILE_ARN,
      partition: 'aws',
      region: 'us-east-1',
      account: '111122223333',
      profileName: 'signet_dev',
    });
    const version = parseSigningProfileArn(PROFILE_VERSION_ARN, 'f');
    expect(version.profileArn).toBe(PROFILE_ARN);
    expect(version.profileVersion).toBe('a1B2c3D4e5');
  });

  it('accepts GovCloud ARNs', () => {
    const arn = 'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/gov_profile';
    expect(parseSigningProfileArn(arn, 'f').partition).toBe('aws-us-gov');
  });

  it.each([
    [
      'not-an-arn',
      'f: "not-an-arn" is not an ARN; expected arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]',
    ],
    [
      'arn:aws-cn:signer:cn-north-1:111122223333:/signing-profiles/p1',
      'f: partition "aws-cn" is not supported; AWS Signer container signing runs in "aws" and "aws-us-gov"',
    ],
    [
      'arn:aws:kms:us-east-1:111122223333:/signing-profiles/p1',
      'f: "arn:aws:kms:us-east-1:111122223333:/signing-profiles/p1" is an ARN of service "kms"; expected arn:<partition>:signer',
    ],
    ['arn:aws:signer:useast1:111122223333:/signing-profiles/p1', 'has region "useast1"'],
    [
      'arn:aws:signer:us-east-1:1111:/signing-profiles/p1',
      'has account "1111"; expected a 12-digit account id',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:signing-profiles/p1',
      'is not a signing profile ARN (resource "signing-profiles/p1")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profile/p1',
      'is not a signing profile ARN (resource "/signing-profile/p1")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/my-profile',
      'has signing profile name "my-profile"; names are 2 to 64 characters of [a-zA-Z0-9_]',
    ],
    [
      `arn:aws:signer:us-east-1:111122223333:/signing-profiles/${'a'.repeat(65)}`,
      'names are 2 to 64 characters of [a-zA-Z0-9_]',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/v1',
      'has signing profile version "v1"; versions are exactly 10 characters of [a-zA-Z0-9]',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/a1B2c3D4e5/extra',
      'is not a signing profile ARN',
    ],
  ])('rejects %s', (value, message) => {
    expect(() => parseSigningProfileArn(value, 'f')).toThrow(PolicyInputError);
    expect(() => parseSigningProfileArn(value, 'f')).toThrow(message);
  });
});

describe('assertArn', () => {
  it('accepts each kind of ARN the IAM builders scope to', () => {
    expect(assertArn('arn:aws:s3:::my-bucket', 's3Bucket', 'f').partition).toBe('aws');
    expect(assertArn('arn:aws:eks:eu-west-1:111122223333:cluster/signet', 'eksCluster', 'f').region).toBe(
      'eu-west-1',
    );
  });

  it('names the field, the value and the expected shape', () => {
    expect(() =>
      assertArn('arn:aws:ecr:us-east-1:111122223333:repo/x', 'ecrRepository', 'repositoryArn'),
    ).toThrow(
      'repositoryArn: "arn:aws:ecr:us-east-1:111122223333:repo/x" has resource "repo/x"; expected arn:<partition>:ecr:<region>:<account>:repository/<name>',
    );
    expect(() => assertArn('arn:aws:s3:us-east-1::my-bucket', 's3Bucket', 'artifactBucketArn')).toThrow(
      'artifactBucketArn: "arn:aws:s3:us-east-1::my-bucket" must not carry a region here; expected arn:<partition>:s3:::<bucket>',
    );
    expect(() =>
      assertArn('arn:aws:iam::abc:oidc-provider/x.example.com', 'oidcProvider', 'oidcProviderArn'),
    ).toThrow('oidcProviderArn: "arn:aws:iam::abc:oidc-provider/x.example.com" has account "abc"');
  });
});

describe('pipeline ARN kinds', () => {
  it.each([
    ['arn:aws:codebuild:eu-west-1:111122223333:project/signet-dev-app-build', 'codebuildProject'],
    ['arn:aws:codepipeline:eu-west-1:111122223333:signet-dev-app', 'codepipeline'],
    ['arn:aws:codecommit:eu-west-1:111122223333:signet-dev-app', 'codecommitRepository'],
    ['arn:aws-us-gov:sns:us-gov-west-1:111122223333:signet-prod-pipeline-notifications', 'snsTopic'],
  ] as const)('accepts %s as %s', (value, kind) => {
    expect(assertArn(value, kind, 'f').account).toBe('111122223333');
  });

  it.each([
    [
      'arn:aws:codebuild:eu-west-1:111122223333:project/x',
      'codebuildProject',
      'f: "arn:aws:codebuild:eu-west-1:111122223333:project/x" has resource "project/x"; expected arn:<partition>:codebuild:<region>:<account>:project/<name>',
    ],
    [
      'arn:aws:codecommit:eu-west-1:111122223333:repo/x',
      'codecommitRepository',
      'f: "arn:aws:codecommit:eu-west-1:111122223333:repo/x" has resource "repo/x"; expected arn:<partition>:codecommit:<region>:<account>:<repository name>',
    ],
    [
      'arn:aws:sns:eu-west-1::topic',
      'snsTopic',
      'f: "arn:aws:sns:eu-west-1::topic" has account ""; expected a 12-digit account id in arn:<partition>:sns:<region>:<account>:<topic name>',
    ],
  ] as const)('rejects %s as %s', (value, kind, message) => {
    expect(() => assertArn(value, kind, 'f')).toThrow(message);
  });

  it('checks account ids, regions and single-resource ARNs, naming the field', () => {
    expect(assertAccountId('111122223333', 'accountId')).toBe('111122223333');
    expect(() => assertAccountId('1111-2222-3333', 'accountId')).toThrow(
      'accountId: "1111-2222-3333" is not an account id; expected 12 digits',
    );
    expect(assertRegion('us-gov-west-1', 'region')).toBe('us-gov-west-1');
    expect(() => assertRegion('global', 'region')).toThrow(
      'region: "global" is not a region; expected a region code such as "eu-west-1" or "us-gov-west-1"',
    );
    expect(assertResourceArn('arn:aws:events:eu-west-1:111122223333:rule/r', 'sourceArn').service).toBe(
      'events',
    );
    expect(() => assertResourceArn('arn:aws:s3:::bucket', 'sourceArn')).toThrow(
      'sourceArn: "arn:aws:s3:::bucket" has region ""; expected arn:<partition>:<service>:<region>:<account>:<resource>',
    );
    expect(() => assertResourceArn('arn:aws:events:eu-west-1:111122223333:rule/r?', 'sourceArn')).toThrow(
      'does not name one resource',
    );
  });
});
