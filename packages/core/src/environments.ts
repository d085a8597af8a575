import { z } from 'zod';
import { SignetInputError, type InputProblem } from './errors.js';
import { SEVERITIES, type Severity } from './severity.js';

/**
 * Everything that differs between environments and that code decides. Each field is required and
 * none has a default, so a new environment is a decision on every trait, never a silent copy of
 * another environment. Sizes and names that an operator tunes (CIDRs, node types, retention) are
 * not traits: they live in each stack's `Pulumi.<env>.yaml`.
 */
export interface EnvironmentTraits {
  /**
   * Admission may run the ClusterPolicy in `Audit` (an unverified Pod is reported, not denied) to
   * try a policy change, and the pipeline's VerifyContainerSign then accepts an auditing policy.
   * Where false, the eks stack refuses `Audit` and the pipeline requires the policy to enforce.
   */
  readonly admissionMayAudit: boolean;
  /**
   * Fewest Kyverno admission controller replicas the eks stack accepts. Above one, a
   * PodDisruptionBudget keeps admission answering while nodes drain; with one, a Kyverno restart
   * blocks new Pods for a moment (admission fails closed).
   */
  readonly minAdmissionReplicas: number;
  /** Kyverno's admission controller Pods are spread over the availability zones. */
  readonly spreadAdmissionAcrossZones: boolean;
  /**
   * The verifier must be highly available: it runs at least {@link HIGHLY_AVAILABLE_VERIFIER_REPLICAS}
   * replicas, with a PodDisruptionBudget (whichever verifier backend is selected).
   */
  readonly highlyAvailableVerifier: boolean;
  /**
   * A manual approval between ApplicationSigning and ApplicationDeployment when the
   * signing-pipeline stack's `manualApproval` is not set.
   */
  readonly manualApprovalByDefault: boolean;
  /** Lowest severity that fails the Build stage's vulnerability gate. */
  readonly vulnerabilityThreshold: Severity;
  /** How long ApplicationDeployment waits for the rollout before rolling back, in seconds. */
  readonly rolloutTimeoutSeconds: number;
  /** Deletion protection of the EKS cluster when the eks stack's `deletionProtection` is not set. */
  readonly deletionProtectionByDefault: boolean;
  /**
   * Where the environment's images come from. `null`: it builds them from the app's one source
   * repository (Source, Build, build signature). An environment name: it never builds; it promotes
   * the exact digest that environment verified, with its referrers (signatures, SBOM), from that
   * environment's repository into its own, and checks the build signature before anything else.
   * Must name an earlier environment (promotion follows the list's order).
   */
  readonly promotesFrom: string | null;
  /**
   * The environment signs the promoted digest with its own `release` identity after its gate, and
   * its admission requires that release signature besides the build signature. Only where
   * {@link promotesFrom} is set: the build environment's gate is its build.
   */
  readonly releaseSignature: boolean;
}

/** Rollout timeouts, in seconds, that an environment and a rendered stage accept. */
export const ROLLOUT_TIMEOUT_SECONDS = { min: 10, max: 3600 } as const;

/**
 * Replicas the verifier runs at least where {@link EnvironmentTraits.highlyAvailableVerifier}: one
 * per availability zone of a three-zone VPC, so losing a zone or draining a node leaves two.
 */
export const HIGHLY_AVAILABLE_VERIFIER_REPLICAS = 3;

/** One environment: its name (the Pulumi stack name) and its traits. */
export interface EnvironmentDefinition {
  readonly name: string;
  readonly traits: EnvironmentTraits;
}

/**
 * The environments, in promotion order: an image is meant to pass each before the next. This list is
 * the only place an environment is declared; adding one is one entry here, a `Pulumi.<env>.yaml` per
 * stack and a re-render of the buildspecs (docs/architecture.md, "Adding an environment").
 */
export const ENVIRONMENT_DEFINITIONS = [
  {
    name: 'dev',
    traits: {
      admissionMayAudit: true,
      minAdmissionReplicas: 1,
      spreadAdmissionAcrossZones: false,
      highlyAvailableVerifier: false,
      manualApprovalByDefault: false,
      vulnerabilityThreshold: 'critical',
      rolloutTimeoutSeconds: 300,
      deletionProtectionByDefault: false,
      promotesFrom: null,
      releaseSignature: false,
    },
  },
  {
    name: 'staging',
    traits: {
      admissionMayAudit: false,
      minAdmissionReplicas: 3,
      spreadAdmissionAcrossZones: true,
      highlyAvailableVerifier: true,
      manualApprovalByDefault: false,
      vulnerabilityThreshold: 'high',
      rolloutTimeoutSeconds: 300,
      deletionProtectionByDefault: true,
      promotesFrom: 'dev',
      releaseSignature: true,
    },
  },
  {
    name: 'prod',
    traits: {
      admissionMayAudit: false,
      minAdmissionReplicas: 3,
      spreadAdmissionAcrossZones: true,
      highlyAvailableVerifier: true,
      manualApprovalByDefault: true,
      vulnerabilityThreshold: 'high',
      rolloutTimeoutSeconds: 600,
      deletionProtectionByDefault: true,
      promotesFrom: 'staging',
      releaseSignature: true,
    },
  },
] as const satisfies readonly EnvironmentDefinition[];

/** The name of a Signet environment; the Pulumi stack name is the environment. */
export type Environment = (typeof ENVIRONMENT_DEFINITIONS)[number]['name'];

/** Where the definitions live, named in the messages about them. */
const DEFINITIONS_FILE = 'packages/core/src/environments.ts';

/**
 * Environment names end up in physical names (`signet-<env>-vpc`), AWS Signer profile names
 * (`[a-zA-Z0-9_]`, at most 64 characters) and folder names, so they are short and plain.
 */
const NAME = {
  schema: z.string().regex(/^[a-z][a-z0-9]{1,9}$/),
  allowed: '2 to 10 lowercase letters or digits, starting with a letter',
};

/** How each trait is checked; keyed by the interface, so a new trait cannot go unchecked. */
const TRAIT_SPECS: { readonly [K in keyof EnvironmentTraits]-?: { schema: z.ZodType; allowed: string } } = {
  admissionMayAudit: { schema: z.boolean(), allowed: 'true or false' },
  minAdmissionReplicas: { schema: z.number().int().min(1).max(9), allowed: 'an integer from 1 to 9' },
  spreadAdmissionAcrossZones: { schema: z.boolean(), allowed: 'true or false' },
  highlyAvailableVerifier: { schema: z.boolean(), allowed: 'true or false' },
  manualApprovalByDefault: { schema: z.boolean(), allowed: 'true or false' },
  vulnerabilityThreshold: { schema: z.enum(SEVERITIES), allowed: `one of ${SEVERITIES.join(', ')}` },
  rolloutTimeoutSeconds: {
    schema: z.number().int().min(ROLLOUT_TIMEOUT_SECONDS.min).max(ROLLOUT_TIMEOUT_SECONDS.max),
    allowed: `a whole number of seconds from ${ROLLOUT_TIMEOUT_SECONDS.min} to ${ROLLOUT_TIMEOUT_SECONDS.max}`,
  },
  deletionProtectionByDefault: { schema: z.boolean(), allowed: 'true or false' },
  promotesFrom: {
    schema: z.string().nullable(),
    allowed: 'null (the environment builds) or the name of an earlier environment',
  },
  releaseSignature: { schema: z.boolean(), allowed: 'true or false' },
};

/**
 * Checks a list of environment definitions: a unique, plain name each, and every trait present
 * with an allowed value. The list below is checked when this module loads, so an entry that misses
 * a trait fails every program at start, typechecked or not.
 */
export function validateEnvironmentDefinitions(
  definitions: readonly unknown[],
  source: string = DEFINITIONS_FILE,
): void {
  const problems: InputProblem[] = [];
  if (definitions.length === 0) {
    problems.push({
      source,
      path: 'ENVIRONMENT_DEFINITIONS',
      value: [],
      allowed: 'at least one environment',
    });
  }
  const seen = new Set<unknown>();
  definitions.forEach((entry, i) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const at = `ENVIRONMENT_DEFINITIONS[${i}]`;
    if (!NAME.schema.safeParse(record['name']).success || seen.has(record['name'])) {
      problems.push({
        source,
        path: `${at}.name`,
        value: record['name'],
        allowed: `${NAME.allowed}, unique`,
      });
    }
    const traits = (
      typeof record['traits'] === 'object' && record['traits'] !== null ? record['traits'] : {}
    ) as Record<string, unknown>;
    for (const [trait, spec] of Object.entries(TRAIT_SPECS)) {
      const value = traits[trait];
      if (value === undefined)
        problems.push({ source, path: `${at}.traits.${trait}`, issue: 'missing', allowed: spec.allowed });
      else if (!spec.schema.safeParse(value).success)
        problems.push({ source, path: `${at}.traits.${trait}`, value, allowed: spec.allowed });
    }
    problems.push(...promotionProblems(source, at, traits, seen, record['name'], i));
    for (const trait of Object.keys(traits)) {
      if (!(trait in TRAIT_SPECS)) {
        problems.push({
          source,
          path: `${at}.traits.${trait}`,
          issue: 'unknown',
          allowed: `one of ${Object.keys(TRAIT_SPECS).join(', ')}`,
        });
      }
    }
  });
  if (problems.length > 0) throw new SignetInputError(problems);
}

/**
 * The promotion traits of one entry: the first environment builds; a later one promotes from an
 * environment listed before it (never from itself or a later one, so promotion has no cycle), and
 * only a promoting environment adds a release signature. `earlier` holds the names before the
 * entry; the entry's own name is added to it here.
 */
function promotionProblems(
  source: string,
  at: string,
  traits: Record<string, unknown>,
  earlier: Set<unknown>,
  name: unknown,
  index: number,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const from = traits['promotesFrom'];
  if (index === 0 && from !== null && from !== undefined) {
    problems.push({
      source,
      path: `${at}.traits.promotesFrom`,
      value: from,
      allowed: 'null: the first environment builds its images (there is nothing before it to promote from)',
    });
  } else if (typeof from === 'string' && !earlier.has(from)) {
    problems.push({
      source,
      path: `${at}.traits.promotesFrom`,
      value: from,
      allowed: `an environment listed before this one (${[...earlier].join(', ') || 'none'}), or null`,
    });
  }
  if (traits['releaseSignature'] === true && from === null) {
    problems.push({
      source,
      path: `${at}.traits.releaseSignature`,
      value: true,
      allowed: 'false where promotesFrom is null (a release signature follows a promotion)',
    });
  }
  earlier.add(name);
  return problems;
}

validateEnvironmentDefinitions(ENVIRONMENT_DEFINITIONS);

/** Every environment, in promotion order. */
export const ENVIRONMENTS = ENVIRONMENT_DEFINITIONS.map(
  (definition) => definition.name,
) as unknown as readonly [Environment, ...Environment[]];

const TRAITS = new Map<string, EnvironmentTraits>(ENVIRONMENT_DEFINITIONS.map((d) => [d.name, d.traits]));

/** True when `value` names a Signet environment. */
export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && TRAITS.has(value);
}

/** The traits of an environment. */
export function environmentTraits(environment: Environment): EnvironmentTraits {
  const traits = TRAITS.get(environment);
  if (traits === undefined) {
    throw new SignetInputError({ path: 'environment', value: environment, allowed: ENVIRONMENTS.join(', ') });
  }
  return traits;
}

/** The environments, in promotion order, whose traits satisfy `test`. */
export function environmentsWhere(test: (traits: EnvironmentTraits) => boolean): Environment[] {
  return ENVIRONMENTS.filter((environment) => test(environmentTraits(environment)));
}

/** True where the environment builds its images from source (it promotes from nowhere). */
export function buildsImages(traits: EnvironmentTraits): boolean {
  return traits.promotesFrom === null;
}

/** The environment `environment` promotes its images from, or undefined where it builds them. */
export function promotionSource(environment: Environment): Environment | undefined {
  const from = environmentTraits(environment).promotesFrom;
  return from === null ? undefined : (from as Environment);
}

/**
 * The environment that built the images `environment` runs: itself where it builds, otherwise the
 * end of its promotion chain. Its pipeline identity made the build signature every later
 * environment verifies.
 */
export function buildEnvironmentOf(environment: Environment): Environment {
  let current = environment;
  for (let from = promotionSource(current); from !== undefined; from = promotionSource(current))
    current = from;
  return current;
}

/** The environments that promote from `environment`, in order. */
export function promotionTargets(environment: Environment): Environment[] {
  return environmentsWhere((traits) => traits.promotesFrom === environment);
}

/** Names environments in prose: `dev`, `staging and prod`, `dev, staging and prod`, `no environment`. */
export function listEnvironments(environments: readonly string[]): string {
  if (environments.length === 0) return 'no environment';
  if (environments.length === 1) return environments[0] as string;
  return `${environments.slice(0, -1).join(', ')} and ${environments[environments.length - 1]}`;
}

/**
 * One trait across the environments, for descriptions and messages: `1 in dev, 3 in staging and
 * prod`. Environments with equal values are grouped, in promotion order of their first member.
 */
export function describeTrait<T>(
  pick: (traits: EnvironmentTraits) => T,
  show: (value: T) => string = String,
): string {
  const groups = new Map<string, Environment[]>();
  for (const environment of ENVIRONMENTS) {
    const shown = show(pick(environmentTraits(environment)));
    groups.set(shown, [...(groups.get(shown) ?? []), environment]);
  }
  return [...groups]
    .map(([shown, environments]) => `${shown} in ${listEnvironments(environments)}`)
    .join(', ');
}
