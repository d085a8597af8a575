import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  buildKmsKeyPolicy,
  type IamResourcePolicyStatement,
  type KmsKeyServiceGrant,
} from '@signet/policies';

/** Arguments of {@link KmsKey}. */
export interface KmsKeyArgs {
  /** What the key protects; shown in the KMS console. */
  readonly description: string;
  /** Alias including `alias/`, from `kmsAliasName`. */
  readonly aliasName: string;
  /** Services allowed to use the key, each scoped by a condition. Default: none. */
  readonly serviceGrants?: pulumi.Input<readonly KmsKeyServiceGrant[]>;
  /** Principals of other accounts allowed to use the key, each statement with a condition. Default: none. */
  readonly principalGrants?: pulumi.Input<readonly IamResourcePolicyStatement[]>;
  /** Waiting period before a scheduled deletion (7..30 days). Default 30. */
  readonly deletionWindowInDays?: number;
}

/** A customer-managed symmetric KMS key with yearly rotation and a scoped key policy. */
export class KmsKey extends pulumi.ComponentResource {
  public readonly keyArn: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;
  public readonly aliasName: pulumi.Output<string>;

  constructor(name: string, args: KmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:shared:KmsKey', name, {}, opts);
    const deletionWindowInDays = args.deletionWindowInDays ?? 30;
    if (!Number.isInteger(deletionWindowInDays) || deletionWindowInDays < 7 || deletionWindowInDays > 30) {
      throw new Error(
        `KmsKey ${name}: deletionWindowInDays has value ${deletionWindowInDays}; allowed: an integer from 7 to 30`,
      );
    }
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(args.aliasName) || args.aliasName.startsWith('alias/aws/')) {
      throw new Error(
        `KmsKey ${name}: aliasName has value "${args.aliasName}"; allowed: "alias/" followed by letters, digits, "/", "_", "-" (not alias/aws/)`,
      );
    }

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const policy = pulumi
      .all([
        identity.accountId,
        partition.partition,
        pulumi.output(args.serviceGrants ?? []),
        pulumi.output(args.principalGrants ?? []),
      ])
      .apply(([accountId, partitionName, serviceGrants, principalGrants]) =>
        JSON.stringify(
          buildKmsKeyPolicy({
            accountId,
            partition: partitionName,
            serviceGrants: serviceGrants as readonly KmsKeyServiceGrant[],
            principalGrants: principalGrants as readonly IamResourcePolicyStatement[],
          }),
        ),
      );

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        keyUsage: 'ENCRYPT_DECRYPT',
        customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays,
        policy,
      },
      { parent: this },
    );
    const alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: args.aliasName, targetKeyId: key.keyId },
      { parent: this },
    );

    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
  }
}
