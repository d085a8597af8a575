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
  EKS_ADDON_VERSION_PATTERN,
  CHART_DIGEST_ALLOWED,
  CHART_DIGEST_PATTERN,
  VPC_CNI_ADDON_VERSION_ALLOWED,
  VPC_CNI_ADDON_VERSIONS,
  vpcCniAddonVersion,
  IMAGE_PIN_ALLOWED,
  KYVERNO_IMAGE_SLOTS,
  NOTATION_AWS_LIMITS,
  parseImagePin,
  StackConfigError,
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

// --- verifier, Kyverno images and cluster keys (the verifier backend, digests, nodes) ---

/** Seconds a "verified" answer is cached when the config does not say: the revocation delay at admission. */
export const DEFAULT_VERIFIER_CACHE_TTL_SECONDS = 300;

/**
 * Memory request and limit of each upstream verifier replica when the config does not say, MiB.
 * No upstream figure sizes v1.1, because no limit is enough under load: nirmata/kyverno-notation-aws#482
 * (https://github.com/nirmata/kyverno-notation-aws/issues/482) measured replicas starting at 18 to 45 MB,
 * staying at about 19 MB on a low-traffic cluster, and growing with request volume to 1 to 8 GB
 * before being OOM-killed (a leak outside the verification cache). So the limit sets how long a busy
 * replica runs before it restarts, not whether it does: 1024 MiB (twice the chart's 512Mi) is far
 * above the idle working set, small enough that several replicas fit a node, and with at least 3
 * replicas and a PodDisruptionBudget outside dev one restart at a time leaves admission served.
 * Watch `container_memory_working_set_bytes` and the restart count; the fork backend fixes the leak.
 */
export const DEFAULT_VERIFIER_MEMORY_MIB = 1024;

const { cacheTtlSeconds: TTL, replicas: REPLICAS, memoryMiB: MEMORY } = NOTATION_AWS_LIMITS;
const cacheTtl = z.number().int().min(TTL.min).max(TTL.max).default(DEFAULT_VERIFIER_CACHE_TTL_SECONDS);
const replicaCount = z.number().int().min(REPLICAS.min).max(REPLICAS.max);

const verifierSchema = z.discriminatedUnion('implementation', [
  z
    .object({
      implementation: z.literal(VerifierImplementation.Upstream),
      image: z.string(),
      cacheTtlSeconds: cacheTtl,
      replicas: replicaCount,
      memoryMiB: z.number().int().min(MEMORY.min).max(MEMORY.max).default(DEFAULT_VERIFIER_MEMORY_MIB),
    })
    .strict(),
  z
    .object({
      implementation: z.literal(VerifierImplementation.Fork),
      repository: z.string().regex(CHART_REPOSITORY),
      chart: z.string().regex(DNS_LABEL),
      version: z.string().regex(/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/),
      image: z.string(),
      cacheTtlSeconds: cacheTtl,
      replicas: replicaCount,
    })
    .strict(),
]);

/** Config names of Kyverno's images (the readiness checker serves the hooks and the chart's tests). */
export const KYVERNO_IMAGE_KEYS = Object.keys(KYVERNO_IMAGE_SLOTS).filter(
  (slot) => slot !== 'readinessCheckerTests',
) as readonly (keyof typeof KYVERNO_IMAGE_SLOTS & string)[];

const kyvernoImagesSchema = z
  .object(
    Object.fromEntries(KYVERNO_IMAGE_KEYS.map((key) => [key, z.string()])) as Record<string, z.ZodString>,
  )
  .strict();

// --- end of verifier, Kyverno images and cluster keys ---

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
  vpcCniAddonVersion: configKey(
    z
      .string()
      .regex(EKS_ADDON_VERSION_PATTERN)
      .optional()
      .describe(
        `Version of the vpc-cni EKS add-on. Default: the version Signet pins for the Kubernetes minor (${Object.entries(
          VPC_CNI_ADDON_VERSIONS,
        )
          .map(([minor, version]) => `${minor}: ${version}`)
          .join(', ')}); required for any other minor.`,
      ),
    VPC_CNI_ADDON_VERSION_ALLOWED,
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
      `The Notation/AWS Signer verifier: \`upstream\` (kyverno-notation-aws v1.1, its objects rendered by Signet) or \`fork\` (a maintained fork by chart repository, name and version). \`image\` by digest; \`cacheTtlSeconds\` (default ${DEFAULT_VERIFIER_CACHE_TTL_SECONDS}) is the revocation delay at admission; \`replicas\` at least ${HIGHLY_AVAILABLE_VERIFIER_REPLICAS} where the verifier must be highly available (${describeTrait(
        (t) => t.highlyAvailableVerifier,
        (on) => (on ? 'yes' : 'no'),
      )}); \`memoryMiB\` (upstream, default ${DEFAULT_VERIFIER_MEMORY_MIB}).`,
    ),
    `{ implementation: "upstream", image: <pin>, replicas: ${REPLICAS.min}..${REPLICAS.max}, cacheTtlSeconds: ${TTL.min}..${TTL.max}, memoryMiB: ${MEMORY.min}..${MEMORY.max} }, or { implementation: "fork", repository: "https://…" or "oci://…", chart: "<name>", version: "<semver>", image: <pin>, replicas: ${REPLICAS.min}..${REPLICAS.max}, cacheTtlSeconds: ${TTL.min}..${TTL.max} }`,
  ),
  kyvernoChartDigest: configKey(
    z
      .string()
      .regex(CHART_DIGEST_PATTERN)
      .describe(
        'Manifest digest of the Kyverno chart (oci://ghcr.io/kyverno/charts/kyverno at the pinned version): Helm pulls the chart by it, so a re-published version cannot change what is deployed.',
      ),
    CHART_DIGEST_ALLOWED,
  ),
  kyvernoImages: configKey(
    kyvernoImagesSchema.describe(
      'Every image of the Kyverno chart, by digest: admissionController, admissionControllerInit, backgroundController, cleanupController, reportsController, cli (CRD migration hook) and readinessChecker (webhook cleanup hooks and chart tests).',
    ),
    `an object with exactly ${KYVERNO_IMAGE_KEYS.join(', ')}, each ${IMAGE_PIN_ALLOWED}`,
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
  if (traits.highlyAvailableVerifier && verifier.replicas < HIGHLY_AVAILABLE_VERIFIER_REPLICAS) {
    problems.push({
      source: where,
      path: `${key('verifier')}.replicas`,
      value: verifier.replicas,
      allowed: `at least ${HIGHLY_AVAILABLE_VERIFIER_REPLICAS} in ${config.environment}, where the verifier must be highly available`,
    });
  }
  if (vpcCniAddonVersion(config.values.kubernetesVersion, config.values.vpcCniAddonVersion) === undefined) {
    problems.push({
      source: where,
      path: key('vpcCniAddonVersion'),
      issue: 'missing',
      allowed: `${VPC_CNI_ADDON_VERSION_ALLOWED}, required with kubernetesVersion ${JSON.stringify(config.values.kubernetesVersion)} (Signet pins one for ${Object.keys(VPC_CNI_ADDON_VERSIONS).join(', ')} only)`,
    });
  }
  problems.push(...platformImagesProblems(config.values.platformImages, where, key('platformImages')));
  // Digests in every environment: what dev admits with is what staging and prod will pin, and a tag
  // can be moved to other bytes by whoever controls the registry.
  const pins: [string, string][] = [
    [`${key('verifier')}.image`, verifier.image],
    ...Object.entries(config.values.kyvernoImages).map(([slot, ref]): [string, string] => [
      `${key('kyvernoImages')}.${slot}`,
      ref,
    ]),
  ];
  for (const [path, ref] of pins) {
    if (parseImagePin(ref) === undefined) {
      problems.push({ source: where, path, value: ref, allowed: IMAGE_PIN_ALLOWED });
    }
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    ...config,
    values: {
      ...config.values,
      deletionProtection: config.values.deletionProtection ?? traits.deletionProtectionByDefault,
    },
  };
}
