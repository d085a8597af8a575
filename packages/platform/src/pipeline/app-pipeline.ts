import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  buildspecHeader,
  DeployVariable,
  inputsFor,
  renderStage,
  StageNetwork,
  stagesFor,
  type Environment as BuildspecEnvironment,
  type Stage,
  type StageEntry,
} from '@signet/buildspec';
import {
  buildCodeBuildVpcPolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  pipelineLogsKeyGrant,
  ServicePrincipal,
  SourceKind,
  type SourceAccess,
} from '@signet/policies';
import type { DiscoveredApp } from '../apps.js';
import { environmentTraits, type Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import {
  kmsAliasName,
  logGroupName,
  physicalName,
  pipelineName as appPipelineName,
  pipelineRoleName,
  stageProjectName,
  stageRoleName,
} from '../naming.js';
import { ArtifactBucket } from './artifact-bucket.js';
import { createCodeCommitTrigger } from './codecommit-trigger.js';
import type { PipelineSource } from './source.js';
import { createStageClusterAccess, stageRolePolicy } from './stage-access.js';
import { buildPipelineStages, buildSourceTrigger, STAGE_SLUG, stageProjectVariables } from './stages.js';
import { StageProject } from './stage-project.js';

/** The stages of an environment's pipeline, from the stage catalog and the environment's traits. */
export function pipelineStages(environment: Environment): readonly StageEntry<Stage>[] {
  return stagesFor(environmentTraits(environment));
}

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
export function renderAppBuildspecs(
  app: DiscoveredApp,
  environment: Environment,
): Partial<Record<Stage, string>> {
  const declaration = {
    name: app.name,
    namespace: app.namespace,
    port: app.port,
    environments: app.environments,
    manifests: app.manifests,
  };
  const inputs = inputsFor({ directory: app.directory, declaration }, environment as BuildspecEnvironment);
  return Object.fromEntries(
    pipelineStages(environment).map(({ name: stage }) => [
      stage,
      renderStage(stage, inputs, buildspecHeader(stage, app.name, environment)),
    ]),
  );
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
  /** The group that may get the admission ClusterPolicy (for stages whose entry reads it). */
  readonly admissionPolicyReadersGroup: string;
  /** The cluster, for the Roles of stages with `rbac` cluster access. */
  readonly kubernetesProvider: pulumi.ProviderResource;
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
  public readonly roleArns: Readonly<Partial<Record<Stage, pulumi.Output<string>>>>;

  constructor(name: string, args: AppPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:pipeline:AppPipeline', name, {}, opts);
    const { environment, app, region } = args;
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const partition = aws.getPartitionOutput({}, child).partition;
    const accountId = identity.accountId;
    const pipelineName = appPipelineName(environment, app.name);
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

    // One project and role per stage of the environment, each as its catalog entry says.
    const stages = pipelineStages(environment);
    const buildspecs = renderAppBuildspecs(app, environment);
    const repository = pulumi.output(args.repository);
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
    const projects = new Map<Stage, StageProject>();
    for (const entry of stages) {
      const stage = entry.name;
      const inVpc = entry.network === StageNetwork.Vpc;
      const resources = pulumi
        .all([accountId, partition, bucket.bucketArn, key.keyArn])
        .apply(([id, part, artifactBucketArn, kmsKeyArn]) => ({
          logGroupArn: `arn:${part}:logs:${region}:${id}:log-group:${stageLogGroupName(environment, app.name, stage)}`,
          artifactBucketArn,
          kmsKeyArn,
        }));
      const policy = pulumi
        .all([resources, repository, args.signingProfileArn, args.trustedIdentities, args.cluster.arn])
        .apply(([res, repo, signingProfileArn, trusted, clusterArn]) =>
          stageRolePolicy(entry, {
            ...res,
            repositoryArn: repo.arn,
            signingProfileArn,
            trustedSigningProfileArns: trusted,
            clusterArn,
          }),
        );
      const project = new StageProject(
        `${name}-${entry.slug}`,
        {
          stage,
          projectName: stageProjectName(environment, app.name, entry.slug),
          roleName: stageRoleName(environment, app.name, entry.roleSuffix),
          buildspec: buildspecs[stage] as string,
          variables: variables.apply((values) => stageProjectVariables(stage, values)),
          policy,
          ...(inVpc ? { vpcPolicy, vpc: args.vpc } : {}),
          kmsKeyArn: key.keyArn,
          logGroupName: stageLogGroupName(environment, app.name, stage),
          logRetentionDays: args.logRetentionDays,
          accountId,
          partition,
          region,
        },
        child,
      );
      projects.set(stage, project);
    }
    const projectList = [...projects.values()];

    // The cluster-facing stages reach Kubernetes in the app's namespace only.
    for (const entry of stages) {
      createStageClusterAccess(
        name,
        entry,
        {
          app: app.name,
          clusterName: args.cluster.name,
          partition,
          principalArn: (projects.get(entry.name) as StageProject).roleArn,
          namespace: args.namespace,
          kubernetesProvider: args.kubernetesProvider,
          admissionPolicyReadersGroup: args.admissionPolicyReadersGroup,
        },
        this,
      );
    }

    // The pipeline role: its bucket and key, its own projects, its own source.
    const pipelineRole = new aws.iam.Role(
      `${name}-pipeline-role`,
      {
        name: pipelineRoleName(environment, app.name),
        assumeRolePolicy: pulumi.all([accountId, pipelineArn]).apply(([id, sourceArn]) =>
          JSON.stringify(
            buildServiceRoleTrustPolicy({
              service: ServicePrincipal.CodePipeline,
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
            pulumi.all(projectList.map((project) => project.projectArn)),
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
      stages,
      projectNames: Object.fromEntries(
        stages.map((entry) => [entry.name, stageProjectName(environment, app.name, entry.slug)]),
      ),
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
      { parent: this, dependsOn: [pipelinePolicy, ...projectList] },
    );

    if (codeCommit !== undefined) {
      createCodeCommitTrigger(
        name,
        {
          environment,
          region,
          app: app.name,
          branch: args.source.branch,
          repositoryArn: codeCommit.arn,
          pipelineArn: pipeline.arn,
          pipelineName,
          accountId,
          partition,
        },
        this,
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
    this.roleArns = Object.fromEntries([...projects].map(([stage, project]) => [stage, project.roleArn]));
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
