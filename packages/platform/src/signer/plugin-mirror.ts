import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { stagesFor } from '@signet/buildspec';
import { buildPluginMirrorBucketPolicy, roleArn, StageGrant } from '@signet/policies';
import { environmentTraits, type Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { privateKmsBucket } from '../s3/private-bucket.js';
import {
  deployerRoleName,
  githubDeployRoleName,
  kmsAliasName,
  pluginMirrorBucketName,
  stageRoleName,
} from '../naming.js';

/**
 * The stage roles of an environment that install the AWS Signer plugin, and so read the mirror:
 * per app, each of its environment's stages whose catalog grants include `ReadPluginMirror`.
 */
export function pluginInstallerRoleNames(environment: Environment, apps: readonly string[]): string[] {
  const installers = stagesFor(environmentTraits(environment)).filter((entry) =>
    entry.roleGrants.some((grant) => grant === StageGrant.ReadPluginMirror),
  );
  return apps.flatMap((app) => installers.map((entry) => stageRoleName(environment, app, entry.roleSuffix)));
}

/** Arguments of {@link SignerPluginMirror}. */
export interface SignerPluginMirrorArgs {
  readonly environment: Environment;
  readonly region: string;
  /** The environment's apps: their plugin-installing stage roles are the mirror's readers. */
  readonly apps: readonly string[];
}

/**
 * The bucket `signet mirror-plugin` copies the verified AWS Signer plugin builds into, and every
 * stage that installs the plugin reads from: AWS publishes the plugin only at a `latest` URL, so a
 * stage downloading it there breaks the day AWS replaces it (docs/operations.md). Encrypted by
 * default with a key of its own (S3 Bucket Keys on), versioned (a replaced object keeps its
 * history), every form of public access blocked, ACLs disabled, TLS only, object writes denied to
 * all but the deploying roles and object reads to all but them and the plugin-installing stage
 * roles (`buildPluginMirrorBucketPolicy`). No lifecycle: a pinned build must stay while a pin
 * names it. The name is fixed per account and region (`pluginMirrorBucketName`).
 */
export class SignerPluginMirror extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: SignerPluginMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:signer:SignerPluginMirror', name, {}, opts);
    const child = { parent: this };
    const { environment, region } = args;
    const identity = aws.getCallerIdentityOutput({}, child);
    const partition = aws.getPartitionOutput({}, child).partition;

    const key = new KmsKey(
      `${name}-key`,
      {
        description: `Signet ${environment}: the mirrored AWS Signer plugin builds`,
        aliasName: kmsAliasName(environment, 'signer-plugin'),
      },
      child,
    );
    const readers = pluginInstallerRoleNames(environment, args.apps);
    const { bucket } = privateKmsBucket(
      name,
      {
        bucketName: identity.accountId.apply((accountId) =>
          pluginMirrorBucketName(environment, accountId, region),
        ),
        kmsKeyArn: key.keyArn,
        policy: (bucketArn) =>
          pulumi.all([bucketArn, partition, identity.accountId]).apply(([arn, part, accountId]) =>
            JSON.stringify(
              buildPluginMirrorBucketPolicy({
                bucketArn: arn,
                writerPrincipalArns: [deployerRoleName(environment), githubDeployRoleName(environment)].map(
                  (role) => roleArn(part, accountId, role),
                ),
                // No app yet: only the deployers read (the mirror command's comparison).
                readerPrincipalArns: readers.map((role) => roleArn(part, accountId, role)),
              }),
            ),
          ),
      },
      this,
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.keyArn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
