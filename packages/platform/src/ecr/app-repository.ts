import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildRepositoryPolicy } from '@signet/policies';
import { buildLifecyclePolicy } from './lifecycle.js';

/** Arguments of {@link AppRepository}. */
export interface AppRepositoryArgs {
  /** Repository name, from `repositoryName(env, app)`. */
  readonly repositoryName: string;
  /** ARN of the customer-managed KMS key that encrypts the images. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Newest tagged images to keep (see buildLifecyclePolicy). */
  readonly keepTaggedImages: number;
  /** Principals outside the account's own that may pull. Default none. */
  readonly extraPullPrincipalArns?: readonly string[];
}

const REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * One app's image repository: immutable tags (a signed tag can never point at another digest),
 * scan on push, KMS encryption with a customer-managed key, a lifecycle policy that never expires
 * signatures or SBOMs, a pull-only repository policy without `*` principals, no force delete.
 */
export class AppRepository extends pulumi.ComponentResource {
  public readonly repositoryName: pulumi.Output<string>;
  public readonly repositoryArn: pulumi.Output<string>;
  public readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: AppRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:ecr:AppRepository', name, {}, opts);
    if (!REPOSITORY_NAME.test(args.repositoryName)) {
      throw new Error(
        `AppRepository ${name}: repositoryName has value "${args.repositoryName}"; allowed: an ECR repository name (lowercase, digits, "._-/" separators, 2..256 characters)`,
      );
    }
    const lifecyclePolicy = JSON.stringify(buildLifecyclePolicy({ keepTaggedImages: args.keepTaggedImages }));
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    // Validate now (with a placeholder account) so a bad principal fails at construction, not at deploy.
    buildRepositoryPolicy({
      accountId: '000000000000',
      partition: 'aws',
      extraPullPrincipalArns: args.extraPullPrincipalArns ?? [],
    });

    const repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: args.repositoryName,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: args.kmsKeyArn }],
        forceDelete: false,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      { repository: repository.name, policy: lifecyclePolicy },
      { parent: this },
    );
    new aws.ecr.RepositoryPolicy(
      `${name}-policy`,
      {
        repository: repository.name,
        policy: pulumi.all([identity.accountId, partition.partition]).apply(([accountId, partitionName]) =>
          JSON.stringify(
            buildRepositoryPolicy({
              accountId,
              partition: partitionName,
              extraPullPrincipalArns: args.extraPullPrincipalArns ?? [],
            }),
          ),
        ),
      },
      { parent: this },
    );

    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
    this.registerOutputs({
      repositoryName: this.repositoryName,
      repositoryArn: this.repositoryArn,
      repositoryUrl: this.repositoryUrl,
    });
  }
}
