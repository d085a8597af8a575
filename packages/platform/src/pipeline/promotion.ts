import type * as pulumi from '@pulumi/pulumi';
import {
  appTrustPolicies,
  appTrustPolicyDocument,
  renderTrustPolicyJson,
  SignatureKind,
  type AppSignatureTrust,
} from '@signet/policies';
import type { StackContext } from '../config.js';
import {
  PIPELINE_IDENTITY,
  readStackOutputs,
  type RepositoryOutput,
  type SigningProfileOutput,
} from '../contracts.js';
import { buildEnvironmentOf, environmentTraits, type Environment } from '../environment.js';
import { promotionUpstreamStacks } from './promotion-stacks.js';
import { requireAppEntry } from './upstream.js';

/** The identity of the release signature in environments with `releaseSignature` (signer `extraIdentities`). */
export const RELEASE_IDENTITY = 'release';

type Profiles = Readonly<Record<string, Readonly<Record<string, SigningProfileOutput>>>>;

/** What a promoting environment reads of the other environments. */
export interface PromotionUpstreams {
  /** The environment promoted from, and its app repositories (the Promote stage's source). */
  readonly source: Environment;
  readonly sourceRepositories: pulumi.Output<Record<string, RepositoryOutput>>;
  /** The environment that builds, and its signing profiles: the build identity of every app. */
  readonly build: Environment;
  readonly buildProfiles: pulumi.Output<Record<string, Record<string, SigningProfileOutput>>>;
}

/**
 * The other environments' outputs a promoting environment needs, through StackReferences of the same
 * organization: the repositories of the environment it promotes from (`<org>/signet-ecr/<from>`) and
 * the signing profiles of the environment that builds (`<org>/signet-signer/<build>`), the stacks
 * {@link promotionUpstreamStacks} names. Undefined where the environment builds its own images. Those
 * stacks are deployed first (environments deploy in promotion order).
 */
export function readPromotionUpstreams(
  context: Pick<StackContext, 'org' | 'environment'>,
  opts?: pulumi.CustomResourceOptions,
): PromotionUpstreams | undefined {
  const stacks = promotionUpstreamStacks(context.environment);
  if (stacks === undefined) return undefined;
  const { sourceRepositories: source, buildProfiles: build } = stacks;
  return {
    source: source.environment,
    sourceRepositories: readStackOutputs(
      source.stack,
      { org: context.org, environment: source.environment },
      opts,
    ).repositories,
    build: build.environment,
    buildProfiles: readStackOutputs(build.stack, { org: context.org, environment: build.environment }, opts)
      .profiles,
  };
}

function profileArn(profiles: Profiles, app: string, identity: string, stack: string, hint: string): string {
  const identities = requireAppEntry(profiles, app, `${stack} profiles`);
  const profile = identities[identity];
  if (profile === undefined) {
    throw new Error(`${stack} profiles.${app} has no "${identity}" identity: ${hint}`);
  }
  return profile.arn;
}

/**
 * What `app`'s images must carry in `environment`, from the upstream outputs: its repository here;
 * the build identity (the building environment's `pipeline` profile: this environment's own where it
 * builds, `buildProfiles` otherwise); and, where the environment requires a release signature, its own
 * `release` profile. The one reading that the cluster's TrustPolicies and the pipeline's `notation
 * verify` both use.
 */
export function appSignatureTrustFromUpstream(
  app: string,
  environment: Environment,
  repositories: Readonly<Record<string, RepositoryOutput>>,
  profiles: Profiles,
  buildProfiles?: Profiles,
): AppSignatureTrust {
  const repository = requireAppEntry(repositories, app, 'signet-ecr repositories');
  const build = buildEnvironmentOf(environment);
  const builtHere = build === environment;
  if (!builtHere && buildProfiles === undefined) {
    throw new Error(
      `${environment} promotes images built in ${build}: its signet-signer profiles are required`,
    );
  }
  const buildArn = profileArn(
    builtHere ? profiles : (buildProfiles as Profiles),
    app,
    PIPELINE_IDENTITY,
    `signet-signer (${build})`,
    `run \`pulumi up\` on the signer stack of ${build}`,
  );
  return {
    app,
    repositoryUrl: repository.url,
    buildProfileArns: [buildArn],
    ...(environmentTraits(environment).releaseSignature
      ? {
          releaseProfileArns: [
            profileArn(
              profiles,
              app,
              RELEASE_IDENTITY,
              `signet-signer (${environment})`,
              `list "${RELEASE_IDENTITY}" in signet-signer:extraIdentities of stacks/signer/Pulumi.${environment}.yaml (the environment requires a release signature)`,
            ),
          ],
        }
      : {}),
  };
}

/** The trust policies (JSON) an app's pipeline verifies with in one environment. */
export interface PipelineTrustPolicies {
  /**
   * The policy of the signature this environment's signing stage makes: the build policy where
   * images are built (ApplicationSigning), the release policy where they are promoted (ReleaseSigning).
   */
  readonly trustPolicyJson: string;
  /** Where images are promoted: the cluster's build policy (ReleaseSigning checks it first). */
  readonly buildTrustPolicyJson?: string;
  /** Where images are promoted: the build policy with the source repository in scope too (Promote). */
  readonly promotionTrustPolicyJson?: string;
}

/**
 * The documents of {@link PipelineTrustPolicies}, from the app's signature trust: the same
 * `appTrustPolicies` documents the cluster's TrustPolicies carry, so what the pipeline accepts is what
 * admission admits. `sourceRepositoryUrl` is the app's repository in the environment promoted from.
 */
export function pipelineTrustPolicies(
  trust: AppSignatureTrust,
  sourceRepositoryUrl?: string,
): PipelineTrustPolicies {
  const policies = appTrustPolicies(trust);
  const of = (kind: SignatureKind) => {
    const policy = policies.find((p) => p.kind === kind);
    if (policy === undefined) throw new Error(`app "${trust.app}" has no ${kind} trust policy here`);
    return renderTrustPolicyJson(policy.document);
  };
  if (sourceRepositoryUrl === undefined) return { trustPolicyJson: of(SignatureKind.Build) };
  return {
    trustPolicyJson: of(SignatureKind.Release),
    buildTrustPolicyJson: of(SignatureKind.Build),
    promotionTrustPolicyJson: renderTrustPolicyJson(
      appTrustPolicyDocument(
        { app: trust.app, repositoryUrl: trust.repositoryUrl, signingProfileArns: trust.buildProfileArns },
        SignatureKind.Build,
        { additionalScopes: [sourceRepositoryUrl] },
      ),
    ),
  };
}
