import { createHash } from 'node:crypto';

/** Where a placeholder lives: what AWS would fill in from the caller's account and region. */
export interface PlaceholderContext {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** A stable hex digest of the given parts: the same inputs give the same placeholder on every run. */
export function stableHex(length: number, ...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

/** A stable UUID-shaped placeholder (KMS key ids, cluster ids). */
export function stableUuid(...parts: readonly string[]): string {
  const h = stableHex(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The AWS partition of a region: GovCloud and China regions live in their own partitions, which
 * changes every ARN (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
 */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The DNS suffix of a partition's service endpoints. */
export function dnsSuffixOf(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass `region: ''` for global services. */
export function arn(ctx: PlaceholderContext, service: string, resource: string, region = ctx.region): string {
  return `arn:${ctx.partition}:${service}:${region}:${ctx.accountId}:${resource}`;
}
