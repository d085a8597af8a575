import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  appsForEnvironment,
  createAwsProvider,
  discoverApps,
  environmentTraits,
  Kyverno,
  NotationVerifier,
  readEcrOutputs,
  readNetworkingOutputs,
  readPromotionUpstreams,
  readSignerOutputs,
  SignedImageAdmission,
  requireImagePin,
  selectVerifierBackend,
  SignetCluster,
  type EksOutputs,
  type KyvernoImages,
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
// Where images are promoted: the building environment's signing profiles (the build identity).
const promotion = readPromotionUpstreams(config);
const apps = appsForEnvironment(discoverApps(), config.environment);
// --- verifier backend and Kyverno images (loadEksConfig has checked every pin) ---
const pin = (ref: string, path: string) => requireImagePin(ref, `${config.project}:${path}`);
const verifierConfig = values.verifier;
const verifierSettings: VerifierSettings =
  verifierConfig.implementation === 'upstream'
    ? { ...verifierConfig, image: pin(verifierConfig.image, 'verifier.image') }
    : {
        implementation: verifierConfig.implementation,
        chart: {
          repository: verifierConfig.repository,
          name: verifierConfig.chart,
          version: verifierConfig.version,
        },
        image: pin(verifierConfig.image, 'verifier.image'),
        cacheTtlSeconds: verifierConfig.cacheTtlSeconds,
        replicas: verifierConfig.replicas,
      };
// The one selection point of the verifier: everything else talks to the backend.
const verifierBackend = selectVerifierBackend(verifierSettings);
const kyvernoImages = Object.fromEntries(
  Object.entries(values.kyvernoImages).map(([slot, ref]) => [slot, pin(ref, `kyvernoImages.${slot}`)]),
) as unknown as KyvernoImages;
// --- end of verifier backend and Kyverno images ---
const repositories = ecr.repositories.apply((repos) => Object.values(repos));

// The cluster: private endpoint, KMS-encrypted secrets, all control-plane logs, nodes in private subnets.
const cluster = new SignetCluster(
  'cluster',
  {
    environment: config.environment,
    region: config.region,
    kubernetesVersion: values.kubernetesVersion,
    vpcCniAddonVersion: values.vpcCniAddonVersion,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    // The deployer runs this stack's `up` from the private subnets (docs/deploy.md).
    endpointClientSecurityGroupIds: [network.deployerSecurityGroupId],
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
    apiCallToken: {
      audience: verifierBackend.callerAccess.kyvernoTokenAudience,
      expirationSeconds: verifierBackend.callerAccess.kyvernoTokenExpirationSeconds,
    },
    images: kyvernoImages,
    chartDigest: values.kyvernoChartDigest,
    verifierNamespace: verifierBackend.layout.namespace,
    kubernetesVersion: values.kubernetesVersion,
  },
  inCluster,
);

// The Notation/AWS Signer verifier, with its own IRSA role (ECR read, revocation checks).
const verifier = new NotationVerifier(
  'verifier',
  {
    environment: config.environment,
    backend: verifierBackend,
    region: config.region,
    spreadAcrossZones: traits.spreadAdmissionAcrossZones,
    oidcProviderArn: cluster.oidcProviderArn,
    repositoryArns: repositories.apply((repos) => repos.map((r) => r.arn)),
    // The environment's own profiles and, where images are promoted, the build identity they carry.
    trustedIdentities: pulumi
      .all([signer.trustedIdentities, promotion?.buildProfiles])
      .apply(([own, built]) =>
        [
          ...new Set([
            ...own,
            ...Object.values(built ?? {}).flatMap((identities) =>
              Object.values(identities).map((p) => p.arn),
            ),
          ]),
        ].sort(),
      ),
    // Every Kyverno call names its app's trust policy; a call naming none must not fall back to a
    // policy that exists, so the default is a name no TrustPolicy has (the verifier then refuses).
    defaultTrustPolicy: 'signet-no-default',
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
    environment: config.environment,
    ...(promotion === undefined ? {} : { buildProfiles: promotion.buildProfiles }),
    platformImages: values.platformImages,
    // In the system namespaces the backstop admits exactly the pinned Kyverno and verifier images (as
    // the Pods reference them: the config's `<registry>/<repo>:<tag>@sha256:…`) and EKS add-on images.
    systemImages: [...new Set([verifierConfig.image, ...Object.values(values.kyvernoImages)])].sort(),
    region: config.region,
    partition: aws.getPartitionOutput({}, { provider }).partition,
    failureAction: values.admissionFailureAction,
    verifier: { layout: verifier.layout, tlsSecretName: verifier.tlsSecretName, call: verifierBackend.call },
    kyvernoRelease: kyverno.release,
    // The verifier component: its CRDs, Deployment and Service (or release) are ready first.
    verifierRelease: verifier,
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
