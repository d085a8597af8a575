// Test fixture: a consumer stack reading its upstream stacks only through the typed readers.
import { defineStackConfig, loadStackConfig } from '../../../config.js';
import { readEcrOutputs, readNetworkingOutputs } from '../../../contracts.js';

const config = loadStackConfig(defineStackConfig('signet-consumer', {}));
const network = readNetworkingOutputs(config);
const ecr = readEcrOutputs(config);

export const privateSubnetIds = network.privateSubnetIds;
export const kmsKeyArn = ecr.kmsKeyArn;
