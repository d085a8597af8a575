import { DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { SigningJob } from '@aws-sdk/client-signer';
import { stagesFor } from '@signet/buildspec';
import {
  appsForEnvironment,
  discoverApps,
  environmentTraits,
  stageRoleName,
  type Environment,
} from '@signet/platform';
import type { AwsClients } from './aws.js';
import { runningContainers, type KubectlRunner, type RunningContainer } from './cluster.js';
import { readSignatureOrigins, type BlobFetcher, type SignatureOrigin } from './envelope.js';
import { environmentTargets, type EnvironmentTargets } from './environment.js';
import { callAws } from './errors.js';
import { listRepository, type RepositoryImage } from './inventory.js';
import { listEnvironmentProfiles } from './leftovers.js';
import { describeJob, getProfileState, listNotationJobs, type ProfileState } from './signer.js';
import type { SignatureVerifier, VerifyOutcome } from './verify.js';

/**
 * One signature's verdict, from its envelope and Signer's records (notation's cryptographic check
 * is the image's `verification`):
 * - `valid`: none of the following;
 * - `unreadable`: the envelope could not be read, so nothing can be said of it (`note` says why);
 * - `job-revoked`: its signing job is revoked;
 * - `profile-revoked`: its profile is revoked, effective at or before the signature was pushed;
 * - `profile-missing`: Signer has no such profile;
 * - `profile-untrusted`: signed by a profile that is not one of the app's.
 */
export type SignatureVerdict =
  'valid' | 'unreadable' | 'job-revoked' | 'profile-revoked' | 'profile-missing' | 'profile-untrusted';

/**
 * An image's verdict: `signed` when notation verified it with the app's trust policy and one of
 * its signatures is `valid`; `verification-failed` when notation did not verify it; `unsigned`
 * without a signature; `not-in-registry` for a deployed or running digest no app repository holds;
 * else the verdict of its first signature.
 */
export type AuditVerdict =
  'signed' | 'unsigned' | 'verification-failed' | 'not-in-registry' | Exclude<SignatureVerdict, 'valid'>;

/** One notation signature of an image. */
export interface AuditedSignature {
  readonly digest: string;
  readonly jobId?: string;
  /** The profile the envelope names; absent when it could not be read. */
  readonly profile?: string;
  readonly profileVersion?: string;
  /** Why the envelope could not be read. */
  readonly note?: string;
  readonly verdict: SignatureVerdict;
}

/** One row of the audit. */
export interface AuditedImage {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  /** Tagged (pushed by the pipeline under its commit tag), passed with `--deployed`, or running. */
  readonly deployable: boolean;
  /** Pods (`namespace/pod`) that run it, with `--cluster`. */
  readonly runningIn: readonly string[];
  readonly signatures: readonly AuditedSignature[];
  /** notation verify with the app's trust policy; absent for an image without signatures. */
  readonly verification?: VerifyOutcome;
  readonly verdict: AuditVerdict;
}

/** A profile with the environment's prefix, declared by the workspace or not. */
export interface AuditedProfile extends ProfileState {
  /** The app and identity whose profile it is; absent for a profile no app of the workspace declares. */
  readonly app?: string;
  readonly identity?: string;
}

/** A signing job of the environment's profiles that its app's pipeline did not request. */
export interface StrayJob {
  readonly jobId: string;
  readonly profileName: string;
  readonly requestedBy: string;
  /**
   * The role that should have requested it (the environment's stage role that signs with the job's
   * identity: ApplicationSigning's or ReleaseSigning's), if any stage of the environment does.
   */
  readonly expectedRole?: string;
  readonly revoked: boolean;
}

/** The audit as `--json` prints it. */
export interface AuditReport {
  readonly environment: Environment;
  readonly profiles: readonly AuditedProfile[];
  readonly images: readonly AuditedImage[];
  readonly strayJobs: readonly StrayJob[];
  /** With `--cluster`: containers of the app namespaces. */
  readonly running?: readonly RunningContainer[];
  /** One line per failure; the audit passes when it is empty. */
  readonly problems: readonly string[];
}

/** Inputs of {@link auditEnvironment}. */
export interface AuditInputs {
  readonly environment: Environment;
  readonly root: string;
  readonly clients: AwsClients;
  readonly verifier: SignatureVerifier;
  /** Digests passed with `--deployed`. */
  readonly deployed: ReadonlySet<string>;
  /** With `--cluster`: how to reach it. */
  readonly kubectl?: KubectlRunner;
  readonly fetchBlob?: BlobFetcher;
}

function signatureVerdict(
  signature: RepositoryImage['signatures'][number],
  origin: SignatureOrigin | undefined,
  trusted: ReadonlySet<string>,
  byName: ReadonlyMap<string, ProfileState>,
  revokedJobs: ReadonlySet<string>,
): SignatureVerdict {
  const name = origin?.profileName;
  if (name === undefined) return 'unreadable';
  if (!trusted.has(name)) return 'profile-untrusted';
  const profile = byName.get(name);
  if (profile === undefined || profile.status === 'NotFound') return 'profile-missing';
  if (origin?.jobId !== undefined && revokedJobs.has(origin.jobId)) return 'job-revoked';
  if (profile.status === 'Revoked') {
    // Without both times, count the signature as revoked; with them, only one made from then on.
    const from = profile.revocationEffectiveFrom;
    const at = signature.pushedAt;
    if (from === undefined || at === undefined || at.getTime() >= from.getTime()) return 'profile-revoked';
  }
  return 'valid';
}

/** Whether `requestedBy` is the role `roleName` or a session of it. */
function isRole(requestedBy: string, roleName: string): boolean {
  const escaped = roleName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^arn:aws[a-z-]*:(iam::\\d{12}:role/(.+/)?${escaped}|sts::\\d{12}:assumed-role/${escaped}/.+)$`,
  ).test(requestedBy);
}

async function repositoryUri(ecr: ECRClient, repository: string): Promise<string | undefined> {
  const result = await callAws(
    { action: 'ecr:DescribeRepositories', resource: `repository ${repository}` },
    () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })),
  );
  return result?.repositories?.[0]?.repositoryUri;
}

async function auditedProfiles(inputs: AuditInputs, targets: EnvironmentTargets): Promise<AuditedProfile[]> {
  // The workspace's profiles, and every other profile of the environment's prefix (apps removed
  // since, earlier generations): decommission lists them the same way.
  const declared = new Map(targets.profiles.map((p) => [p.profileName, p]));
  const listed = await listEnvironmentProfiles(inputs.clients.signer, inputs.environment);
  const names = [...declared.keys(), ...listed.map((p) => p.profileName).filter((n) => !declared.has(n))];
  return Promise.all(
    names.map(async (name): Promise<AuditedProfile> => {
      const state = await getProfileState(inputs.clients.signer, name);
      const owner = declared.get(name);
      return owner === undefined ? state : { ...state, app: owner.app, identity: owner.identity };
    }),
  );
}

/**
 * Who requested each job: ListSigningJobs names it `jobInvoker`; where a page leaves it out,
 * DescribeSigningJob's `requestedBy` (https://docs.aws.amazon.com/signer/latest/api/API_DescribeSigningJob.html).
 */
async function requesters(clients: AwsClients, jobs: readonly SigningJob[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const job of jobs) {
    if (job.jobId === undefined) continue;
    const requester = job.jobInvoker ?? (await describeJob(clients.signer, job.jobId))?.requestedBy;
    if (requester !== undefined) found.set(job.jobId, requester);
  }
  return found;
}

function strayJobs(
  jobs: readonly SigningJob[],
  requestedByJob: ReadonlyMap<string, string>,
  profiles: readonly AuditedProfile[],
  environment: Environment,
): StrayJob[] {
  const byName = new Map(profiles.map((p) => [p.profileName, p]));
  // The environment's own stages: where images are built, ApplicationSigning signs with the pipeline
  // identity; where they are promoted, ReleaseSigning signs with the release identity, and no stage
  // signs with the environment's own pipeline identity (its images carry the building environment's).
  const stages = stagesFor(environmentTraits(environment));
  return jobs.flatMap((job): StrayJob[] => {
    const profile = byName.get(job.profileName ?? '');
    // An identity signs in the pipeline only from the stage of this environment that the catalog
    // gives it; any other requester, and any identity no stage of it signs with, is out of the pipeline.
    const stage = stages.find((entry) => entry.signingIdentity === profile?.identity);
    const expectedRole =
      profile?.app !== undefined && stage !== undefined
        ? stageRoleName(environment, profile.app, stage.roleSuffix)
        : undefined;
    const requestedBy = requestedByJob.get(job.jobId ?? '') ?? '';
    if (expectedRole !== undefined && isRole(requestedBy, expectedRole)) return [];
    return [
      {
        jobId: job.jobId ?? '-',
        profileName: job.profileName ?? '-',
        requestedBy: requestedBy || '(not recorded)',
        ...(expectedRole === undefined ? {} : { expectedRole }),
        revoked: job.isRevoked === true,
      },
    ];
  });
}

/** Audits the environment. Throws a CliError on a failed AWS or kubectl call. */
export async function auditEnvironment(inputs: AuditInputs): Promise<AuditReport> {
  const { environment, clients } = inputs;
  const targets = environmentTargets(inputs.root, environment);
  const profiles = await auditedProfiles(inputs, targets);
  const byName = new Map(profiles.map((p) => [p.profileName, p]));
  const jobs = await listNotationJobs(clients.signer, new Set(byName.keys()));
  const revokedIds = new Set(
    jobs.filter((j) => j.isRevoked === true).flatMap((j) => (j.jobId ? [j.jobId] : [])),
  );
  const strays = strayJobs(jobs, await requesters(clients, jobs), profiles, environment);

  let running: RunningContainer[] | undefined;
  if (inputs.kubectl !== undefined) {
    const namespaces = appsForEnvironment(discoverApps(inputs.root), environment).map((a) => a.namespace);
    running = await runningContainers(inputs.kubectl, new Set(namespaces));
  }
  const runningByDigest = new Map<string, string[]>();
  for (const c of running ?? []) {
    if (c.digest !== undefined)
      runningByDigest.set(c.digest, [...(runningByDigest.get(c.digest) ?? []), `${c.namespace}/${c.pod}`]);
  }

  const images: AuditedImage[] = [];
  for (const { app, repository } of targets.repositories) {
    const appProfiles = profiles.filter((p) => p.app === app);
    const trusted = new Set(appProfiles.map((p) => p.profileName));
    const inventory = await listRepository(clients.ecr, repository);
    const signed = inventory.images.filter((image) => image.signatures.length > 0);
    const origins = await readSignatureOrigins(
      clients.ecr,
      repository,
      signed.flatMap((image) => image.signatures.map((s) => s.digest)),
      inputs.fetchBlob,
    );
    const uri = signed.length === 0 ? undefined : await repositoryUri(clients.ecr, repository);
    for (const image of inventory.images) {
      const signatures = image.signatures.map((signature): AuditedSignature => {
        const origin = origins.get(signature.digest);
        return {
          digest: signature.digest,
          ...(origin?.jobId === undefined ? {} : { jobId: origin.jobId }),
          ...(origin?.profileName === undefined ? {} : { profile: origin.profileName }),
          ...(origin?.profileVersion === undefined ? {} : { profileVersion: origin.profileVersion }),
          ...(origin?.profileName === undefined
            ? { note: origin?.note ?? 'signature envelope not read' }
            : {}),
          verdict: signatureVerdict(signature, origin, trusted, byName, revokedIds),
        };
      });
      const verification =
        signatures.length === 0
          ? undefined
          : uri === undefined
            ? { verified: false, message: `ECR returned no URI for repository ${repository}` }
            : await inputs.verifier({
                trust: {
                  app,
                  repositoryUrl: uri,
                  signingProfileArns: appProfiles.flatMap((p) => (p.arn === undefined ? [] : [p.arn])),
                },
                digest: image.digest,
              });
      const first = signatures.find((s) => s.verdict === 'valid') ?? signatures[0];
      const runningIn = runningByDigest.get(image.digest) ?? [];
      images.push({
        repository,
        digest: image.digest,
        tags: image.tags,
        deployable: image.tags.length > 0 || inputs.deployed.has(image.digest) || runningIn.length > 0,
        runningIn,
        signatures,
        ...(verification === undefined ? {} : { verification }),
        verdict:
          first === undefined
            ? 'unsigned'
            : verification?.verified !== true
              ? 'verification-failed'
              : first.verdict === 'valid'
                ? 'signed'
                : first.verdict,
      });
    }
  }
  const found = new Set(images.map((i) => i.digest));
  for (const digest of [...new Set([...inputs.deployed, ...runningByDigest.keys()])].sort()) {
    if (found.has(digest)) continue;
    images.push({
      repository: '-',
      digest,
      tags: [],
      deployable: true,
      runningIn: runningByDigest.get(digest) ?? [],
      signatures: [],
      verdict: 'not-in-registry',
    });
  }
  return {
    environment,
    profiles,
    images,
    strayJobs: strays,
    ...(running ? { running } : {}),
    problems: problems(images, profiles, strays, running),
  };
}

function problems(
  images: readonly AuditedImage[],
  profiles: readonly AuditedProfile[],
  strays: readonly StrayJob[],
  running: readonly RunningContainer[] | undefined,
): string[] {
  const lines: string[] = [];
  for (const image of images.filter((i) => i.deployable && i.verdict !== 'signed')) {
    const where = image.runningIn.length > 0 ? ` (running in ${image.runningIn.join(', ')})` : '';
    const why =
      image.verdict === 'verification-failed'
        ? `notation verify failed: ${image.verification?.message ?? ''}`
        : image.verdict === 'unreadable'
          ? `its signature cannot be read: ${image.signatures[0]?.note ?? ''}`
          : image.verdict;
    lines.push(`${image.repository}@${image.digest}${where}: ${why}`);
  }
  for (const c of running ?? []) {
    if (c.digest === undefined)
      lines.push(
        `${c.namespace}/${c.pod} container ${c.container} (${c.image}) reports no image digest: cannot tell what it runs`,
      );
  }
  for (const p of profiles.filter((p) => p.app === undefined && p.status === 'Active')) {
    lines.push(
      `profile ${p.profileName} is Active but no app of the workspace declares it (an app removed since, or an earlier generation): it can still sign; cancel it (signet decommission)`,
    );
  }
  for (const job of strays.filter((j) => !j.revoked)) {
    lines.push(
      `signing job ${job.jobId} with profile ${job.profileName} was requested by ${job.requestedBy}, not by ${job.expectedRole ?? 'a pipeline role (no pipeline signs with this profile)'}: revoke it (signet revoke)`,
    );
  }
  return lines;
}
