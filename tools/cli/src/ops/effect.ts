import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '@signet/platform';
import { parse } from 'yaml';

/** The eks stack's config key holding the verifier's settings, among them `cacheTtlSeconds`. */
const VERIFIER_KEY = 'signet-eks:verifier';

/** Per environment, the verifier cache TTL configured in `stacks/eks/Pulumi.<env>.yaml`, when readable. */
export function verifierCacheTtls(root: string | undefined): { environment: string; seconds: number }[] {
  if (root === undefined) return [];
  return ENVIRONMENTS.flatMap((environment) => {
    const file = join(root, 'stacks', 'eks', `Pulumi.${environment}.yaml`);
    if (!existsSync(file)) return [];
    try {
      const doc = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> } | null;
      const seconds = (doc?.config?.[VERIFIER_KEY] as { cacheTtlSeconds?: unknown } | undefined)
        ?.cacheTtlSeconds;
      return typeof seconds === 'number' ? [{ environment, seconds }] : [];
    } catch {
      // An unreadable stack config only loses the figure; the explanation still stands.
      return [];
    }
  });
}

/** How a revocation reaches the pipeline and the cluster, with the configured cache TTLs. */
export function revocationEffect(root: string | undefined): string {
  const ttls = verifierCacheTtls(root);
  const ttlText =
    ttls.length === 0
      ? 'the verifier cache TTL (see docs/eks.md)'
      : `the verifier cache TTL (${ttls.map((t) => `${t.environment} ${t.seconds}s`).join(', ')}; \`${VERIFIER_KEY}\` in stacks/eks/Pulumi.<env>.yaml)`;
  return [
    'Effect:',
    '  - pipeline: `notation verify` runs at level strict, so the ApplicationSigning verification rejects it from the next run;',
    `  - admission: the cluster's verifier caches verified images, so an image verified before may still be admitted for up to ${ttlText};`,
    '  - running pods are never re-checked: restart the verifier (`kubectl -n kyverno-notation-aws rollout restart deployment`) to empty its cache, then roll the affected workloads.',
    '',
  ].join('\n');
}
