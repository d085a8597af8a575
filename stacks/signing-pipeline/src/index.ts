import {
  AppPipeline,
  appSignatureTrustFromUpstream,
  appsForEnvironment,
  appsToCreate,
  buildsImages,
  createAwsProvider,
  discoverApps,
  environmentTraits,
  loadStackConfig,
  PipelineEnvironment,
  readEcrOutputs,
  readEksOutputs,
  readNetworkingOutputs,
  readPromotionUpstreams,
  readSignerOutputs,
  pipelineTrustPolicies,
  requireAppEntry,
  SourceKind,
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
// Every app's pipeline; `signet plan` may divide them between processes (package.json
// `signet.appsPerPlanProcess`): no resource below but an app's own may depend on which apps there are.
const apps = appsToCreate(appsForEnvironment(discoverApps(), config.environment));
const traits = environmentTraits(config.environment);
const manualApproval = values.manualApproval ?? traits.manualApprovalByDefault;
// Build once: only the building environment has a source repository; the others promote.
const promotion = readPromotionUpstreams(config);
if (!buildsImages(traits) && values.source !== undefined) {
  throw new Error(
    `${config.file}: key "signet-signing-pipeline:source" is set, but ${config.environment} promotes images from ${traits.promotesFrom} and has no source repository; remove the key (the app's one source is the building environment's)`,
  );
}
const source = buildsImages(traits)
  ? (values.source ?? { kind: SourceKind.CodeCommit, branch: 'main' })
  : { kind: SourceKind.PromotionRequest };

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

// Per app its signing pipeline: built (Build, ApplicationSigning) or promoted (Promote, approval where
// configured, ReleaseSigning), then deployment and verification.
const pipelines = apps.map((app) => {
  // The app's trust policies here, from the same reading of the upstream outputs as the cluster's.
  const trust = pulumi
    .all([ecr.repositories, signer.profiles, promotion?.buildProfiles, promotion?.sourceRepositories])
    .apply(([repositories, profiles, buildProfiles, sourceRepositories]) =>
      pipelineTrustPolicies(
        appSignatureTrustFromUpstream(app.name, config.environment, repositories, profiles, buildProfiles),
        sourceRepositories === undefined
          ? undefined
          : requireAppEntry(sourceRepositories, app.name, `signet-ecr repositories (${promotion?.source})`)
              .url,
      ),
    );
  const pipeline = new AppPipeline(
    app.name,
    {
      environment: config.environment,
      region: config.region,
      ...(config.accounts === undefined ? {} : { accounts: config.accounts }),
      app,
      source,
      manualApproval,
      logRetentionDays: values.logRetentionDays,
      artifactRetentionDays: values.artifactRetentionDays,
      repository: ecr.repositories.apply((repos) =>
        requireAppEntry(repos, app.name, 'signet-ecr repositories'),
      ),
      // What each signing stage signs with, and the trust policies it verifies with: the same reading
      // of the upstream outputs as the cluster's TrustPolicies.
      signingProfileArns: {
        pipeline: signer.profiles.apply(
          (profiles) => requireAppEntry(profiles, app.name, 'signet-signer profiles')['pipeline']?.arn ?? '',
        ),
        release: signer.profiles.apply(
          (profiles) => requireAppEntry(profiles, app.name, 'signet-signer profiles')['release']?.arn ?? '',
        ),
      },
      // RevokeSuperseded's RevokeSignature is pinned to the release profile's version.
      releaseProfileVersionArn: signer.profiles.apply(
        (profiles) =>
          requireAppEntry(profiles, app.name, 'signet-signer profiles')['release']?.versionArn ?? '',
      ),
      trustedIdentities: pulumi
        .all([signer.trustedIdentities, promotion?.buildProfiles])
        .apply(([own, built]) =>
          [...new Set([...own, ...Object.values(built?.[app.name] ?? {}).map((p) => p.arn)])].sort(),
        ),
      trustPolicyJson: trust.apply((t) => t.trustPolicyJson),
      ...(promotion === undefined
        ? {}
        : {
            buildTrustPolicyJson: trust.apply((t) => t.buildTrustPolicyJson ?? ''),
            promotion: {
              sourceRepository: promotion.sourceRepositories.apply((repos) =>
                requireAppEntry(repos, app.name, `signet-ecr repositories (${promotion.source})`),
              ),
              trustPolicyJson: trust.apply((t) => t.promotionTrustPolicyJson ?? ''),
            },
          }),
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
      pluginMirror: signer.pluginMirror,
      notificationTopicArn: shared.topicArn,
    },
    { provider },
  );
  return { app: app.name, pipeline };
});

export const pipelineNames = Object.fromEntries(
  pipelines.map(({ app, pipeline }) => [app, pipeline.pipelineName]),
);
export const sourceRepositories = Object.fromEntries(
  pipelines.flatMap(({ app, pipeline }) =>
    pipeline.repositoryCloneUrl === undefined ? [] : [[app, pipeline.repositoryCloneUrl]],
  ),
);
export const notificationTopicArn = shared.topicArn;
