import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildRepositoryPolicy, principalArnPatterns, roleArn } from '@signet/policies';
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
  /** The roles (names, in this account) that alone may push: `repositoryWriterRoleNames(env, app)`. */
  readonly writerRoleNames: readonly string[];
  /**
   * The roles (names, in this account) that may delete images and change the repository's
   * settings and policy besides the identity running `pulumi up`: `[deployerRoleName(env)]`.
   */
  readonly administratorRoleNames: readonly string[];
  /**
   * The Promote roles of the environments that promote from this one, each in its environment's
   * account (`accounts.json`): those of another account than this repository's may pull (and only
   * pull). Roles of this account need no grant here: the account's own pull statement lets their
   * IAM policies decide. Default none.
   */
  readonly promotionReaders?: readonly { readonly accountId: string; readonly roleName: string }[];
}

const REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * One app's image repository: immutable tags (a signed tag can never point at another digest),
 * scan on push, KMS encryption with a customer-managed key, a lifecycle policy that never expires
 * signatures or SBOMs, a repository policy that allows pull only, denies push to all but the
 * writer roles and deletes or policy changes to all but the administrators, no force delete.
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
    // Who may push, delete and change the policy: see buildRepositoryPolicy. The identity running
    // `pulumi up` stays an administrator (as its role, any path), so a deployment can always manage
    // the policy it set; the writer and administrator roles are named, never patterns.
    const access = (accountId: string, partitionName: string, callerArn: string) => ({
      accountId,
      partition: partitionName,
      extraPullPrincipalArns: args.extraPullPrincipalArns ?? [],
      writerRoleArns: args.writerRoleNames.map((role) => roleArn(partitionName, accountId, role)),
      administratorPrincipalArns: [
        ...args.administratorRoleNames.map((role) => roleArn(partitionName, accountId, role)),
        ...principalArnPatterns(callerArn),
      ],
      promotionReaderRoleArns: (args.promotionReaders ?? [])
        .filter((reader) => reader.accountId !== accountId)
        .map((reader) => roleArn(partitionName, reader.accountId, reader.roleName)),
    });
    // Validate now (with a placeholder account) so a bad principal fails at construction, not at deploy.
    buildRepositoryPolicy(access('000000000000', 'aws', 'arn:aws:iam::000000000000:root'));

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
        policy: pulumi
          .all([identity.accountId, partition.partition, identity.arn])
          .apply(([accountId, partitionName, callerArn]) =>
            JSON.stringify(buildRepositoryPolicy(access(accountId, partitionName, callerArn))),
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
