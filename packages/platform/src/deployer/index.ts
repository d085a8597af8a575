export { DeployerNetwork, type DeployerNetworkArgs } from './deployer-network.js';
export {
  DEPLOYER_IMAGE,
  DEPLOYER_MANAGED_POLICY,
  StackDeployer,
  type StackDeployerArgs,
} from './stack-deployer.js';
