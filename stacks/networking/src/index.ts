import {
  createAwsProvider,
  loadStackConfig,
  SignetVpc,
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

const outputs: StackExports<NetworkingOutputs> = {
  vpcId: network.vpcId,
  vpcCidr: network.vpcCidr,
  privateSubnetIds: network.privateSubnetIds,
  publicSubnetIds: network.publicSubnetIds,
  availabilityZones: network.availabilityZones,
  endpointSecurityGroupId: network.endpointSecurityGroupId,
};

export const {
  vpcId,
  vpcCidr,
  privateSubnetIds,
  publicSubnetIds,
  availabilityZones,
  endpointSecurityGroupId,
} = outputs;
