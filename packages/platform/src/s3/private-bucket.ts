import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link privateKmsBucket}. */
export interface PrivateKmsBucketArgs {
  /** The bucket's name (fixed names are global: the callers add the account and Region). */
  readonly bucketName: pulumi.Input<string>;
  /** Customer-managed key that encrypts every object by default (S3 Bucket Keys on). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The bucket policy, from the bucket's ARN (the builder of `@signet/policies` the bucket uses). */
  readonly policy: (bucketArn: pulumi.Output<string>) => pulumi.Input<string>;
}

/** What {@link privateKmsBucket} made that its callers build on. */
export interface PrivateKmsBucket {
  readonly bucket: aws.s3.Bucket;
  /** Versioning: what lifecycle rules on noncurrent versions depend on. */
  readonly versioning: aws.s3.BucketVersioning;
}

/**
 * The baseline every Signet bucket has, created under `parent` with names `<name>-bucket`,
 * `-public-access`, `-ownership`, `-versioning`, `-encryption` and `-policy`: every form of public
 * access blocked, ACLs disabled (bucket owner enforced), versioned, encrypted by default with
 * `kmsKeyArn`, and its policy put once the public access block is in place (the two calls can race).
 */
export function privateKmsBucket(
  name: string,
  args: PrivateKmsBucketArgs,
  parent: pulumi.Resource,
): PrivateKmsBucket {
  const child = { parent };
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName }, child);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    },
    child,
  );
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket: bucket.id, policy: args.policy(bucket.arn) },
    { parent, dependsOn: [publicAccess] },
  );
  return { bucket, versioning };
}
