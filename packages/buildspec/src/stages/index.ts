import { Stage } from '../contract.js';
import type { BuildspecInputs } from '../inputs.js';
import type { Buildspec } from '../model.js';
import { buildStage } from './build.js';
import { deploymentStage } from './deployment.js';
import { signingStage } from './signing.js';
import { verifyStage } from './verify.js';

/** The generator of each stage. */
export const STAGE_GENERATORS: Readonly<Record<Stage, (inputs: BuildspecInputs) => Buildspec>> = {
  [Stage.Build]: buildStage,
  [Stage.ApplicationSigning]: signingStage,
  [Stage.ApplicationDeployment]: deploymentStage,
  [Stage.VerifyContainerSign]: verifyStage,
};
