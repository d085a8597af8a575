import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildArtifactBucketPolicy, type PromotionRequestGrantInput } from '@signet/policies';
import { privateKmsBucket } from '../s3/private-bucket.js';

/** Arguments of {@link ArtifactBucket}. */
export interface ArtifactBucketArgs {
  /** Bucket name (`artifactBucketName`: fixed, so another environment's policies can name it). */
  readonly bucketName: pulumi.Input<string>;
  /** Customer-managed key that encrypts every object by default. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Days after which artifacts (current versions) expire, and noncurrent versions are removed. */
  readonly retentionDays: number;
  /**
   * Where the pipeline promotes: who writes its promotion request (the bucket policy grants it
   * `s3:PutObject` on that one key), and every event of the bucket goes to EventBridge, where a rule
   * starts the pipeline when the request is written.
   */
  readonly promotionRequest?: pulumi.Input<Omit<PromotionRequestGrantInput, 'bucketArn'>>;
}

/**
 * A pipeline's artifact store: KMS-encrypted by default with the pipeline's key (S3 Bucket Keys
 * on), versioned, every form of public access blocked, ACLs disabled, TLS-only, and a lifecycle
 * that expires old artifacts and their noncurrent versions.
 */
export class ArtifactBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: ArtifactBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:pipeline:ArtifactBucket', name, {}, opts);
    if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1 || args.retentionDays > 3650) {
      throw new Error(
        `ArtifactBucket ${name}: retentionDays has value ${args.retentionDays}; allowed: an integer from 1 to 3650`,
      );
    }
    const child = { parent: this };
    const { bucket, versioning } = privateKmsBucket(
      name,
      {
        bucketName: args.bucketName,
        kmsKeyArn: args.kmsKeyArn,
        policy: (bucketArn) =>
          pulumi
            .all([bucketArn, pulumi.output(args.promotionRequest), pulumi.output(args.kmsKeyArn)])
            .apply(([arn, promotionRequest, kmsKeyArn]) =>
              JSON.stringify(
                buildArtifactBucketPolicy({
                  bucketArn: arn,
                  ...(promotionRequest === undefined
                    ? {}
                    : { promotionRequest: { ...promotionRequest, kmsKeyArn } }),
                }),
              ),
            ),
      },
      this,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: 'expire-old-artifacts',
            status: 'Enabled',
            filter: {},
            expiration: { days: args.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: args.retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
          {
            id: 'remove-expired-delete-markers',
            status: 'Enabled',
            filter: {},
            expiration: { expiredObjectDeleteMarker: true },
          },
        ],
      },
      // Lifecycle rules on noncurrent versions need versioning in place.
      { parent: this, dependsOn: [versioning] },
    );

    if (args.promotionRequest !== undefined) {
      // S3 sends the bucket's events to EventBridge (no trail needed); a rule picks the request's creation.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
      new aws.s3.BucketNotification(`${name}-events`, { bucket: bucket.id, eventbridge: true }, child);
    }

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
