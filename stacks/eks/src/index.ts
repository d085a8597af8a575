import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  appsForEnvironment,
  createAwsProvider,
  discoverApps,
  environmentTraits,
  kyvernoApiCallAudience,
  Kyverno,
  NotationVerifier,
  readEcrOutputs,
  readNetworkingOutputs,
  readSignerOutputs,
  SignedImageAdmission,
  SignetCluster,
  VERIFIER_NAMESPACE,
  type EksOutputs,
  type StackExports,
  type VerifierSettings,
} from '@signet/platform';
import { loadEksConfig } from './config.js';

const config = loadEksConfig();
const { values } = config;
const traits = environmentTraits(config.environment);
const provider = createAwsProvider(config);
const network = readNetworkingOutputs(config);
const ecr = readEcrOutputs(config);
const signer = readSignerOutputs(config);
const apps = appsForEnvironment(discoverApps(), config.environment);
const verifierSettings: VerifierSettings =
  values.verifier.implementation === 'upstream'
    ? values.verifier
    : {
        implementation: values.verifier.implementation,
        chart: {
          repository: values.verifier.repository,
          name: values.verifier.chart,
          version: values.verifier.version,
        },
        cacheTtlSeconds: values.verifier.cacheTtlSeconds,
        replicas: values.verifier.replicas,
      };
const repositories = ecr.repositories.apply((repos) => Object.values(repos));

// The cluster: private endpoint, KMS-encrypted secrets, all control-plane logs, nodes in private subnets.
const cluster = new SignetCluster(
  'cluster',
  {
    environment: config.environment,
    region: config.region,
    kubernetesVersion: values.kubernetesVersion,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicAccessCidrs: values.publicAccessCidrs,
    clusterAdminRoleArns: values.clusterAdminRoleArns,
    deletionProtection: values.deletionProtection,
    nodeGroup: values.nodeGroup,
    logRetentionDays: values.controlPlaneLogRetentionDays,
  },
  { provider },
);
const inCluster = { provider: cluster.provider, dependsOn: [cluster.nodeGroup] };

// Kyverno: the admission controller that calls the verifier for every Pod of an app namespace.
const kyverno = new Kyverno(
  'kyverno',
  {
    admissionReplicas: values.kyvernoAdmissionReplicas,
    spreadAcrossZones: traits.spreadAdmissionAcrossZones,
    apiCallAudience: kyvernoApiCallAudience(verifierSettings.implementation).kyvernoSends,
    verifierNamespace: VERIFIER_NAMESPACE,
    kubernetesVersion: values.kubernetesVersion,
  },
  inCluster,
);

// The Notation/AWS Signer verifier, with its own IRSA role (ECR read, revocation checks).
const verifier = new NotationVerifier(
  'verifier',
  {
    environment: config.environment,
    settings: verifierSettings,
    region: config.region,
    oidcProviderArn: cluster.oidcProviderArn,
    repositoryArns: repositories.apply((repos) => repos.map((r) => r.arn)),
    trustedIdentities: signer.trustedIdentities,
    defaultTrustPolicy: 'signet-apps',
    kubernetesVersion: values.kubernetesVersion,
  },
  { providers: [provider, cluster.provider], dependsOn: [cluster.nodeGroup] },
);

// Trust and admission: what is trusted (signer profiles, ecr repositories) and the fail-closed policy.
const admission = new SignedImageAdmission(
  'admission',
  {
    apps: apps.map((app) => ({ name: app.name, namespace: app.namespace })),
    repositories: ecr.repositories,
    profiles: signer.profiles,
    platformImages: values.platformImages,
    // Not pinned by digest in this stack yet: the backstop leaves the system namespaces out until the
    // pinned Kyverno and verifier image references are passed here.
    systemImages: undefined,
    region: config.region,
    partition: aws.getPartitionOutput({}, { provider }).partition,
    failureAction: values.admissionFailureAction,
    verifier: { layout: verifier.layout, tlsSecretName: verifier.tlsSecretName },
    kyvernoRelease: kyverno.release,
    verifierRelease: verifier.release,
    kubernetesVersion: values.kubernetesVersion,
  },
  { provider: cluster.provider },
);

const outputs: StackExports<EksOutputs> = {
  clusterName: cluster.clusterName,
  clusterArn: cluster.clusterArn,
  clusterEndpoint: cluster.endpoint,
  clusterSecurityGroupId: cluster.clusterSecurityGroupId,
  oidcProviderArn: cluster.oidcProviderArn,
  oidcProviderUrl: cluster.oidcProviderUrl,
  kubeconfig: pulumi.secret(cluster.kubeconfig),
  appNamespaces: admission.appNamespaces,
  admissionPolicyName: admission.policyName,
};

export const {
  clusterName,
  clusterArn,
  clusterEndpoint,
  clusterSecurityGroupId,
  oidcProviderArn,
  oidcProviderUrl,
  kubeconfig,
  appNamespaces,
  admissionPolicyName,
} = outputs;
