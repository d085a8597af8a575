import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  paginateListSigningJobs,
  type DescribeSigningJobResponse,
  type SignerClient,
  type SigningJob,
  type SigningProfileStatus,
} from '@aws-sdk/client-signer';
import { callAws, describeAwsFailure } from './errors.js';

/** The Signer platform of every Signet profile (packages/platform `NOTATION_PLATFORM_ID`). */
export const NOTATION_PLATFORM = 'Notation-OCI-SHA384-ECDSA';

/** A signing profile as the operations commands report it. */
export interface ProfileState {
  readonly profileName: string;
  /** `Active`, `Canceled`, `Revoked`, or `NotFound` when Signer has no such profile. */
  readonly status: SigningProfileStatus | 'NotFound';
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
  return callAws(
    { action: 'signer:ListSigningJobs', resource: `platform ${NOTATION_PLATFORM}` },
    async () => {
      const jobs: SigningJob[] = [];
      for await (const page of paginateListSigningJobs(
        { client: signer },
        { platformId: NOTATION_PLATFORM, isRevoked: true },
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
