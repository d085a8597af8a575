import { describe, expect, it } from 'vitest';
import { buildKmsKeyPolicy } from '../kms/key-policy.js';
import { evaluateIamRequest, IamDecision } from './evaluate.js';
import { buildArtifactBucketPolicy, buildPipelineRolePolicy, SourceKind } from './pipeline.js';
import {
  promotionRequestKeyStatement,
  promotionRequestWriterStatements,
  type PromotionRequestGrantInput,
} from './promotion.js';

// Three accounts, as AWS recommends environments to live: dev writes staging's request.
const DEV = '111111111111';
const STAGING = '222222222222';
const REGION = 'eu-west-1';
const WRITER = `arn:aws:iam::${DEV}:role/signet-dev-hello-server-pipeline`;
const TARGET_BUCKET = `arn:aws:s3:::signet-staging-hello-server-${STAGING}-${REGION}`;
const KEY = 'promotion/hello-server.zip';
const grant: Omit<PromotionRequestGrantInput, 'bucketArn'> = {
  writerRoleArn: WRITER,
  objectKey: KEY,
  region: REGION,
};

const STAGING_KEY = `arn:aws:kms:${REGION}:${STAGING}:key/9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f`;
const bucketPolicy = buildArtifactBucketPolicy({
  bucketArn: TARGET_BUCKET,
  promotionRequest: { ...grant, kmsKeyArn: STAGING_KEY },
});
const keyPolicy = buildKmsKeyPolicy({
  accountId: STAGING,
  partition: 'aws',
  principalGrants: [promotionRequestKeyStatement({ ...grant, bucketArn: TARGET_BUCKET })],
});
const writerPolicy = buildPipelineRolePolicy({
  artifactBucketArn: `arn:aws:s3:::signet-dev-hello-server-${DEV}-${REGION}`,
  kmsKeyArn: `arn:aws:kms:${REGION}:${DEV}:key/0e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b`,
  projectArns: [`arn:aws:codebuild:${REGION}:${DEV}:project/signet-dev-hello-server-build`],
  source: {
    kind: SourceKind.CodeCommit,
    repositoryArn: `arn:aws:codecommit:${REGION}:${DEV}:signet-dev-hello-server`,
  },
  promotionRequest: {
    bucketArn: TARGET_BUCKET,
    objectKey: KEY,
    keyAccountId: STAGING,
    region: REGION,
    partition: 'aws',
    keyAlias: 'alias/signet-staging-pipeline-hello-server',
  },
});
const decide = (
  identity: boolean,
  resource: object | undefined,
  action: string,
  target: string,
  context = {},
) =>
  evaluateIamRequest(
    {
      identity: identity ? [writerPolicy] : [],
      ...(resource === undefined ? {} : { resource: [resource as never] }),
    },
    { principalArn: WRITER, action, resource: target, context },
  ).decision;

describe('the promotion request across accounts', () => {
  it("lets the previous environment's pipeline role put exactly the request, in both the bucket policy and its own", () => {
    expect(
      decide(false, bucketPolicy, 's3:PutObject', `${TARGET_BUCKET}/${KEY}`, {
        'aws:SecureTransport': 'true',
      }),
    ).toBe(IamDecision.Allow);
    expect(decide(true, undefined, 's3:PutObject', `${TARGET_BUCKET}/${KEY}`)).toBe(IamDecision.Allow);
    for (const other of [`${TARGET_BUCKET}/promotion/other-app.zip`, `${TARGET_BUCKET}/artifacts/x.zip`]) {
      expect(decide(false, bucketPolicy, 's3:PutObject', other, { 'aws:SecureTransport': 'true' })).not.toBe(
        IamDecision.Allow,
      );
      expect(decide(true, undefined, 's3:PutObject', other)).not.toBe(IamDecision.Allow);
    }
    expect(
      decide(false, bucketPolicy, 's3:GetObject', `${TARGET_BUCKET}/${KEY}`, {
        'aws:SecureTransport': 'true',
      }),
    ).not.toBe(IamDecision.Allow);
    // Not encrypted with another key than the bucket's own (one staging could not decrypt).
    const put = { 'aws:SecureTransport': 'true', 's3:x-amz-server-side-encryption': 'aws:kms' };
    expect(
      decide(false, bucketPolicy, 's3:PutObject', `${TARGET_BUCKET}/${KEY}`, {
        ...put,
        's3:x-amz-server-side-encryption-aws-kms-key-id': STAGING_KEY,
      }),
    ).toBe(IamDecision.Allow);
    expect(
      decide(false, bucketPolicy, 's3:PutObject', `${TARGET_BUCKET}/${KEY}`, {
        ...put,
        's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${REGION}:${DEV}:key/0e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b`,
      }),
    ).not.toBe(IamDecision.Allow);
    // Still TLS only.
    expect(
      decide(false, bucketPolicy, 's3:PutObject', `${TARGET_BUCKET}/${KEY}`, {
        'aws:SecureTransport': 'false',
      }),
    ).toBe(IamDecision.ExplicitDeny);
  });

  it('lets it make data keys of the target key only through S3, for that bucket, and only with the target alias', () => {
    const s3 = {
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'kms:EncryptionContext:aws:s3:arn': TARGET_BUCKET,
    };
    expect(decide(false, keyPolicy, 'kms:GenerateDataKey', STAGING_KEY, s3)).toBe(IamDecision.Allow);
    expect(
      decide(false, keyPolicy, 'kms:GenerateDataKey', STAGING_KEY, {
        ...s3,
        'kms:ViaService': `sns.${REGION}.amazonaws.com`,
      }),
    ).not.toBe(IamDecision.Allow);
    expect(
      decide(false, keyPolicy, 'kms:GenerateDataKey', STAGING_KEY, {
        ...s3,
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other',
      }),
    ).not.toBe(IamDecision.Allow);
    expect(decide(false, keyPolicy, 'kms:Decrypt', STAGING_KEY, s3)).not.toBe(IamDecision.Allow);
    const own = {
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'kms:ResourceAliases': ['alias/signet-staging-pipeline-hello-server'],
    };
    expect(decide(true, undefined, 'kms:GenerateDataKey', STAGING_KEY, own)).toBe(IamDecision.Allow);
    expect(
      decide(true, undefined, 'kms:GenerateDataKey', STAGING_KEY, {
        ...own,
        'kms:ResourceAliases': ['alias/signet-staging-pipeline-other'],
      }),
    ).not.toBe(IamDecision.Allow);
  });

  it('refuses a wildcard or malformed writer, key or alias, naming the field', () => {
    expect(() =>
      promotionRequestKeyStatement({ ...grant, bucketArn: TARGET_BUCKET, writerRoleArn: '*' }),
    ).toThrow('writerRoleArn');
    expect(() =>
      promotionRequestKeyStatement({ ...grant, bucketArn: TARGET_BUCKET, objectKey: 'promotion/*' }),
    ).toThrow('objectKey');
    expect(() =>
      promotionRequestWriterStatements({
        bucketArn: TARGET_BUCKET,
        objectKey: KEY,
        keyAccountId: STAGING,
        region: REGION,
        partition: 'aws',
        keyAlias: 'alias/*',
      }),
    ).toThrow('keyAlias');
    expect(() =>
      buildKmsKeyPolicy({
        accountId: STAGING,
        partition: 'aws',
        principalGrants: [
          { Sid: 'x', Effect: 'Allow', Principal: { AWS: WRITER }, Action: ['kms:Decrypt'], Resource: '*' },
        ],
      }),
    ).toThrow('principalGrants[0].Condition');
  });
});
