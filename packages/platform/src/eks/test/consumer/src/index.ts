import { readEksOutputs } from '../../../contract.js';

const eks = readEksOutputs({ org: 'acme', environment: 'staging' });

export const clusterArn = eks.clusterArn;
export const appNamespaces = eks.appNamespaces;
