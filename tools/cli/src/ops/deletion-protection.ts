import type { Environment } from '@signet/platform';
import { eksConfig } from '@signet/stack-eks/config';
import { EKS } from './effect.js';
import { readStackConfig } from './stack-config.js';

/** The eks stack's key that keeps the cluster from being deleted. */
const DELETION_PROTECTION_KEY = `${eksConfig.project}:${'deletionProtection' satisfies keyof typeof eksConfig.keys}`;

/**
 * What the cluster's deletion protection asks of a decommission, as the eks stack itself resolves it
 * (its own loader: an unset key takes the environment's default). With protection on, the eks
 * stack's destroy deletes Kyverno, the verifier and the node group and then fails at the cluster, so
 * the protection is turned off first, through the stack's config and an `up` (never behind the
 * stack's back, which the next `up` would undo).
 */
export function deletionProtectionStep(root: string, environment: Environment): string {
  const read = readStackConfig(root, environment, EKS);
  if (read === undefined) return `the eks stack has no Pulumi.${environment}.yaml: no cluster, nothing to do`;
  if (!read.config.values.deletionProtection) {
    return `off in ${read.file} (${DELETION_PROTECTION_KEY}): nothing to do`;
  }
  return [
    `on for ${environment} (${read.file}, ${DELETION_PROTECTION_KEY}); before destroying the stacks, turn it off:`,
    `     set \`${DELETION_PROTECTION_KEY}: false\` in ${read.file}, commit it, then`,
    `     pnpm nx run stack-eks:preview --configuration=${environment}   (shows only deletionProtection changing)`,
    `     pnpm nx run stack-eks:up --configuration=${environment}`,
    `   this command never does it: without it the eks stack's destroy removes Kyverno and the node group, then fails at the cluster`,
  ].join('\n');
}
