/** Severities the vulnerability gate can fail on (grype's `--fail-on` values), lowest first. */
export const Severity = {
  Negligible: 'negligible',
  Low: 'low',
  Medium: 'medium',
  High: 'high',
  Critical: 'critical',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Every {@link Severity}, lowest first. */
export const SEVERITIES: readonly Severity[] = Object.values(Severity);
