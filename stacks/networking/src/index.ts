import {
  createAwsProvider,
  DeployerNetwork,
  loadStackConfig,
  SignetVpc,
  StackDeployer,
  type NetworkingOutputs,
  type StackExports,
} from '@signet/platform';
import { networkingConfig } from './config.js';

const config = loadStackConfig(networkingConfig);
const provider = createAwsProvider(config);

// The environment's VPC: nodes in private subnets, AWS APIs through endpoints, flow logs encrypted.
const network = new SignetVpc(
  'network',
  {
    environment: config.environment,
    region: config.region,
    cidrBlock: config.values.vpcCidr,
    azCount: config.values.azCount,
    natGateways: config.values.natGateways,
    flowLogRetentionDays: config.values.flowLogRetentionDays,
  },
  { provider },
);

// The deployer's security group, always: the eks stack opens the cluster endpoint to it.
const deployerNetwork = new DeployerNetwork(
  'deployer',
  { environment: config.environment, vpcId: network.vpcId },
  { provider },
);

// The deployer, when configured: runs `pulumi up` of the private-endpoint stacks inside the VPC.
const deployer = config.values.deployer;
if (deployer !== undefined) {
  new StackDeployer(
    'deployer',
    {
      environment: config.environment,
      region: config.region,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      securityGroupId: deployerNetwork.securityGroupId,
      ...deployer,
      logRetentionDays: config.values.flowLogRetentionDays,
    },
    { provider },
  );
}

const outputs: StackExports<NetworkingOutputs> = {
  vpcId: network.vpcId,
  vpcCidr: network.vpcCidr,
  privateSubnetIds: network.privateSubnetIds,
  publicSubnetIds: network.publicSubnetIds,
  availabilityZones: network.availabilityZones,
  endpointSecurityGroupId: network.endpointSecurityGroupId,
  deployerSecurityGroupId: deployerNetwork.securityGroupId,
};

export const {
  vpcId,
  vpcCidr,
  privateSubnetIds,
  publicSubnetIds,
  availabilityZones,
  endpointSecurityGroupId,
  deployerSecurityGroupId,
} = outputs;
