/** The environments every Signet stack is deployed to; the Pulumi stack name is the environment. */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** One of {@link ENVIRONMENTS}. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** True when `value` names a Signet environment. */
export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}
