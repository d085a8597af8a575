import { basename, dirname, join } from 'node:path';
import { ENVIRONMENTS, VERIFIER_NAMESPACE, type Environment } from '@signet/platform';
import { eksConfig, loadEksConfig, type EksConfig } from '@signet/stack-eks/config';
import { CliError } from '../io.js';
import { readStackConfig, stackConfigFile, type StackConfigOwner } from './stack-config.js';

/** The eks stack's configuration, loaded with the eks stack's own rules. */
export const EKS: StackConfigOwner<EksConfig> = { project: eksConfig.project, load: loadEksConfig };

/** The eks stack's config key holding the verifier's settings, among them `cacheTtlSeconds`. */
const VERIFIER_KEY = `${eksConfig.project}:${'verifier' satisfies keyof typeof eksConfig.keys}`;

/** The verifier cache TTL one environment's eks config sets, or `undefined` when that file is invalid. */
export interface VerifierCacheTtl {
  readonly environment: Environment;
  /** The eks stack's `Pulumi.<env>.yaml`, relative to the workspace root. */
  readonly file: string;
  readonly seconds: number | undefined;
}

/**
 * Per environment the eks stack is configured for, the verifier cache TTL of its
 * `Pulumi.<env>.yaml`, read through the eks stack's own config loader.
 */
export function verifierCacheTtls(root: string | undefined): VerifierCacheTtl[] {
  if (root === undefined) return [];
  return ENVIRONMENTS.flatMap((environment): VerifierCacheTtl[] => {
    const file = stackConfigFile(root, environment, EKS.project);
    if (file === undefined) return [];
    try {
      const seconds = readStackConfig(root, environment, EKS)?.config.values.verifier.cacheTtlSeconds;
      return [{ environment, file, seconds }];
    } catch (error) {
      // Only the figure is lost: the revocation is done (or shown) and its explanation still stands.
      if (error instanceof CliError) return [{ environment, file, seconds: undefined }];
      throw error;
    }
  });
}

function ttlText(ttls: readonly VerifierCacheTtl[]): string {
  const [first] = ttls;
  if (first === undefined) return 'the verifier cache TTL (see docs/eks.md)';
  const figures = ttls.map((t) =>
    t.seconds === undefined
      ? `${t.environment} unknown: ${t.file} does not validate, \`signet plan --env ${t.environment} --stack ${basename(dirname(t.file))}\` says why`
      : `${t.environment} ${t.seconds}s`,
  );
  const files = join(dirname(first.file), 'Pulumi.<env>.yaml');
  return `the verifier cache TTL (${figures.join(', ')}; \`${VERIFIER_KEY}\` in ${files})`;
}

/** How a revocation reaches the pipeline and the cluster, with the configured cache TTLs. */
export function revocationEffect(root: string | undefined): string {
  return [
    'Effect:',
    '  - pipeline: `notation verify` runs at level strict, so the ApplicationSigning verification rejects it from the next run;',
    `  - admission: the cluster's verifier caches verified images, so an image verified before may still be admitted for up to ${ttlText(verifierCacheTtls(root))};`,
    `  - running pods are never re-checked: restart the verifier (\`kubectl -n ${VERIFIER_NAMESPACE} rollout restart deployment\`) to empty its cache, then roll the affected workloads.`,
    '',
  ].join('\n');
}
