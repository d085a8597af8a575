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
  deployer: configKey(
    z
      .object({
        repository: z.string().regex(/^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/),
        connectionArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
          ),
        pulumiTokenSecretArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/),
        pulumiCli: z
          .object({
            version: z.string().regex(/^\d+\.\d+\.\d+$/),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
          })
          .strict(),
      })
      .strict()
      .optional()
      .describe(
        'The CodeBuild deployer in the private subnets that runs `pulumi up` of eks and signing-pipeline for a commit of main (docs/deploy.md): the GitHub repository, its CodeConnections connection, the Secrets Manager secret of the Pulumi deploy token and the Pulumi CLI release with its SHA-256. Unset (default): no deployer.',
      ),
    '{ repository: "<owner>/<repo>", connectionArn: "arn:aws:codeconnections:<region>:<account>:connection/<uuid>", pulumiTokenSecretArn: "arn:aws:secretsmanager:…:secret:…", pulumiCli: { version: "<x.y.z>", sha256: "<64 hex>" } }',
  ),
});
