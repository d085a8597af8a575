import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { stageEntry, type Stage } from '@signet/buildspec';
import { buildServiceRoleTrustPolicy, ServicePrincipal, type IamPolicyDocument } from '@signet/policies';
import type { PlainVariable } from './stages.js';

/** The CodeBuild image every stage runs on (Amazon Linux standard image, x86_64). */
export const CODEBUILD_IMAGE = 'aws/codebuild/standard:7.0';

/**
 * Whether a stage's build container runs privileged: the stage catalog's `privileged`, true for
 * Build only (the reason is beside that entry in @signet/buildspec's catalog.ts).
 */
export function isPrivilegedStage(stage: Stage): boolean {
  return stageEntry(stage).privileged;
}

/** Arguments of {@link StageProject}. */
export interface StageProjectArgs {
  readonly stage: Stage;
  /** Physical project name (also names the role and is in the trust policy's source ARN). */
  readonly projectName: string;
  /** Physical role name (IAM allows 64 characters, so it is shorter than the project name). */
  readonly roleName: string;
  /** Rendered buildspec YAML, inline: the pipeline runs what the stack deployed, not what a branch holds. */
  readonly buildspec: string;
  /** The stage's deploy-time variables (exactly the buildspec contract's). */
  readonly variables: pulumi.Input<readonly PlainVariable[]>;
  /** Identity policy of the stage role, from `@signet/policies`. */
  readonly policy: pulumi.Input<IamPolicyDocument>;
  /** Extra identity policy (VPC network interfaces), when the stage runs in the VPC. */
  readonly vpcPolicy?: pulumi.Input<IamPolicyDocument>;
  /** KMS key of the project's artifacts and of its log group. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logGroupName: string;
  /** Log retention in days. */
  readonly logRetentionDays: number;
  /** Set for the stages that reach the private cluster endpoint. */
  readonly vpc?: {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly securityGroupId: pulumi.Input<string>;
  };
  /** Minutes before CodeBuild stops the build. Default: the stage catalog's. */
  readonly timeoutMinutes?: number;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  readonly region: string;
}

/**
 * One pipeline stage: its CodeBuild project with its own role (trusted by CodeBuild for this
 * project only), KMS-encrypted artifacts and a KMS-encrypted log group with retention.
 */
export class StageProject extends pulumi.ComponentResource {
  public readonly projectName: pulumi.Output<string>;
  public readonly projectArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly logGroupArn: pulumi.Output<string>;

  constructor(name: string, args: StageProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:pipeline:StageProject', name, {}, opts);
    const entry = stageEntry(args.stage);
    const timeoutMinutes = args.timeoutMinutes ?? entry.timeoutMinutes;
    if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 5 || timeoutMinutes > 480) {
      throw new Error(
        `StageProject ${name}: timeoutMinutes has value ${timeoutMinutes}; allowed: an integer from 5 to 480`,
      );
    }
    const projectArn = pulumi.interpolate`arn:${args.partition}:codebuild:${args.region}:${args.accountId}:project/${args.projectName}`;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: `Signet ${args.stage} stage (${args.projectName})`,
        assumeRolePolicy: pulumi
          .all([args.accountId, projectArn])
          .apply(([accountId, sourceArn]) =>
            JSON.stringify(
              buildServiceRoleTrustPolicy({ service: ServicePrincipal.CodeBuild, accountId, sourceArn }),
            ),
          ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    const policies = [
      new aws.iam.RolePolicy(
        `${name}-policy`,
        { role: role.id, policy: pulumi.output(args.policy).apply((doc) => JSON.stringify(doc)) },
        { parent: this },
      ),
    ];
    if (args.vpcPolicy !== undefined) {
      policies.push(
        new aws.iam.RolePolicy(
          `${name}-vpc-policy`,
          { role: role.id, policy: pulumi.output(args.vpcPolicy).apply((doc) => JSON.stringify(doc)) },
          { parent: this },
        ),
      );
    }

    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: args.projectName,
        description: `Signet ${args.stage} stage`,
        serviceRole: role.arn,
        encryptionKey: args.kmsKeyArn,
        buildTimeout: timeoutMinutes,
        queuedTimeout: 60,
        artifacts: { type: 'CODEPIPELINE' },
        source: { type: 'CODEPIPELINE', buildspec: args.buildspec },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: entry.computeType,
          image: CODEBUILD_IMAGE,
          imagePullCredentialsType: 'CODEBUILD',
          privilegedMode: entry.privileged,
          environmentVariables: pulumi.output(args.variables).apply((vs) => vs.map((v) => ({ ...v }))),
        },
        logsConfig: {
          cloudwatchLogs: { status: 'ENABLED', groupName: logGroup.name },
          s3Logs: { status: 'DISABLED' },
        },
        ...(args.vpc === undefined
          ? {}
          : {
              vpcConfig: {
                vpcId: args.vpc.vpcId,
                subnets: args.vpc.subnetIds,
                securityGroupIds: [args.vpc.securityGroupId],
              },
            }),
      },
      // The role's permissions must exist before CodeBuild validates the project.
      { parent: this, dependsOn: policies },
    );

    this.projectName = project.name;
    this.projectArn = project.arn;
    this.roleArn = role.arn;
    this.logGroupArn = logGroup.arn;
    this.registerOutputs({
      projectName: this.projectName,
      projectArn: this.projectArn,
      roleArn: this.roleArn,
      logGroupArn: this.logGroupArn,
    });
  }
}
