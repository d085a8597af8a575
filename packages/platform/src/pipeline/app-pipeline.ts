import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  DeployVariable,
  environmentPolicy,
  signerPluginMirrorVersionPrefix,
  StageNetwork,
  type Environment as BuildspecEnvironment,
  type Stage,
  type StageEntry,
} from '@signet/buildspec';
import {
  buildCodeBuildVpcPolicy,
  buildPipelineRolePolicy,
  buildServiceRoleTrustPolicy,
  pipelineLogsKeyGrant,
  promotionRequestKeyStatement,
  ServicePrincipal,
  SourceKind,
  type SourceAccess,
} from '@signet/policies';
import { KmsKey } from '../kms/kms-key.js';
import { promotionSource, promotionTargets, type Environment } from '../environment.js';
import {
  artifactBucketName,
  kmsAliasName,
  physicalName,
  pipelineName as appPipelineName,
  pipelineRoleName,
  stageProjectName,
  stageRoleName,
} from '../naming.js';
import { ArtifactBucket } from './artifact-bucket.js';
import { createCodeCommitTrigger, createPromotionRequestTrigger } from './codecommit-trigger.js';
import { appLogGroupPrefix, pipelineStages, renderAppBuildspecs, stageLogGroupName } from './app-stages.js';
import type { AppPipelineArgs } from './app-pipeline-args.js';
import { createStageClusterAccess, stageRolePolicy } from './stage-access.js';
import {
  ARTIFACT_BUCKET_PLACEHOLDER,
  NEXT_ARTIFACT_BUCKET_PLACEHOLDER,
  buildPipelineStages,
  promotionRequestKey,
  buildSourceTrigger,
  stageProjectVariables,
} from './stages.js';
import { StageProject } from './stage-project.js';

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

    // Promotion across environments. The writer's and the target's ARNs are built from names and
    // the environments' accounts alone (accounts.json; this account where it names none), so neither
    // stack reads the other's outputs and they deploy in promotion order.
    const accountOf = (other: Environment, own: string): string => args.accounts?.[other] ?? own;
    const promotedFrom = promotionSource(environment);
    const promotesTo = promotionTargets(environment).find((next) => app.environments.includes(next));
    const requestKey = promotionRequestKey(app.name);
    const bucketName = accountId.apply((id) => artifactBucketName(environment, app.name, id, region));
    const bucketArnOf = (name: string, part: string) => `arn:${part}:s3:::${name}`;
    // Where this environment promotes: the previous environment's pipeline role writes the request.
    const requestWriter =
      promotedFrom === undefined
        ? undefined
        : pulumi.all([accountId, partition]).apply(([id, part]) => ({
            writerRoleArn: `arn:${part}:iam::${accountOf(promotedFrom, id)}:role/${pipelineRoleName(promotedFrom, app.name)}`,
            objectKey: requestKey,
            region,
          }));

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
        ...(requestWriter === undefined
          ? {}
          : {
              principalGrants: pulumi
                .all([requestWriter, bucketName, partition])
                .apply(([writer, bucket, part]) => [
                  promotionRequestKeyStatement({ ...writer, bucketArn: bucketArnOf(bucket, part) }),
                ]),
            }),
      },
      child,
    );
    const bucket = new ArtifactBucket(
      `${name}-artifacts`,
      {
        bucketName,
        kmsKeyArn: key.keyArn,
        retentionDays: args.artifactRetentionDays,
        ...(requestWriter === undefined ? {} : { promotionRequest: requestWriter }),
      },
      child,
    );

    let codeCommit: aws.codecommit.Repository | undefined;
    const codeCommitBranch = args.source.kind === SourceKind.CodeCommit ? args.source.branch : undefined;
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
      codeCommit !== undefined
        ? codeCommit.arn.apply((repositoryArn) => ({ kind: SourceKind.CodeCommit, repositoryArn }))
        : args.source.kind === SourceKind.CodeConnections
          ? pulumi.output({ kind: SourceKind.CodeConnections, connectionArn: args.source.connectionArn })
          : pulumi.output({ kind: SourceKind.PromotionRequest });

    // One project and role per stage of the environment, each as its catalog entry says.
    const stages = pipelineStages(environment);
    const buildspecs = renderAppBuildspecs(app, environment);
    const repository = pulumi.output(args.repository);
    const vpcPolicy = pulumi
      .all([accountId, partition, args.vpc.subnetIds])
      .apply(([id, part, subnetIds]) =>
        buildCodeBuildVpcPolicy({ accountId: id, partition: part, region, subnetIds }),
      );
    const promotion = args.promotion;
    const pluginMirror = pulumi.output(args.pluginMirror);
    // The plugin version the rendered buildspecs pin: the only one the stage roles may read.
    const pluginVersion = environmentPolicy(environment as BuildspecEnvironment).tools.awsSignerPlugin
      .version;
    const variables = pulumi
      .all([
        repository,
        args.trustPolicyJson,
        args.cluster.name,
        args.buildTrustPolicyJson,
        promotion?.sourceRepository,
        promotion?.trustPolicyJson,
        pluginMirror,
      ])
      .apply(([repo, trustPolicy, clusterName, buildTrustPolicy, source, promotionTrustPolicy, mirror]) => ({
        [DeployVariable.RepositoryUri]: repo.url,
        [DeployVariable.PluginMirrorBucket]: mirror.bucketName,
        [DeployVariable.TrustPolicy]: trustPolicy,
        [DeployVariable.ClusterName]: clusterName,
        ...(buildTrustPolicy === undefined ? {} : { [DeployVariable.BuildTrustPolicy]: buildTrustPolicy }),
        ...(source === undefined ? {} : { [DeployVariable.PromotionSourceUri]: source.url }),
        ...(promotionTrustPolicy === undefined
          ? {}
          : { [DeployVariable.PromotionTrustPolicy]: promotionTrustPolicy }),
      }));
    // The profile a stage signs with, as its catalog entry names it (none for the other stages).
    const signingProfileOf = (entry: StageEntry<Stage>): pulumi.Output<string | undefined> => {
      if (entry.signingIdentity === undefined) return pulumi.output(undefined);
      const arn = args.signingProfileArns[entry.signingIdentity];
      if (arn === undefined) {
        throw new Error(
          `AppPipeline ${name}: stage ${entry.name} signs with the "${entry.signingIdentity}" identity, which signingProfileArns lacks`,
        );
      }
      return pulumi.output(arn);
    };
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
      const signingProfileArn = signingProfileOf(entry);
      const policy = pulumi
        .all([
          resources,
          repository,
          signingProfileArn,
          args.trustedIdentities,
          args.cluster.arn,
          promotion?.sourceRepository,
          pluginMirror,
          args.releaseProfileVersionArn,
        ])
        .apply(([res, repo, signingProfile, trusted, clusterArn, source, mirror, releaseVersion]) =>
          stageRolePolicy(entry, {
            ...res,
            repositoryArn: repo.arn,
            pluginMirror: {
              objectsArn: `${mirror.bucketArn}/${signerPluginMirrorVersionPrefix(pluginVersion)}*`,
              kmsKeyArn: mirror.kmsKeyArn,
            },
            ...(signingProfile === undefined ? {} : { signingProfileArn: signingProfile }),
            trustedSigningProfileArns: trusted,
            clusterArn,
            ...(source === undefined ? {} : { promotionSourceRepositoryArn: source.arn }),
            ...(releaseVersion === undefined ? {} : { revocableProfileVersionArn: releaseVersion }),
          }),
        );
      const project = new StageProject(
        `${name}-${entry.slug}`,
        {
          stage,
          projectName: stageProjectName(environment, app.name, entry.slug),
          roleName: stageRoleName(environment, app.name, entry.roleSuffix),
          buildspec: buildspecs[stage] as string,
          variables: pulumi.all([variables, signingProfileArn]).apply(([values, signingProfile]) =>
            stageProjectVariables(stage, {
              ...values,
              ...(signingProfile === undefined ? {} : { [DeployVariable.SigningProfileArn]: signingProfile }),
            }),
          ),
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
            accountId,
            partition,
          ])
          .apply(([artifactBucketArn, kmsKeyArn, projectArns, source, id, part]) =>
            JSON.stringify(
              buildPipelineRolePolicy({
                artifactBucketArn,
                kmsKeyArn,
                projectArns,
                source,
                ...(promotesTo === undefined
                  ? {}
                  : {
                      promotionRequest: {
                        bucketArn: bucketArnOf(
                          artifactBucketName(promotesTo, app.name, accountOf(promotesTo, id), region),
                          part,
                        ),
                        objectKey: requestKey,
                        keyAccountId: accountOf(promotesTo, id),
                        region,
                        partition: part,
                        keyAlias: kmsAliasName(promotesTo, `pipeline-${app.name}`),
                      },
                    }),
              }),
            ),
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
      app: app.name,
      ...(promotesTo === undefined ? {} : { promotesTo }),
    });
    const nextBucketName =
      promotesTo === undefined
        ? undefined
        : accountId.apply((id) => artifactBucketName(promotesTo, app.name, id, region));
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
            // A promotion request is read from this pipeline's own artifact bucket.
            configuration:
              configuration['S3Bucket'] === ARTIFACT_BUCKET_PLACEHOLDER
                ? { ...configuration, S3Bucket: bucket.bucketName }
                : configuration['BucketName'] === NEXT_ARTIFACT_BUCKET_PLACEHOLDER &&
                    nextBucketName !== undefined
                  ? { ...configuration, BucketName: nextBucketName }
                  : { ...configuration },
            ...(inputArtifacts ? { inputArtifacts: [...inputArtifacts] } : {}),
            ...(outputArtifacts ? { outputArtifacts: [...outputArtifacts] } : {}),
          })),
        })),
        ...(trigger ? { triggers: [trigger] } : {}),
      },
      { parent: this, dependsOn: [pipelinePolicy, ...projectList] },
    );

    if (codeCommit !== undefined && codeCommitBranch !== undefined) {
      createCodeCommitTrigger(
        name,
        {
          environment,
          region,
          app: app.name,
          branch: codeCommitBranch,
          repositoryArn: codeCommit.arn,
          pipelineArn: pipeline.arn,
          pipelineName,
          accountId,
          partition,
        },
        this,
      );
    }

    if (args.source.kind === SourceKind.PromotionRequest) {
      createPromotionRequestTrigger(
        name,
        {
          environment,
          region,
          app: app.name,
          bucketName: bucket.bucketName,
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
