import { DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ListSigningProfilesCommand, type SignerClient } from '@aws-sdk/client-signer';
import { signingProfilePrefix, type Environment } from '@signet/platform';
import { callAws } from './errors.js';

/**
 * What of an environment AWS still holds, found by the environment's name prefixes rather than from
 * today's workspace, so that the profiles and repositories of apps removed earlier (and of earlier
 * generations of profile names) are found too.
 */
export interface EnvironmentLeftovers {
  /** Every signing profile named `signet_<env>_…`, with its status (canceled ones included). */
  readonly profiles: readonly { readonly profileName: string; readonly status: string }[];
  /** Every ECR repository named `signet-<env>/…`. */
  readonly repositories: readonly string[];
}

/** The repository name prefix of an environment, as `repositoryName` (@signet/platform) builds names. */
export function repositoryPrefix(environment: Environment): string {
  return `signet-${environment}/`;
}

/**
 * Every signing profile of the environment, all pages, canceled ones included (Signer keeps a canceled
 * profile listed until it deletes it, two years after the cancel:
 * https://docs.aws.amazon.com/signer/latest/api/API_CancelSigningProfile.html).
 */
export async function listEnvironmentProfiles(
  signer: SignerClient,
  environment: Environment,
): Promise<EnvironmentLeftovers['profiles']> {
  const prefix = signingProfilePrefix(environment);
  return callAws({ action: 'signer:ListSigningProfiles', resource: `profiles ${prefix}*` }, async () => {
    const found: { profileName: string; status: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await signer.send(
        new ListSigningProfilesCommand({ includeCanceled: true, ...(nextToken && { nextToken }) }),
      );
      for (const profile of page?.profiles ?? []) {
        if (profile.profileName?.startsWith(prefix) === true) {
          found.push({ profileName: profile.profileName, status: profile.status ?? 'Active' });
        }
      }
      nextToken = page?.nextToken;
    } while (nextToken !== undefined);
    return found.sort((a, b) => a.profileName.localeCompare(b.profileName));
  });
}

/** Every ECR repository of the environment, all pages. */
export async function listEnvironmentRepositories(
  ecr: ECRClient,
  environment: Environment,
): Promise<readonly string[]> {
  const prefix = repositoryPrefix(environment);
  return callAws({ action: 'ecr:DescribeRepositories', resource: `repositories ${prefix}*` }, async () => {
    const found: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeRepositoriesCommand({ ...(nextToken && { nextToken }) }));
      for (const repository of page?.repositories ?? []) {
        if (repository.repositoryName?.startsWith(prefix) === true) found.push(repository.repositoryName);
      }
      nextToken = page?.nextToken;
    } while (nextToken !== undefined);
    return found.sort();
  });
}

/** Both lists at once. */
export async function listEnvironmentLeftovers(
  clients: { readonly signer: SignerClient; readonly ecr: ECRClient },
  environment: Environment,
): Promise<EnvironmentLeftovers> {
  const [profiles, repositories] = await Promise.all([
    listEnvironmentProfiles(clients.signer, environment),
    listEnvironmentRepositories(clients.ecr, environment),
  ]);
  return { profiles, repositories };
}
