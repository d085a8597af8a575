import {
  configKey,
  defineStackConfig,
  LOG_RETENTION_DAYS,
  MIN_AZ_COUNT,
  MAX_AZ_COUNT,
  NAT_GATEWAY_MODES,
  VPC_CIDR_ALLOWED,
  validateVpcCidr,
} from '@signet/platform';
import { z } from 'zod';

function isVpcCidr(value: string): boolean {
  try {
    validateVpcCidr(value);
    return true;
  } catch {
    return false;
  }
}

const natModes = Object.values(NAT_GATEWAY_MODES);

/** Configuration of `signet-networking`, per environment in `Pulumi.<env>.yaml`. */
export const networkingConfig = defineStackConfig('signet-networking', {
  vpcCidr: configKey(
    z
      .string()
      .refine(isVpcCidr)
      .describe(
        'CIDR block of the VPC; private subnets take a quarter each, public subnets share the last quarter.',
      ),
    VPC_CIDR_ALLOWED,
  ),
  azCount: configKey(
    z
      .number()
      .int()
      .min(MIN_AZ_COUNT)
      .max(MAX_AZ_COUNT)
      .default(MIN_AZ_COUNT)
      .describe('Availability zones the VPC spans (one private and one public subnet each).'),
    `an integer from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}`,
  ),
  natGateways: configKey(
    z
      .enum([NAT_GATEWAY_MODES.single, NAT_GATEWAY_MODES.perAz])
      .default(NAT_GATEWAY_MODES.single)
      .describe(
        'NAT gateways: `single` for the VPC, or `per-az` so an AZ outage does not cut egress of the others.',
      ),
    natModes.join(', '),
  ),
  flowLogRetentionDays: configKey(
    z
      .number()
      .int()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days))
      .default(90)
      .describe('Days the VPC flow logs are kept in CloudWatch Logs.'),
    `one of ${LOG_RETENTION_DAYS.join(', ')}`,
  ),
});
