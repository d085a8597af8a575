import { DeployVariable, ExportedVariable, type StageEnvironment } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import { validateInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { BuildspecShell, OnFailure } from '../model.js';
import {
  notationRegistryCredentials,
  prepareDirectories,
  requireContractVariables,
  requireImageUriConsistent,
} from './common.js';
import {
  addTrustStore,
  importTrustPolicy,
  installNotation,
  notationSign,
  requireTrustPolicy,
} from './notation.js';
import { MANIFESTS_METADATA_KEY } from './manifests.js';

// The Notation commands every signing stage shares live with the plugin's id in notation.ts.
export { AWS_SIGNER_PLUGIN_ID } from './notation.js';

const TRUST_POLICY_FILE = 'trustpolicy.json';
const SBOM_REF = `"$${DeployVariable.RepositoryUri}@$${ExportedVariable.SbomDigest}"`;
const IMAGE_REF = `"$${ExportedVariable.ImageUri}"`;

/**
 * ApplicationSigning: install Notation and the AWS Signer plugin from pinned, checksum-verified
 * downloads; sign the image and its SBOM by digest with the signing profile; verify both with
 * the trust policy the cluster uses, at level strict. `notation verify` writes its own error
 * messages to the log untouched.
 */
export function signingStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { tools, toolsDirectory, trustStore } = inputs;
  const sign = (ref: string) => notationSign(DeployVariable.SigningProfileArn, ref);
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...requireContractVariables(contract, [DeployVariable.TrustPolicy, ExportedVariable.ImageUri]),
          requireImageUriConsistent(),
          requireTrustPolicy(DeployVariable.TrustPolicy, trustStore.name),
          prepareDirectories(toolsDirectory),
          ...installNotation({ tools, toolsDirectory }),
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [
          notationRegistryCredentials(),
          ...addTrustStore(trustStore),
          ...importTrustPolicy(DeployVariable.TrustPolicy, TRUST_POLICY_FILE),
        ],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          // The build signature attests the manifests the image is deployed with, by their hash.
          notationSign(DeployVariable.SigningProfileArn, IMAGE_REF, {
            [MANIFESTS_METADATA_KEY]: `$${ExportedVariable.ManifestsSha256}`,
          }),
          sign(SBOM_REF),
          `notation inspect ${IMAGE_REF}`,
          `notation verify --user-metadata "${MANIFESTS_METADATA_KEY}=$${ExportedVariable.ManifestsSha256}" ${IMAGE_REF}`,
          `notation verify ${SBOM_REF}`,
        ],
      },
    },
  };
}
