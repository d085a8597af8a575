import * as pulumi from '@pulumi/pulumi';
import {
  AppSigningProfile,
  appsForEnvironment,
  createAwsProvider,
  discoverApps,
  loadStackConfig,
  planSigningIdentities,
  SignerPluginMirror,
  SigningGuard,
  type SignerOutputs,
  type SigningProfileOutput,
  type StackExports,
  type DeepInput,
} from '@signet/platform';
import { signerConfig } from './config.js';

const config = loadStackConfig(signerConfig);
const provider = createAwsProvider(config);
const apps = appsForEnvironment(discoverApps(), config.environment);
const identities = planSigningIdentities(
  config.environment,
  apps.map((app) => app.name),
  config.values.extraIdentities,
  config.values.generation,
);

// Per app and identity a Signer profile: the identities the cluster's trust policy will trust.
const signingProfiles = identities.map((planned) => ({
  ...planned,
  profile: new AppSigningProfile(
    `${planned.app}-${planned.identity}`,
    { profileName: planned.profileName, signatureValidityMonths: config.values.signatureValidityMonths },
    { provider },
  ),
}));

// Signatures with these profiles, and builds of the pipelines' projects, made outside the pipeline:
// detected from CloudTrail, the signature revoked and the build stopped, the security topic told.
// Per app its own rules, with every profile name the identities above give it.
new SigningGuard(
  'signing-guard',
  {
    environment: config.environment,
    region: config.region,
    apps: apps.map((app) => ({
      name: app.name,
      profileNames: identities
        .filter((planned) => planned.app === app.name)
        .map((planned) => planned.profileName),
    })),
  },
  { provider },
);

// The verified AWS Signer plugin builds, mirrored by `signet mirror-plugin`: the stages install the
// plugin from here, never from AWS's `latest` URL, which changes under a pin.
const mirror = new SignerPluginMirror(
  'signer-plugin',
  { environment: config.environment, region: config.region, apps: apps.map((app) => app.name) },
  { provider },
);

const byApp: Record<string, Record<string, DeepInput<SigningProfileOutput>>> = {};
for (const { app, identity, profile } of signingProfiles) {
  byApp[app] = {
    ...byApp[app],
    [identity]: { name: profile.profileName, arn: profile.profileArn, versionArn: profile.profileVersionArn },
  };
}

const outputs: StackExports<SignerOutputs> = {
  profiles: byApp,
  trustedIdentities: pulumi
    .all(signingProfiles.map(({ profile }) => profile.profileArn))
    .apply((arns) => [...arns].sort()),
  pluginMirror: {
    bucketName: mirror.bucketName,
    bucketArn: mirror.bucketArn,
    kmsKeyArn: mirror.kmsKeyArn,
  },
};

export const { profiles, trustedIdentities, pluginMirror } = outputs;
