import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  buildspecHeader,
  DeployVariable,
  inputsFor,
  renderStage,
  Stage,
  STAGE_ORDER,
  type Environment as BuildspecEnvironment,
} from '@signet/buildspec';
import {
  buildBuildRolePolicy,
  buildCodeBuildVpcPolicy,
  buildDeployRolePolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  buildSigningRolePolicy,
  buildStartPipelinePolicy,
  buildVerificationRolePolicy,
  pipelineLogsKeyGrant,
  SourceKind,
  type IamPolicyDocument,
  type SourceAccess,
  type StageResourcesInput,
} from '@signet/policies';
import type { DiscoveredApp } from '../apps.js';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { kmsAliasName, logGroupName, physicalName } from '../naming.js';
import { ArtifactBucket } from './artifact-bucket.js';
import type { PipelineSource } from './source.js';
import { buildPipelineStages, buildSourceTrigger, STAGE_SLUG, stageProjectVariables } from './stages.js';
import { StageProject } from './stage-project.js';

/** Managed EKS access policies the cluster-facing stages get, scoped to the app's namespace. */
export const EKS_ACCESS_POLICY = {
  /**
   * `kubectl apply`, `rollout status` and `rollout undo` of the app's Deployment: edit rights in
   * the namespace; no RBAC or namespace changes (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
   */
  edit: 'AmazonEKSEditPolicy',
} as const;

/** Role name suffix per stage (IAM role names are limited to 64 characters). */
const ROLE_SUFFIX: Readonly<Record<Stage, string>> = {
  [Stage.Build]: 'build',
  [Stage.ApplicationSigning]: 'sign',
  [Stage.ApplicationDeployment]: 'deploy',
  [Stage.VerifyContainerSign]: 'verify',
};

/** Stages that talk to the cluster, and so run in the VPC next to its private endpoint. */
const CLUSTER_STAGES: readonly Stage[] = [Stage.ApplicationDeployment, Stage.VerifyContainerSign];

/** The log group of one stage of one app: `/signet/<env>/pipeline/<app>/<stage>`. */
export function stageLogGroupName(environment: Environment, app: string, stage: Stage): string {
  return `${appLogGroupPrefix(environment, app)}${STAGE_SLUG[stage]}`;
}

function appLogGroupPrefix(environment: Environment, app: string): string {
  return `${logGroupName(environment, 'pipeline')}/${app}/`;
}

/**
 * The buildspec of each stage, rendered by `@signet/buildspec` exactly as the committed
 * `buildspecs/<app>/<env>/` files (same inputs, same header).
 */
export function renderAppBuildspecs(app: DiscoveredApp, environment: Environment): Record<Stage, string> {
  const declaration = {
    name: app.name,
    namespace: app.namespace,
    port: app.port,
    environments: app.environments,
    manifests: app.manifests,
  };
  const inputs = inputsFor({ directory: app.directory, declaration }, environment as BuildspecEnvironment);
  return Object.fromEntries(
    STAGE_ORDER.map((stage) => [
      stage,
      renderStage(stage, inputs, buildspecHeader(stage, app.name, environment)),
    ]),
  ) as Record<Stage, string>;
}

/** Arguments of {@link AppPipeline}. */
export interface AppPipelineArgs {
  readonly environment: Environment;
  readonly region: string;
  readonly app: DiscoveredApp;
  /** Where the pipeline's source comes from (CodeCommit repository created here, or a connection). */
  readonly source: PipelineSource;
  /** Manual approval between ApplicationSigning and ApplicationDeployment. */
  readonly manualApproval: boolean;
  /** Retention of the stage log groups, in days (a CloudWatch Logs value). */
  readonly logRetentionDays: number;
  /** Days artifacts and noncurrent versions are kept. */
  readonly artifactRetentionDays: number;
  /** The app's ECR repository (from the ecr stack). */
  readonly repository: pulumi.Input<{ readonly arn: string; readonly url: string }>;
  /** The app's pipeline signing profile ARN (from the signer stack). */
  readonly signingProfileArn: pulumi.Input<string>;
  /** Every trusted profile ARN of the environment: revocation checks of `notation verify`. */
  readonly trustedIdentities: pulumi.Input<string[]>;
  /** The notation trust policy (JSON) the cluster verifies with, from `buildTrustPolicy`. */
  readonly trustPolicyJson: pulumi.Input<string>;
  readonly cluster: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
  };
  /** The app's namespace on the cluster (from the eks stack). */
  readonly namespace: pulumi.Input<string>;
  /** Kubernetes groups given to the verification role (reads the admission ClusterPolicy). */
  readonly verifierKubernetesGroups: readonly string[];
  /** Where the cluster-facing stages run. */
  readonly vpc: {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly securityGroupId: pulumi.Input<string>;
  };
  /** SNS topic of failure and approval notifications. */
  readonly notificationTopicArn: pulumi.Input<string>;
}

/**
 * An app's signing pipeline: source, KMS key, artifact bucket, one CodeBuild project and role per
 * stage, the CodePipeline (V2), the EKS access of the cluster-facing stages (namespace-scoped)
 * and the notification rule.
 */
export class AppPipeline extends pulumi.ComponentResource {
  public readonly pipelineName: pulumi.Output<string>;
  public readonly pipelineArn: pulumi.Output<string>;
  public readonly artifactBucketName: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** Clone URL (HTTPS) of the CodeCommit repository; undefined for a CodeConnections source. */
  public readonly repositoryCloneUrl: pulumi.Output<string> | undefined;
  public readonly roleArns: Readonly<Record<Stage, pulumi.Output<string>>>;

  constructor(name: string, args: AppPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:pipeline:AppPipeline', name, {}, opts);
    const { environment, app, region } = args;
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const partition = aws.getPartitionOutput({}, child).partition;
    const accountId = identity.accountId;
    const pipelineName = physicalName(environment, app.name);
    const pipelineArn = pulumi.interpolate`arn:${partition}:codepipeline:${region}:${accountId}:${pipelineName}`;

    // The pipeline's key: artifacts, CodeBuild output, stage logs.
    const key = new KmsKey(
      `${name}-key`,
      {
        description: `Signet ${environment}: pipeline artifacts and logs of ${app.name}`,
        aliasName: kmsAliasName(environment, `pipeline-${app.name}`),
        serviceGrants: pulumi.all([accountId, partition]).apply(([id, part]) => [
          pipelineLogsKeyGrant({
            accountId: id,
            partition: part,
            region,
            logGroupPrefix: appLogGroupPrefix(environment, app.name),
          }),
        ]),
      },
      child,
    );
    const bucket = new ArtifactBucket(
      `${name}-artifacts`,
      {
        bucketPrefix: `${physicalName(environment, app.name).slice(0, 36)}-artifacts-`,
        kmsKeyArn: key.keyArn,
        retentionDays: args.artifactRetentionDays,
      },
      child,
    );

    let codeCommit: aws.codecommit.Repository | undefined;
    if (args.source.kind === SourceKind.CodeCommit) {
      codeCommit = new aws.codecommit.Repository(
        `${name}-source`,
        {
          repositoryName: physicalName(environment, app.name),
          description: `Signet workspace that ${app.name}'s ${environment} pipeline builds from`,
          defaultBranch: args.source.branch,
          kmsKeyId: key.keyArn,
        },
        child,
      );
    }
    const sourceAccess: pulumi.Output<SourceAccess> =
      codeCommit === undefined
        ? pulumi.output({
            kind: SourceKind.CodeConnections,
            connectionArn: (args.source as Extract<PipelineSource, { kind: 'codeconnections' }>)
              .connectionArn,
          })
        : codeCommit.arn.apply((repositoryArn) => ({ kind: SourceKind.CodeCommit, repositoryArn }));

    // One project and role per stage, each with its own policy from @signet/policies.
    const buildspecs = renderAppBuildspecs(app, environment);
    const repository = pulumi.output(args.repository);
    const stageResources = (stage: Stage) =>
      pulumi
        .all([accountId, partition, bucket.bucketArn, key.keyArn])
        .apply(([id, part, artifactBucketArn, kmsKeyArn]): StageResourcesInput => ({
          logGroupArn: `arn:${part}:logs:${region}:${id}:log-group:${stageLogGroupName(environment, app.name, stage)}`,
          artifactBucketArn,
          kmsKeyArn,
        }));
    const policies: Record<Stage, pulumi.Output<IamPolicyDocument>> = {
      [Stage.Build]: pulumi
        .all([stageResources(Stage.Build), repository])
        .apply(([res, repo]) => buildBuildRolePolicy({ ...res, repositoryArn: repo.arn })),
      [Stage.ApplicationSigning]: pulumi
        .all([
          stageResources(Stage.ApplicationSigning),
          repository,
          args.signingProfileArn,
          args.trustedIdentities,
        ])
        .apply(([res, repo, signingProfileArn, trusted]) =>
          buildSigningRolePolicy({
            ...res,
            repositoryArn: repo.arn,
            signingProfileArn,
            trustedSigningProfileArns: trusted,
          }),
        ),
      [Stage.ApplicationDeployment]: pulumi
        .all([stageResources(Stage.ApplicationDeployment), args.cluster.arn])
        .apply(([res, clusterArn]) => buildDeployRolePolicy({ ...res, clusterArn })),
      [Stage.VerifyContainerSign]: pulumi
        .all([stageResources(Stage.VerifyContainerSign), args.cluster.arn, repository])
        .apply(([res, clusterArn, repo]) =>
          buildVerificationRolePolicy({ ...res, clusterArn, repositoryArn: repo.arn }),
        ),
    };
    const vpcPolicy = pulumi
      .all([accountId, partition, args.vpc.subnetIds])
      .apply(([id, part, subnetIds]) =>
        buildCodeBuildVpcPolicy({ accountId: id, partition: part, region, subnetIds }),
      );
    const variables = pulumi
      .all([repository, args.signingProfileArn, args.trustPolicyJson, args.cluster.name])
      .apply(([repo, signingProfileArn, trustPolicy, clusterName]) => ({
        [DeployVariable.RepositoryUri]: repo.url,
        [DeployVariable.SigningProfileArn]: signingProfileArn,
        [DeployVariable.TrustPolicy]: trustPolicy,
        [DeployVariable.ClusterName]: clusterName,
      }));

    const projects = Object.fromEntries(
      STAGE_ORDER.map((stage) => {
        const inCluster = CLUSTER_STAGES.includes(stage);
        const project = new StageProject(
          `${name}-${STAGE_SLUG[stage]}`,
          {
            stage,
            projectName: physicalName(environment, `${app.name}-${STAGE_SLUG[stage]}`),
            roleName: physicalName(environment, `${app.name}-${ROLE_SUFFIX[stage]}`),
            buildspec: buildspecs[stage],
            variables: variables.apply((values) => stageProjectVariables(stage, values)),
            policy: policies[stage],
            ...(inCluster ? { vpcPolicy, vpc: args.vpc } : {}),
            kmsKeyArn: key.keyArn,
            logGroupName: stageLogGroupName(environment, app.name, stage),
            logRetentionDays: args.logRetentionDays,
            timeoutMinutes: stage === Stage.Build ? 60 : 30,
            accountId,
            partition,
            region,
          },
          child,
        );
        return [stage, project];
      }),
    ) as Record<Stage, StageProject>;

    // The cluster-facing stages reach Kubernetes through access entries limited to the namespace.
    for (const stage of CLUSTER_STAGES) {
      const slug = STAGE_SLUG[stage];
      const principalArn = projects[stage].roleArn;
      const entry = new aws.eks.AccessEntry(
        `${name}-${slug}-access`,
        {
          clusterName: args.cluster.name,
          principalArn,
          type: 'STANDARD',
          ...(stage === Stage.VerifyContainerSign
            ? { kubernetesGroups: [...args.verifierKubernetesGroups] }
            : {}),
        },
        child,
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-${slug}-namespace-edit`,
        {
          clusterName: args.cluster.name,
          principalArn,
          policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${EKS_ACCESS_POLICY.edit}`,
          accessScope: { type: 'namespace', namespaces: [args.namespace] },
        },
        { parent: this, dependsOn: [entry] },
      );
    }

    // The pipeline role: its bucket and key, its own projects, its own source.
    const pipelineRole = new aws.iam.Role(
      `${name}-pipeline-role`,
      {
        name: physicalName(environment, `${app.name}-pipeline`),
        assumeRolePolicy: pulumi.all([accountId, pipelineArn]).apply(([id, sourceArn]) =>
          JSON.stringify(
            buildServiceRoleTrustPolicy({
              service: 'codepipeline.amazonaws.com',
              accountId: id,
              sourceArn,
            }),
          ),
        ),
      },
      child,
    );
    const pipelinePolicy = new aws.iam.RolePolicy(
      `${name}-pipeline-policy`,
      {
        role: pipelineRole.id,
        policy: pulumi
          .all([
            bucket.bucketArn,
            key.keyArn,
            pulumi.all(STAGE_ORDER.map((stage) => projects[stage].projectArn)),
            sourceAccess,
          ])
          .apply(([artifactBucketArn, kmsKeyArn, projectArns, source]) =>
            JSON.stringify(buildPipelineRolePolicy({ artifactBucketArn, kmsKeyArn, projectArns, source })),
          ),
      },
      child,
    );

    const layout = buildPipelineStages({
      source: args.source,
      codeCommitRepositoryName: physicalName(environment, app.name),
      projectNames: Object.fromEntries(
        STAGE_ORDER.map((stage) => [stage, physicalName(environment, `${app.name}-${STAGE_SLUG[stage]}`)]),
      ) as Record<Stage, string>,
      manualApproval: args.manualApproval,
    });
    const trigger = buildSourceTrigger(args.source, app.directory, app.name);
    const pipeline = new aws.codepipeline.Pipeline(
      `${name}-pipeline`,
      {
        name: pipelineName,
        pipelineType: 'V2',
        executionMode: 'QUEUED',
        roleArn: pipelineRole.arn,
        artifactStores: [
          { type: 'S3', location: bucket.bucketName, encryptionKey: { type: 'KMS', id: key.keyArn } },
        ],
        stages: layout.map((stage) => ({
          name: stage.name,
          actions: stage.actions.map(({ inputArtifacts, outputArtifacts, configuration, ...action }) => ({
            ...action,
            configuration: { ...configuration },
            ...(inputArtifacts ? { inputArtifacts: [...inputArtifacts] } : {}),
            ...(outputArtifacts ? { outputArtifacts: [...outputArtifacts] } : {}),
          })),
        })),
        ...(trigger ? { triggers: [trigger] } : {}),
      },
      { parent: this, dependsOn: [pipelinePolicy, ...Object.values(projects)] },
    );

    if (codeCommit !== undefined) {
      // CodeCommit has no V2 trigger: an EventBridge rule on the branch starts the pipeline.
      const rule = new aws.cloudwatch.EventRule(
        `${name}-source-changed`,
        {
          name: physicalName(environment, `${app.name}-source`),
          description: `Start ${pipelineName} on a push to ${args.source.branch}`,
          eventPattern: codeCommit.arn.apply((arn) =>
            JSON.stringify({
              source: ['aws.codecommit'],
              'detail-type': ['CodeCommit Repository State Change'],
              resources: [arn],
              detail: {
                event: ['referenceCreated', 'referenceUpdated'],
                referenceType: ['branch'],
                referenceName: [args.source.branch],
              },
            }),
          ),
        },
        child,
      );
      const eventsRole = new aws.iam.Role(
        `${name}-source-events-role`,
        {
          name: physicalName(environment, `${app.name}-start`),
          assumeRolePolicy: pulumi.all([accountId, partition]).apply(([id, part]) =>
            JSON.stringify(
              buildServiceRoleTrustPolicy({
                service: 'events.amazonaws.com',
                accountId: id,
                sourceArn: `arn:${part}:events:${region}:${id}:rule/${physicalName(environment, `${app.name}-source`)}`,
              }),
            ),
          ),
        },
        child,
      );
      new aws.iam.RolePolicy(
        `${name}-source-events-policy`,
        {
          role: eventsRole.id,
          policy: pipeline.arn.apply((arn) => JSON.stringify(buildStartPipelinePolicy(arn))),
        },
        child,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-source-target`,
        { rule: rule.name, arn: pipeline.arn, roleArn: eventsRole.arn },
        child,
      );
    }

    // Failed executions and pending approvals reach the environment's topic.
    new aws.codestarnotifications.NotificationRule(
      `${name}-notifications`,
      {
        name: physicalName(environment, `${app.name}-pipeline`),
        resource: pipeline.arn,
        detailType: 'FULL',
        eventTypeIds: PIPELINE_NOTIFICATION_EVENTS.filter(
          (event) => args.manualApproval || event !== 'codepipeline-pipeline-manual-approval-needed',
        ),
        targets: [{ type: 'SNS', address: args.notificationTopicArn }],
      },
      child,
    );

    this.pipelineName = pipeline.name;
    this.pipelineArn = pipeline.arn;
    this.artifactBucketName = bucket.bucketName;
    this.kmsKeyArn = key.keyArn;
    this.repositoryCloneUrl = codeCommit?.cloneUrlHttp;
    this.roleArns = Object.fromEntries(
      STAGE_ORDER.map((stage) => [stage, projects[stage].roleArn]),
    ) as Record<Stage, pulumi.Output<string>>;
    this.registerOutputs({
      pipelineName: this.pipelineName,
      pipelineArn: this.pipelineArn,
      artifactBucketName: this.artifactBucketName,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}

/** CodeStar Notifications events sent to the topic. */
export const PIPELINE_NOTIFICATION_EVENTS = [
  'codepipeline-pipeline-pipeline-execution-failed',
  'codepipeline-pipeline-manual-approval-needed',
] as const;
