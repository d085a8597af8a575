import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  paginateListSigningJobs,
  type DescribeSigningJobResponse,
  type SignerClient,
  type SigningJob,
  type SigningProfileStatus,
} from '@aws-sdk/client-signer';
import { NOTATION_PLATFORM_ID } from '@signet/platform';
import { callAws, describeAwsFailure } from './errors.js';

/**
 * The longest revocation reason Signer records, for a signature and for a profile:
 * https://docs.aws.amazon.com/signer/latest/api/API_RevokeSignature.html and
 * https://docs.aws.amazon.com/signer/latest/api/API_RevokeSigningProfile.html
 */
export const REVOCATION_REASON_MAX = 500;

/** An ISO-8601 time with a zone (`Z` or an offset), so an effective time never depends on the machine's zone. */
export const ISO_8601_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A signing profile as the operations commands report it. */
export interface ProfileState {
  readonly profileName: string;
  /** `Active`, `Canceled`, `Revoked`, or `NotFound` when Signer has no such profile. */
  readonly status: SigningProfileStatus | 'NotFound';
  /** The profile ARN (without version), as trust policies name it. */
  readonly arn?: string;
  readonly profileVersion?: string;
  readonly profileVersionArn?: string;
  /** For a revoked profile: signatures made at or after this time are invalid. */
  readonly revocationEffectiveFrom?: Date;
}

/** Reads one profile's status; a missing profile is a state, not an error. */
export async function getProfileState(signer: SignerClient, profileName: string): Promise<ProfileState> {
  try {
    const profile = await signer.send(new GetSigningProfileCommand({ profileName }));
    return {
      profileName,
      status: profile.status ?? 'Active',
      ...(profile.arn === undefined ? {} : { arn: profile.arn }),
      ...(profile.profileVersion === undefined ? {} : { profileVersion: profile.profileVersion }),
      ...(profile.profileVersionArn === undefined ? {} : { profileVersionArn: profile.profileVersionArn }),
      ...(profile.revocationRecord?.revocationEffectiveFrom === undefined
        ? {}
        : { revocationEffectiveFrom: profile.revocationRecord.revocationEffectiveFrom }),
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException')
      return { profileName, status: 'NotFound' };
    throw describeAwsFailure(error, {
      action: 'signer:GetSigningProfile',
      resource: `profile ${profileName}`,
    });
  }
}

/** Describes one signing job (what it signed, with which profile, whether it is revoked). */
export async function describeJob(signer: SignerClient, jobId: string): Promise<DescribeSigningJobResponse> {
  return callAws({ action: 'signer:DescribeSigningJob', resource: `job ${jobId}` }, () =>
    signer.send(new DescribeSigningJobCommand({ jobId })),
  );
}

/** Every revoked Notation signing job of the given profiles (all pages). */
export async function listRevokedJobs(
  signer: SignerClient,
  profileNames: ReadonlySet<string>,
): Promise<SigningJob[]> {
  return listNotationJobs(signer, profileNames, true);
}

/**
 * Every Notation signing job of the given profiles (all pages), or only the revoked ones. Each job
 * names the principal that requested it (`requestedBy`):
 * https://docs.aws.amazon.com/signer/latest/api/API_SigningJob.html
 */
export async function listNotationJobs(
  signer: SignerClient,
  profileNames: ReadonlySet<string>,
  revokedOnly = false,
): Promise<SigningJob[]> {
  return callAws(
    { action: 'signer:ListSigningJobs', resource: `platform ${NOTATION_PLATFORM_ID}` },
    async () => {
      const jobs: SigningJob[] = [];
      for await (const page of paginateListSigningJobs(
        { client: signer },
        { platformId: NOTATION_PLATFORM_ID, ...(revokedOnly ? { isRevoked: true } : {}) },
      )) {
        jobs.push(
          ...(page.jobs ?? []).filter(
            (job) => job.profileName !== undefined && profileNames.has(job.profileName),
          ),
        );
      }
      return jobs;
    },
  );
}
