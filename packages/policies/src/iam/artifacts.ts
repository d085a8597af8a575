import { assertArn } from '../arn.js';
import type { IamStatement } from './document.js';

/** A pipeline's artifact store: the bucket and the KMS key that encrypts it. */
export interface ArtifactStoreInput {
  /** The pipeline's artifact bucket. */
  readonly artifactBucketArn: string;
  /** The KMS key that encrypts the artifact bucket. */
  readonly kmsKeyArn: string;
}

/**
 * What every principal of a pipeline (the CodePipeline role and each stage role) needs of the
 * artifact store: read and write its objects, locate the bucket, and use the key for them.
 * `extraBucketActions` are added to the bucket-level statement (the CodePipeline role also reads
 * the bucket's versioning state).
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role
 */
export function artifactStatements(
  input: ArtifactStoreInput,
  extraBucketActions: readonly string[] = [],
): IamStatement[] {
  assertArn(input.artifactBucketArn, 's3Bucket', 'artifactBucketArn');
  assertArn(input.kmsKeyArn, 'kmsKey', 'kmsKeyArn');
  return [
    {
      Sid: 'ReadWriteArtifacts',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
      Resource: [`${input.artifactBucketArn}/*`],
    },
    {
      Sid: 'LocateArtifactBucket',
      Effect: 'Allow',
      Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', ...extraBucketActions],
      Resource: [input.artifactBucketArn],
    },
    {
      Sid: 'UseArtifactKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [input.kmsKeyArn],
    },
  ];
}
