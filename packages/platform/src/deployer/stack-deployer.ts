import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { deployerBuildspec, renderBuildspec, type PulumiCliPin } from '@signet/buildspec';
import {
  buildDeployerRolePolicy,
  buildServiceRoleTrustPolicy,
  cloudWatchLogsKeyGrant,
  logGroupArn as logGroupArnOf,
  ServicePrincipal,
} from '@signet/policies';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { kmsAliasName, logGroupName, physicalName } from '../naming.js';

/** AWS managed policy of the deployer: `pulumi up` of eks and signing-pipeline creates IAM roles, keys and the cluster. */
export const DEPLOYER_MANAGED_POLICY = 'AdministratorAccess';

/** CodeBuild image of the deployer (Ubuntu, Node.js and git; the Pulumi CLI is installed pinned). */
export const DEPLOYER_IMAGE = 'aws/codebuild/standard:7.0';

/** Arguments of {@link StackDeployer}. */
export interface StackDeployerArgs {
  readonly environment: Environment;
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets: the builds run there, next to the cluster's private endpoint. */
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** Security group of the builds (egress only); the eks stack opens the cluster endpoint to it. */
  readonly securityGroupId: pulumi.Input<string>;
  /** `<owner>/<repo>` on GitHub: the only source the deployer checks out. */
  readonly repository: string;
  /** CodeConnections connection to that repository. */
  readonly connectionArn: string;
  /** Secrets Manager secret with the Pulumi deploy token. */
  readonly pulumiTokenSecretArn: string;
  /** The Pulumi CLI release the builds install, by version and SHA-256. */
  readonly pulumiCli: PulumiCliPin;
  /** Retention of the build logs (days). */
  readonly logRetentionDays: number;
}

const REPOSITORY = /^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/;

/**
 * A CodeBuild project in the private subnets that runs `pulumi up` of the stacks behind the
 * cluster's private endpoint (eks, then signing-pipeline) for one commit of main, started by the
 * deploy workflow with `aws codebuild start-build --source-version <sha>`. It is as privileged as
 * the stacks it deploys (AdministratorAccess), minus signing, image pushes and changes to itself
 * (buildDeployerRolePolicy); its buildspec is Signet's, inline, never the commit's; one build at a
 * time; logs encrypted with its own key. docs/deploy.md says who may start it.
 */
export class StackDeployer extends pulumi.ComponentResource {
  public readonly projectName: pulumi.Output<string>;
  public readonly projectArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: StackDeployerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:deployer:StackDeployer', name, {}, opts);
    if (!REPOSITORY.test(args.repository)) {
      throw new Error(
        `StackDeployer ${name}: repository has value ${JSON.stringify(args.repository)}; allowed: <owner>/<repo> on GitHub`,
      );
    }
    const env = args.environment;
    const projectName = physicalName(env, 'deployer');
    const logGroup = logGroupName(env, 'deployer');
    // Validated here, at construction, so a bad pin fails the preview rather than the first build.
    const buildspec = renderBuildspec(
      deployerBuildspec({
        environment: env,
        pulumiTokenSecretArn: args.pulumiTokenSecretArn,
        pulumiCli: args.pulumiCli,
      }),
    );
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const scope = pulumi
      .all([identity.accountId, partition])
      .apply(([accountId, part]) => ({ accountId, partition: part, region: args.region }));
    const projectArn = scope.apply(
      (s) => `arn:${s.partition}:codebuild:${s.region}:${s.accountId}:project/${projectName}`,
    );

    const key = new KmsKey(
      `${name}-logs`,
      {
        description: `Signet ${env}: encrypts the deployer's build logs ${logGroup}`,
        aliasName: kmsAliasName(env, 'deployer-logs'),
        serviceGrants: scope.apply((s) => [cloudWatchLogsKeyGrant({ ...s, logGroupName: logGroup })]),
      },
      { parent: this },
    );
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroup, retentionInDays: args.logRetentionDays, kmsKeyId: key.keyArn },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: projectName,
        description: `Signet ${env}: runs pulumi up of the private-endpoint stacks (docs/deploy.md)`,
        assumeRolePolicy: pulumi
          .all([identity.accountId, projectArn])
          .apply(([accountId, sourceArn]) =>
            JSON.stringify(
              buildServiceRoleTrustPolicy({ service: ServicePrincipal.CodeBuild, accountId, sourceArn }),
            ),
          ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    const admin = new aws.iam.RolePolicyAttachment(
      `${name}-role-${DEPLOYER_MANAGED_POLICY}`,
      {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${DEPLOYER_MANAGED_POLICY}`,
      },
      { parent: this },
    );
    const bounds = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        policy: pulumi.all([projectArn, role.arn, scope]).apply(([project, roleArn, s]) =>
          JSON.stringify(
            buildDeployerRolePolicy({
              projectArn: project,
              roleArn,
              logGroupArn: logGroupArnOf(s, logGroup),
              pulumiTokenSecretArn: args.pulumiTokenSecretArn,
              connectionArn: args.connectionArn,
            }),
          ),
        ),
      },
      { parent: this },
    );

    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: projectName,
        description: `Signet ${env}: pulumi up of eks and signing-pipeline for a commit of main`,
        serviceRole: role.arn,
        source: {
          type: 'GITHUB',
          location: `https://github.com/${args.repository}.git`,
          auth: { type: 'CODECONNECTIONS', resource: args.connectionArn },
          // Full history: the buildspec checks that the commit is on main.
          gitCloneDepth: 0,
          buildspec,
        },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_MEDIUM',
          image: DEPLOYER_IMAGE,
          imagePullCredentialsType: 'CODEBUILD',
          privilegedMode: false,
        },
        vpcConfig: {
          vpcId: args.vpcId,
          subnets: args.privateSubnetIds,
          securityGroupIds: [args.securityGroupId],
        },
        logsConfig: { cloudwatchLogs: { status: 'ENABLED', groupName: logs.name } },
        // One deploy at a time per environment, like the workflow's concurrency group.
        concurrentBuildLimit: 1,
        buildTimeout: 120,
        queuedTimeout: 60,
      },
      { parent: this, dependsOn: [admin, bounds] },
    );

    this.projectName = project.name;
    this.projectArn = project.arn;
    this.roleArn = role.arn;
    this.registerOutputs({
      projectName: this.projectName,
      projectArn: this.projectArn,
      roleArn: this.roleArn,
    });
  }
}
