import {
  AppPipeline,
  appTrustFromUpstream,
  appsForEnvironment,
  createAwsProvider,
  discoverApps,
  environmentTraits,
  loadStackConfig,
  PIPELINE_IDENTITY,
  PipelineEnvironment,
  pipelineTrustPolicyJson,
  readEcrOutputs,
  readEksOutputs,
  readNetworkingOutputs,
  readSignerOutputs,
  requireAppEntry,
} from '@signet/platform';
import * as pulumi from '@pulumi/pulumi';
import { signingPipelineConfig } from './config.js';

const config = loadStackConfig(signingPipelineConfig);
const { values } = config;
const provider = createAwsProvider(config);
const network = readNetworkingOutputs(config);
const ecr = readEcrOutputs(config);
const signer = readSignerOutputs(config);
const eks = readEksOutputs(config);
const apps = appsForEnvironment(discoverApps(), config.environment);
const manualApproval = values.manualApproval ?? environmentTraits(config.environment).manualApprovalByDefault;

// Shared by the environment's pipelines: notification topic, stage network, policy-reader RBAC.
const shared = new PipelineEnvironment(
  'pipelines',
  {
    environment: config.environment,
    region: config.region,
    notificationEmails: values.notificationEmails,
    vpcId: network.vpcId,
    clusterSecurityGroupId: eks.clusterSecurityGroupId,
    kubeconfig: eks.kubeconfig,
    admissionPolicyName: eks.admissionPolicyName,
  },
  { providers: { aws: provider } },
);

// Per app its signing pipeline: Build, ApplicationSigning, (approval,) deployment, verification.
const pipelines = apps.map((app) => ({
  app: app.name,
  pipeline: new AppPipeline(
    app.name,
    {
      environment: config.environment,
      region: config.region,
      app,
      source: values.source,
      manualApproval,
      logRetentionDays: values.logRetentionDays,
      artifactRetentionDays: values.artifactRetentionDays,
      repository: ecr.repositories.apply((repos) =>
        requireAppEntry(repos, app.name, 'signet-ecr repositories'),
      ),
      signingProfileArn: signer.profiles.apply(
        (profiles) =>
          requireAppEntry(
            requireAppEntry(profiles, app.name, 'signet-signer profiles'),
            PIPELINE_IDENTITY,
            `signet-signer profiles.${app.name}`,
          ).arn,
      ),
      trustedIdentities: signer.trustedIdentities,
      // The app's own trust policy: the document of the cluster's TrustPolicy for this app.
      trustPolicyJson: pulumi
        .all([ecr.repositories, signer.profiles])
        .apply(([repositories, profiles]) =>
          pipelineTrustPolicyJson(appTrustFromUpstream(app.name, repositories, profiles)),
        ),
      cluster: { name: eks.clusterName, arn: eks.clusterArn },
      namespace: eks.appNamespaces.apply((namespaces) =>
        requireAppEntry(namespaces, app.name, 'signet-eks appNamespaces'),
      ),
      admissionPolicyReadersGroup: shared.admissionPolicyReadersGroup,
      kubernetesProvider: shared.kubernetesProvider,
      vpc: {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        securityGroupId: shared.securityGroupId,
      },
      notificationTopicArn: shared.topicArn,
    },
    { provider },
  ),
}));

export const pipelineNames = Object.fromEntries(
  pipelines.map(({ app, pipeline }) => [app, pipeline.pipelineName]),
);
export const sourceRepositories = Object.fromEntries(
  pipelines.flatMap(({ app, pipeline }) =>
    pipeline.repositoryCloneUrl === undefined ? [] : [[app, pipeline.repositoryCloneUrl]],
  ),
);
export const notificationTopicArn = shared.topicArn;
