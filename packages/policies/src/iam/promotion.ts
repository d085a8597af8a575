import { assertAccountId, assertArn, assertAwsPartition, assertRegion } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import type { IamResourcePolicyStatement, IamStatement } from './document.js';

/**
 * The promotion request: the object `promotion/<app>.zip` of an environment's artifact bucket,
 * which the previous environment's pipeline writes after its VerifyContainerSign (a CodePipeline
 * S3 deploy action) and whose creation starts the environment's pipeline. Writing it needs three
 * grants that must all allow, because the writer may live in another account: the bucket policy
 * and the key policy of the target environment name the writer's role, and the writer's own role
 * policy allows `s3:PutObject` on exactly that object and the target key's data keys.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example4.html
 */
export interface PromotionRequestGrantInput {
  /** The target environment's artifact bucket. */
  readonly bucketArn: string;
  /** `promotion/<app>.zip`. */
  readonly objectKey: string;
  /** The writer: the previous environment's pipeline role (`arn:<partition>:iam::<account>:role/<name>`). */
  readonly writerRoleArn: string;
  /** The target bucket's Region (S3 calls KMS from there). */
  readonly region: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@-]{1,64}$/;
const OBJECT_KEY = /^promotion\/[a-z0-9][a-z0-9-]*\.zip$/;

function check(input: PromotionRequestGrantInput): void {
  assertArn(input.bucketArn, 's3Bucket', 'bucketArn');
  assertRegion(input.region, 'region');
  if (!ROLE_ARN.test(input.writerRoleArn)) {
    throw new PolicyInputError({
      path: 'writerRoleArn',
      value: input.writerRoleArn,
      allowed: 'an IAM role ARN arn:<partition>:iam::<12 digits>:role/<name> (no wildcard)',
    });
  }
  if (!OBJECT_KEY.test(input.objectKey)) {
    throw new PolicyInputError({
      path: 'objectKey',
      value: input.objectKey,
      allowed: 'the promotion request key promotion/<app>.zip',
    });
  }
}

/**
 * The target bucket's statement: the writer may put exactly the promotion request, nothing else,
 * and only encrypted with the bucket's own key: without encryption headers the bucket's default
 * (SSE-KMS with `kmsKeyArn`) applies; a request naming another key (one this environment could not
 * decrypt) is not allowed.
 */
export function promotionRequestBucketStatement(
  input: PromotionRequestGrantInput & { readonly kmsKeyArn: string },
): IamResourcePolicyStatement {
  check(input);
  assertArn(input.kmsKeyArn, 'kmsKey', 'kmsKeyArn');
  return {
    Sid: 'PreviousEnvironmentWritesPromotionRequest',
    Effect: 'Allow',
    Principal: { AWS: input.writerRoleArn },
    Action: ['s3:PutObject'],
    Resource: [`${input.bucketArn}/${input.objectKey}`],
    Condition: {
      StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
      ArnEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': input.kmsKeyArn },
    },
  };
}

/**
 * The target key's statement: the writer may make data keys for the bucket's default encryption
 * (SSE-KMS with S3 Bucket Keys, whose encryption context is the bucket ARN), through S3 only.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
export function promotionRequestKeyStatement(input: PromotionRequestGrantInput): IamResourcePolicyStatement {
  check(input);
  return {
    Sid: 'PreviousEnvironmentEncryptsPromotionRequest',
    Effect: 'Allow',
    Principal: { AWS: input.writerRoleArn },
    Action: ['kms:GenerateDataKey'],
    Resource: '*',
    Condition: {
      StringEquals: {
        'kms:ViaService': `s3.${input.region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': input.bucketArn,
      },
    },
  };
}

/** Input of {@link promotionRequestWriterStatements}. */
export interface PromotionRequestWriterInput {
  /** The target environment's artifact bucket and the request's key. */
  readonly bucketArn: string;
  readonly objectKey: string;
  /** The target key, by its account, Region and alias (its key id is not known before it exists). */
  readonly keyAccountId: string;
  readonly region: string;
  readonly partition: string;
  /** `alias/signet-<env>-pipeline-<app>`. */
  readonly keyAlias: string;
}

const KEY_ALIAS = /^alias\/signet-[a-z0-9-]+$/;

/**
 * The writer's own statements (in the previous environment's pipeline role): put the one object,
 * and make data keys with the one target key, named by its alias (`kms:ResourceAliases`), through
 * S3 in that Region.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
 */
export function promotionRequestWriterStatements(input: PromotionRequestWriterInput): IamStatement[] {
  assertArn(input.bucketArn, 's3Bucket', 'bucketArn');
  assertAccountId(input.keyAccountId, 'keyAccountId');
  assertRegion(input.region, 'region');
  const partition = assertAwsPartition(input.partition, 'partition');
  if (!OBJECT_KEY.test(input.objectKey)) {
    throw new PolicyInputError({
      path: 'objectKey',
      value: input.objectKey,
      allowed: 'the promotion request key promotion/<app>.zip',
    });
  }
  if (!KEY_ALIAS.test(input.keyAlias)) {
    throw new PolicyInputError({
      path: 'keyAlias',
      value: input.keyAlias,
      allowed: 'a Signet key alias alias/signet-<env>-<role>',
    });
  }
  return [
    {
      Sid: 'WritePromotionRequest',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [`${input.bucketArn}/${input.objectKey}`],
    },
    {
      Sid: 'EncryptPromotionRequest',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey'],
      Resource: [`arn:${partition}:kms:${input.region}:${input.keyAccountId}:key/*`],
      Condition: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [input.keyAlias] },
        StringEquals: { 'kms:ViaService': `s3.${input.region}.amazonaws.com` },
      },
    },
  ];
}
