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
      'key "f" has value "not-an-arn"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]',
    ],
    [
      'arn:aws-cn:signer:cn-north-1:111122223333:/signing-profiles/p1',
      'key "f" has value "arn:aws-cn:signer:cn-north-1:111122223333:/signing-profiles/p1"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] in a partition where AWS Signer signs container images, "aws" or "aws-us-gov" (not "aws-cn")',
    ],
    [
      'arn:aws:kms:us-east-1:111122223333:/signing-profiles/p1',
      'key "f" has value "arn:aws:kms:us-east-1:111122223333:/signing-profiles/p1"; allowed: an AWS Signer ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] (not of service "kms")',
    ],
    [
      'arn:aws:signer:useast1:111122223333:/signing-profiles/p1',
      'key "f" has value "arn:aws:signer:useast1:111122223333:/signing-profiles/p1"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] with a region code (not "useast1")',
    ],
    [
      'arn:aws:signer:us-east-1:1111:/signing-profiles/p1',
      'key "f" has value "arn:aws:signer:us-east-1:1111:/signing-profiles/p1"; allowed: an ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] with a 12-digit account id (not "1111")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:signing-profiles/p1',
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:signing-profiles/p1"; allowed: a signing profile ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] (not resource "signing-profiles/p1")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profile/p1',
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:/signing-profile/p1"; allowed: a signing profile ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] (not resource "/signing-profile/p1")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/my-profile',
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:/signing-profiles/my-profile"; allowed: a signing profile ARN whose name is 2 to 64 characters of [a-zA-Z0-9_] (not "my-profile")',
    ],
    [
      `arn:aws:signer:us-east-1:111122223333:/signing-profiles/${'a'.repeat(65)}`,
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:/signing-profiles/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; allowed: a signing profile ARN whose name is 2 to 64 characters of [a-zA-Z0-9_] (not "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/v1',
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/v1"; allowed: a signing profile ARN whose version is exactly 10 characters of [a-zA-Z0-9] (not "v1")',
    ],
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/a1B2c3D4e5/extra',
      'key "f" has value "arn:aws:signer:us-east-1:111122223333:/signing-profiles/p1/a1B2c3D4e5/extra"; allowed: a signing profile ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>] (not resource "/signing-profiles/p1/a1B2c3D4e5/extra")',
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
      'key "repositoryArn" has value "arn:aws:ecr:us-east-1:111122223333:repo/x"; allowed: an ARN arn:<partition>:ecr:<region>:<account>:repository/<name> (not resource "repo/x")',
    );
    expect(() => assertArn('arn:aws:s3:us-east-1::my-bucket', 's3Bucket', 'artifactBucketArn')).toThrow(
      'key "artifactBucketArn" has value "arn:aws:s3:us-east-1::my-bucket"; allowed: an ARN arn:<partition>:s3:::<bucket>, without a region',
    );
    expect(() =>
      assertArn('arn:aws:iam::abc:oidc-provider/x.example.com', 'oidcProvider', 'oidcProviderArn'),
    ).toThrow(
      'key "oidcProviderArn" has value "arn:aws:iam::abc:oidc-provider/x.example.com"; allowed: an ARN arn:<partition>:iam::<account>:oidc-provider/<issuer host and path> with a 12-digit account id (not "abc")',
    );
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
      'key "f" has value "arn:aws:codebuild:eu-west-1:111122223333:project/x"; allowed: an ARN arn:<partition>:codebuild:<region>:<account>:project/<name> (not resource "project/x")',
    ],
    [
      'arn:aws:codecommit:eu-west-1:111122223333:repo/x',
      'codecommitRepository',
      'key "f" has value "arn:aws:codecommit:eu-west-1:111122223333:repo/x"; allowed: an ARN arn:<partition>:codecommit:<region>:<account>:<repository name> (not resource "repo/x")',
    ],
    [
      'arn:aws:sns:eu-west-1::topic',
      'snsTopic',
      'key "f" has value "arn:aws:sns:eu-west-1::topic"; allowed: an ARN arn:<partition>:sns:<region>:<account>:<topic name> with a 12-digit account id (not "")',
    ],
  ] as const)('rejects %s as %s', (value, kind, message) => {
    expect(() => assertArn(value, kind, 'f')).toThrow(message);
  });

  it('checks account ids, regions and single-resource ARNs, naming the field', () => {
    expect(assertAccountId('111122223333', 'accountId')).toBe('111122223333');
    expect(() => assertAccountId('1111-2222-3333', 'accountId')).toThrow(
      'key "accountId" has value "1111-2222-3333"; allowed: a 12-digit AWS account id',
    );
    expect(assertRegion('us-gov-west-1', 'region')).toBe('us-gov-west-1');
    expect(() => assertRegion('global', 'region')).toThrow(
      'key "region" has value "global"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    );
    expect(assertResourceArn('arn:aws:events:eu-west-1:111122223333:rule/r', 'sourceArn').service).toBe(
      'events',
    );
    expect(() => assertResourceArn('arn:aws:s3:::bucket', 'sourceArn')).toThrow(
      'key "sourceArn" has value "arn:aws:s3:::bucket"; allowed: an ARN arn:<partition>:<service>:<region>:<account>:<resource> with a region code (not "")',
    );
    expect(() => assertResourceArn('arn:aws:events:eu-west-1:111122223333:rule/r?', 'sourceArn')).toThrow(
      'key "sourceArn" has value "arn:aws:events:eu-west-1:111122223333:rule/r?"; allowed: the ARN of one resource, arn:<partition>:<service>:<region>:<account>:<resource>, without wildcards',
    );
  });
});
