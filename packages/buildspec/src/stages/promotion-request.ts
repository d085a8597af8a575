import { ExportedVariable } from '../contract.js';
import { shellQuote as q } from '../shell.js';
import { requireManifestsHash } from './manifests.js';
import { PROMOTION_REQUEST_FILE } from './promote.js';

/**
 * What VerifyContainerSign hands on where the environment is promoted from: the promotion request
 * for the digest that now runs here and was just verified, `promotion.json` (digest, commit,
 * manifests hash) beside exactly the manifests that were applied (checked against the hash again).
 * The pipeline's last stage writes these files, zipped as the stage's output artifact, into the next
 * environment's artifact bucket, whose S3 source reads them.
 */
export function promotionRequestCommands(manifestsPath: string): string[] {
  return [
    ...requireManifestsHash(
      manifestsPath,
      ExportedVariable.ManifestsSha256,
      'no promotion request is written',
    ),
    `jq -n --arg digest "$${ExportedVariable.ImageDigest}" --arg commit "$${ExportedVariable.ImageTag}" --arg manifests "$${ExportedVariable.ManifestsSha256}" '{digest: $digest, commit: $commit, manifests: $manifests}' > ${q(PROMOTION_REQUEST_FILE)}`,
    `printf '%s\\n' "Promotion request: $(cat ${q(PROMOTION_REQUEST_FILE)}) with the manifests of ${manifestsPath}"`,
  ];
}

/** The files of the promotion request, as the stage's `artifacts.files` (paths kept). */
export function promotionRequestFiles(manifestsPath: string): string[] {
  return [PROMOTION_REQUEST_FILE, `${manifestsPath}/*.yaml`];
}
