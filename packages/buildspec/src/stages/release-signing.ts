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

const IMAGE_REF = `"$${ExportedVariable.ImageUri}"`;

/**
 * ReleaseSigning: after the environment's gate (placed by the catalog: in prod the manual approval
 * right before this stage), check again that the promoted digest carries the build signature, sign
 * it with the environment's release profile (`SIGNET_SIGNING_PROFILE_ARN` of this stage is the
 * app's `release` identity), and verify the new signature with the environment's release trust
 * policy, the document the cluster's second signature rule asks the verifier with.
 */
export function releaseSigningStage(inputs: BuildspecInputs, contract: StageEnvironment): Buildspec {
  validateInputs(inputs);
  const { tools, toolsDirectory, trustStore } = inputs;
  const policies = new Set<string>([DeployVariable.TrustPolicy, DeployVariable.BuildTrustPolicy]);
  return {
    version: '0.2',
    env: { shell: BuildspecShell.Bash },
    phases: {
      install: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...requireContractVariables(contract, [...policies, ExportedVariable.ImageUri]),
          requireImageUriConsistent(),
          requireTrustPolicy(DeployVariable.BuildTrustPolicy, trustStore.name),
          requireTrustPolicy(DeployVariable.TrustPolicy, trustStore.name),
          prepareDirectories(toolsDirectory),
          ...installNotation({ tools, toolsDirectory }),
        ],
      },
      pre_build: {
        'on-failure': OnFailure.Abort,
        commands: [notationRegistryCredentials(), ...addTrustStore(trustStore)],
      },
      build: {
        'on-failure': OnFailure.Abort,
        commands: [
          ...importTrustPolicy(DeployVariable.BuildTrustPolicy, 'build-trustpolicy.json'),
          `notation verify ${IMAGE_REF}`,
          notationSign(DeployVariable.SigningProfileArn, IMAGE_REF),
          ...importTrustPolicy(DeployVariable.TrustPolicy, 'release-trustpolicy.json'),
          `notation verify ${IMAGE_REF}`,
          `printf '%s\\n' "Released $${ExportedVariable.ImageUri}: build signature verified, release signature by $${DeployVariable.SigningProfileArn} added and verified"`,
        ],
      },
    },
  };
}
