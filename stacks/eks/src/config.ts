import {
  configKey,
  defineStackConfig,
  describeTrait,
  environmentsWhere,
  environmentTraits,
  FailureAction,
  HIGHLY_AVAILABLE_VERIFIER_REPLICAS,
  listEnvironments,
  LOG_RETENTION_DAYS,
  loadStackConfig,
  PLATFORM_NAMESPACE_MAX_LENGTH,
  platformImagesProblems,
  PUBLIC_ACCESS_CIDR_ALLOWED,
  publicAccessCidrProblem,
  StackConfigError,
  UPSTREAM_VERIFIER_FIXED,
  VerifierImplementation,
  type ConfigSource,
  type InputProblem,
  type LoadedStackConfig,
} from '@signet/platform';
import { z } from 'zod';

/** Kyverno admission controller replicas when the config does not say (with a PodDisruptionBudget). */
export const DEFAULT_ADMISSION_REPLICAS = 3;

const onOff = (on: boolean) => (on ? 'on' : 'off');
const auditing = listEnvironments(environmentsWhere((traits) => traits.admissionMayAudit));

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,48}[a-z0-9])?$/;
const CHART_REPOSITORY = /^(https|oci):\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~-]+)*\/?$/;
const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const verifierSchema = z.discriminatedUnion('implementation', [
  z
    .object({
      implementation: z.literal(VerifierImplementation.Upstream),
      cacheTtlSeconds: z.literal(UPSTREAM_VERIFIER_FIXED.cacheTtlSeconds),
      replicas: z.literal(UPSTREAM_VERIFIER_FIXED.replicas),
    })
    .strict(),
  z
    .object({
      implementation: z.literal(VerifierImplementation.Fork),
      repository: z.string().regex(CHART_REPOSITORY),
      chart: z.string().regex(DNS_LABEL),
      version: z.string().regex(/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/),
      cacheTtlSeconds: z.number().int().min(30).max(86400),
      replicas: z.number().int().min(1).max(10),
    })
    .strict(),
]);

/** Configuration of `signet-eks`, per environment in `Pulumi.<env>.yaml`. */
export const eksConfig = defineStackConfig('signet-eks', {
  kubernetesVersion: configKey(
    z
      .string()
      .regex(/^1\.\d{2}$/)
      .describe(
        'Kubernetes minor version of the control plane, pinned; an upgrade is a change of this value.',
      ),
    'a Kubernetes minor version such as "1.33"',
  ),
  publicAccessCidrs: configKey(
    z
      .array(z.string().refine((cidr) => publicAccessCidrProblem(cidr) === undefined))
      .refine((list) => new Set(list).size === list.length)
      .default([])
      .describe(
        'CIDRs allowed to reach the public API endpoint. Empty (default): the public endpoint is off and the API is reachable from the VPC only.',
      ),
    `a list of ${PUBLIC_ACCESS_CIDR_ALLOWED}`,
  ),
  clusterAdminRoleArns: configKey(
    z
      .array(z.string().regex(IAM_ROLE_ARN))
      .default([])
      .describe(
        'IAM roles given cluster-admin through EKS access entries (besides the identity that creates the cluster).',
      ),
    'a list of IAM role ARNs',
  ),
  deletionProtection: configKey(
    z
      .boolean()
      .optional()
      .describe(
        `Refuse deletion of the cluster until this is turned off. Default: the environment's (${describeTrait((t) => t.deletionProtectionByDefault, onOff)}).`,
      ),
    'true or false',
  ),
  nodeGroup: configKey(
    z
      .object({
        instanceTypes: z.array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/)).min(1),
        capacityType: z.enum(['ON_DEMAND', 'SPOT']),
        minSize: z.number().int().min(1).max(100),
        desiredSize: z.number().int().min(1).max(100),
        maxSize: z.number().int().min(1).max(100),
        diskSizeGiB: z.number().int().min(20).max(1000),
      })
      .strict()
      .refine((g) => g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)
      .describe('The managed node group in the private subnets: instance types, capacity type and sizes.'),
    'an object with instanceTypes (EC2 types), capacityType (ON_DEMAND or SPOT), minSize <= desiredSize <= maxSize (1..100) and diskSizeGiB (20..1000)',
  ),
  controlPlaneLogRetentionDays: configKey(
    z
      .number()
      .int()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days))
      .default(90)
      .describe(
        'Days the control-plane logs (api, audit, authenticator, controllerManager, scheduler) are kept.',
      ),
    `one of ${LOG_RETENTION_DAYS.join(', ')}`,
  ),
  kyvernoAdmissionReplicas: configKey(
    z
      .number()
      .int()
      .min(1)
      .max(9)
      .default(DEFAULT_ADMISSION_REPLICAS)
      .describe(
        `Kyverno admission controller replicas; more than one adds a PodDisruptionBudget. At least the environment's minimum (${describeTrait((t) => t.minAdmissionReplicas)}).`,
      ),
    `an integer from 1 to 9 (at least ${describeTrait((t) => t.minAdmissionReplicas)})`,
  ),
  admissionFailureAction: configKey(
    z
      .enum([FailureAction.Enforce, FailureAction.Audit])
      .default(FailureAction.Enforce)
      .describe(
        `What the ClusterPolicy does with an unverified Pod: Enforce denies it; Audit (${auditing} only) reports it.`,
      ),
    `"Enforce", or "Audit" in ${auditing} only`,
  ),
  platformImages: configKey(
    z
      .record(z.string(), z.array(z.string()))
      .default({})
      .describe(
        'Images the platform team runs in namespaces of no app (e.g. a monitoring agent), per namespace: each exactly <registry>/<repository>@sha256:<digest>, admitted in that namespace only. Every other namespace outside the system ones admits no Pod. Default: none.',
      ),
    `an object {"<namespace>": ["<registry>/<repository>@sha256:<64 hex>", …]} (namespace up to ${PLATFORM_NAMESPACE_MAX_LENGTH} characters, not a system namespace; no tags)`,
  ),
  verifier: configKey(
    verifierSchema.describe(
      'The Notation/AWS Signer verifier: `upstream` (kyverno-notation-aws v1.1, cache TTL and replicas fixed by its chart) or `fork` (a maintained fork by chart repository, name and version).',
    ),
    `{ implementation: "upstream", cacheTtlSeconds: ${UPSTREAM_VERIFIER_FIXED.cacheTtlSeconds}, replicas: ${UPSTREAM_VERIFIER_FIXED.replicas} } (fixed by the upstream chart), or { implementation: "fork", repository: "https://…" or "oci://…", chart: "<name>", version: "<semver>", cacheTtlSeconds: 30..86400, replicas: 1..10 }`,
  ),
});

/** The eks stack's configuration, with the environment's defaults applied. */
export type EksConfig = LoadedStackConfig<typeof eksConfig.keys> & {
  readonly values: { readonly deletionProtection: boolean };
};

/**
 * Loads and validates the stack's configuration, then the rules its environment's traits set:
 * admission enforces unless the environment may audit, Kyverno runs at least the environment's
 * minimum of admission replicas, and a forked verifier runs highly available where the environment
 * asks for it. Unset deletion protection takes the environment's default.
 */
export function loadEksConfig(source?: ConfigSource): EksConfig {
  const config = loadStackConfig(eksConfig, source);
  const traits = environmentTraits(config.environment);
  const where = `${config.project} (${config.file})`;
  const key = (name: string) => `${config.project}:${name}`;
  const problems: InputProblem[] = [];
  const { admissionFailureAction, kyvernoAdmissionReplicas, verifier } = config.values;
  if (!traits.admissionMayAudit && admissionFailureAction !== FailureAction.Enforce) {
    problems.push({
      source: where,
      path: key('admissionFailureAction'),
      value: admissionFailureAction,
      allowed: `"Enforce" in ${config.environment} (Audit is for ${auditing} only)`,
    });
  }
  if (kyvernoAdmissionReplicas < traits.minAdmissionReplicas) {
    problems.push({
      source: where,
      path: key('kyvernoAdmissionReplicas'),
      value: kyvernoAdmissionReplicas,
      allowed: `at least ${traits.minAdmissionReplicas} in ${config.environment}`,
    });
  }
  if (
    traits.highlyAvailableVerifier &&
    verifier.implementation === VerifierImplementation.Fork &&
    verifier.replicas < HIGHLY_AVAILABLE_VERIFIER_REPLICAS
  ) {
    problems.push({
      source: where,
      path: `${key('verifier')}.replicas`,
      value: verifier.replicas,
      allowed: `at least ${HIGHLY_AVAILABLE_VERIFIER_REPLICAS} in ${config.environment}, where the verifier must be highly available (a forked chart allows it)`,
    });
  }
  problems.push(...platformImagesProblems(config.values.platformImages, where, key('platformImages')));
  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    ...config,
    values: {
      ...config.values,
      deletionProtection: config.values.deletionProtection ?? traits.deletionProtectionByDefault,
    },
  };
}
