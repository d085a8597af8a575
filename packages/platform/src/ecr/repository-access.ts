import { environmentTraits, stageRoleName, type Environment } from '@signet/core';
import { stagesFor } from '@signet/buildspec';
import { REPOSITORY_WRITE_GRANTS, SIGNING_GRANTS, StageGrant } from '@signet/policies';

function stageRolesWith(environment: Environment, app: string, grants: readonly StageGrant[]): string[] {
  return stagesFor(environmentTraits(environment))
    .filter((entry) => entry.roleGrants.some((grant) => grants.includes(grant)))
    .map((entry) => stageRoleName(environment, app, entry.roleSuffix));
}

/**
 * The roles that may push into an app's repository in an environment: the stage roles whose
 * catalog grants write to it (Build pushes the image and SBOM, ApplicationSigning the signature).
 * The one place a writer is added: a stage with a repository-write grant (a promotion stage, for
 * example) joins the list by its catalog entry alone. The repository policy denies push to every
 * other principal.
 */
export function repositoryWriterRoleNames(environment: Environment, app: string): string[] {
  return stageRolesWith(environment, app, REPOSITORY_WRITE_GRANTS);
}

/** The roles that sign with an app's profiles in an environment: the stage roles with a signing grant. */
export function signerRoleNames(environment: Environment, app: string): string[] {
  return stageRolesWith(environment, app, SIGNING_GRANTS);
}

/**
 * The roles of `environment` that read an app's repository in the environment it promotes from:
 * its stage roles with the promotion grant (Promote, which verifies and copies the digest). Empty
 * where the environment builds its own images.
 */
export function promotionReaderRoleNames(environment: Environment, app: string): string[] {
  return stageRolesWith(environment, app, [StageGrant.PromoteImage]);
}
