import {
  PIPELINE_IDENTITY,
  stackReferenceName,
  type EcrOutputs,
  type NetworkingOutputs,
  type SignerOutputs,
  type SigningProfileOutput,
} from '../contracts.js';
import { eksStackReferenceName, type EksOutputs } from '../eks/contract.js';
import {
  environmentTraits,
  ENVIRONMENTS,
  isEnvironment,
  promotionSource,
  type Environment,
} from '../environment.js';
import { repositoryName, signingProfileName } from '../naming.js';
import { RELEASE_IDENTITY } from '../pipeline/promotion.js';
import { PLACEHOLDER_ACCOUNT_ID } from './mock-runtime.js';
import { pluginMirrorOutputFixture } from './plugin-mirror-fixture.js';

/** The Region of the fixture outputs unless told otherwise: the one every `Pulumi.<env>.yaml` sets. */
export const FIXTURE_REGION = 'eu-west-1';
/** The version id every fixture signing profile's `versionArn` ends with unless told otherwise. */
export const FIXTURE_PROFILE_VERSION = 'a1B2c3D4e5';

/** Options of {@link upstreamStackOutputs}. */
export interface UpstreamStackOutputsOptions {
  /** The apps: one repository and one signing profile per identity each. */
  readonly apps: readonly string[];
  /** Default {@link PLACEHOLDER_ACCOUNT_ID} (the account the stack config's placeholders use). */
  readonly account?: string;
  /** Default {@link FIXTURE_REGION}. */
  readonly region?: string;
  /** The Pulumi organization of the stack names (`runStackProgram`'s `organization`). Default `organization`. */
  readonly organization?: string;
  /** Availability zones of the networking outputs, a private subnet in each. Default 3. */
  readonly zones?: number;
  /**
   * The identities each app's profiles have besides `pipeline`, per environment. Default: `release`
   * where the environment requires a release signature (as `stacks/signer/Pulumi.<env>.yaml` lists
   * it in `signet-signer:extraIdentities`), none elsewhere.
   */
  readonly extraIdentities?: (environment: Environment) => readonly string[];
  /**
   * The version part of each profile's version ARN, or a function of the profile's name that gives
   * each profile a version of its own. Default {@link FIXTURE_PROFILE_VERSION}.
   */
  readonly profileVersion?: string | ((profileName: string) => string);
  /** Adds each environment's `signet-eks` outputs (the signing pipeline stack reads them). */
  readonly eks?: boolean;
}

/**
 * The outputs of one producing stack, typed by the keys of every stack's contract (each stack has
 * its own: the networking stack's `vpcId`, the signer stack's `trustedIdentities`, ...).
 */
export type ProducedStackOutputs = Partial<NetworkingOutputs & EcrOutputs & SignerOutputs & EksOutputs>;

/** The outputs of one environment's producing stacks, by stack. */
export interface EnvironmentStackOutputs {
  readonly networking: NetworkingOutputs;
  readonly ecr: EcrOutputs;
  readonly signer: SignerOutputs;
  readonly eks?: EksOutputs;
}

/** Zone letters, and the private subnet of each zone (`subnet-0aaaaaaaaaaaaaaaa` in zone a). */
const ZONE_LETTERS = 'abc';
const subnetOf = (letter: string) => `subnet-0${letter.repeat(16)}`;

/**
 * The outputs of `environment`'s producing stacks (networking, ecr, signer, and eks on request), in
 * the shape of their contracts (`STACK_OUTPUT_KEYS`, `EKS_OUTPUT_KEYS`), with names from the naming
 * owner (`repositoryName`, `signingProfileName`): what a consumer's StackReferences receive.
 */
export function environmentStackOutputs(
  environment: string,
  options: UpstreamStackOutputsOptions,
): EnvironmentStackOutputs {
  const env = checkedEnvironment(environment);
  const account = options.account ?? PLACEHOLDER_ACCOUNT_ID;
  const region = options.region ?? FIXTURE_REGION;
  const zones = options.zones ?? 3;
  if (!Number.isInteger(zones) || zones < 1 || zones > ZONE_LETTERS.length)
    throw new Error(
      `upstreamStackOutputs: zones ${zones} is invalid; allowed: an integer from 1 to ${ZONE_LETTERS.length}`,
    );
  const { profileVersion = FIXTURE_PROFILE_VERSION } = options;
  const versionOf = typeof profileVersion === 'function' ? profileVersion : () => profileVersion;
  const extra =
    options.extraIdentities?.(env) ?? (environmentTraits(env).releaseSignature ? [RELEASE_IDENTITY] : []);
  const profileArn = (name: string) => `arn:aws:signer:${region}:${account}:/signing-profiles/${name}`;
  const profile = (app: string, identity: string): SigningProfileOutput => {
    const name = signingProfileName(env, app, identity === PIPELINE_IDENTITY ? undefined : identity);
    return { name, arn: profileArn(name), versionArn: `${profileArn(name)}/${versionOf(name)}` };
  };
  const profiles = Object.fromEntries(
    options.apps.map((app) => [
      app,
      Object.fromEntries([PIPELINE_IDENTITY, ...extra].map((identity) => [identity, profile(app, identity)])),
    ]),
  );
  const letters = [...ZONE_LETTERS.slice(0, zones)];
  const cluster = `signet-${env}-cluster`;
  const oidc = `oidc.eks.${region}.amazonaws.com/id/ABCDEF`;
  return {
    networking: {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '10.30.0.0/16',
      privateSubnetIds: letters.map(subnetOf),
      publicSubnetIds: [subnetOf('d')],
      availabilityZones: letters.map((l) => `${region}${l}`),
      endpointSecurityGroupId: 'sg-0123456789abcdef0',
      deployerSecurityGroupId: 'sg-0fedcba9876543210',
    },
    ecr: {
      repositories: Object.fromEntries(
        options.apps.map((app) => {
          const name = repositoryName(env, app);
          return [
            app,
            {
              name,
              arn: `arn:aws:ecr:${region}:${account}:repository/${name}`,
              url: `${account}.dkr.ecr.${region}.amazonaws.com/${name}`,
            },
          ];
        }),
      ),
      kmsKeyArn: `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`,
    },
    signer: {
      profiles,
      pluginMirror: pluginMirrorOutputFixture(env, account, region),
      trustedIdentities: Object.values(profiles)
        .flatMap((identities) => Object.values(identities).map((p) => p.arn))
        .sort(),
    },
    ...(options.eks === true && {
      eks: {
        clusterName: cluster,
        clusterArn: `arn:aws:eks:${region}:${account}:cluster/${cluster}`,
        clusterEndpoint: `https://ABCDEF.gr7.${region}.eks.amazonaws.com`,
        clusterSecurityGroupId: 'sg-0cccccccccccccccc',
        oidcProviderArn: `arn:aws:iam::${account}:oidc-provider/${oidc}`,
        oidcProviderUrl: oidc,
        kubeconfig: '{"apiVersion":"v1","kind":"Config"}',
        appNamespaces: Object.fromEntries(options.apps.map((app) => [app, app])),
        admissionPolicyName: 'signet-verify-images',
      },
    }),
  };
}

/**
 * The StackReferences a stack of `environment` reads, for `runStackProgram`'s `stackReferences`: the
 * outputs of `environment` and of every environment up its promotion chain (`promotionSource`: the
 * repositories it promotes from, the building environment's profiles), by fully qualified stack
 * name (`<org>/signet-<stack>/<env>`).
 */
export function upstreamStackOutputs(
  environment: string,
  options: UpstreamStackOutputsOptions,
): Record<string, ProducedStackOutputs> {
  const chain: Environment[] = [];
  for (let env: Environment | undefined = checkedEnvironment(environment); env; env = promotionSource(env))
    chain.unshift(env);
  const org = options.organization ?? 'organization';
  return Object.fromEntries(
    chain.flatMap((env) => {
      const outputs = environmentStackOutputs(env, options);
      return [
        [stackReferenceName(org, 'networking', env), { ...outputs.networking }],
        [stackReferenceName(org, 'ecr', env), { ...outputs.ecr }],
        [stackReferenceName(org, 'signer', env), { ...outputs.signer }],
        ...(outputs.eks ? [[eksStackReferenceName(org, env), { ...outputs.eks }]] : []),
      ];
    }),
  );
}

function checkedEnvironment(environment: string): Environment {
  if (!isEnvironment(environment))
    throw new Error(
      `upstreamStackOutputs: environment "${environment}" is unknown; allowed: ${ENVIRONMENTS.join(', ')}`,
    );
  return environment;
}
