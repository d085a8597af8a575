import type { PlaceholderContext } from './placeholders.js';
import { dnsSuffixOf } from './placeholders.js';

/** Answers one provider function (invoke) from the inputs it received. */
export type InvokeHandler = (
  inputs: Record<string, unknown>,
  ctx: PlaceholderContext,
) => Record<string, unknown>;

/**
 * The only AWS data sources a stack may read under the mock runtime: each is answered from the
 * environment's region and account, nothing else. Any other invoke fails, so a stack cannot come to
 * depend on a lookup the plan would silently fake.
 */
export const builtinInvokes: Readonly<Record<string, InvokeHandler>> = {
  'aws:index/getCallerIdentity:getCallerIdentity': (_inputs, ctx) => ({
    id: ctx.accountId,
    accountId: ctx.accountId,
    arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role/signet-plan`,
    userId: 'AROAPLACEHOLDER:signet-plan',
  }),
  'aws:index/getPartition:getPartition': (_inputs, ctx) => ({
    id: ctx.partition,
    partition: ctx.partition,
    dnsSuffix: dnsSuffixOf(ctx.partition),
    reverseDnsPrefix: ctx.partition === 'aws-cn' ? 'cn.com.amazonaws' : 'com.amazonaws',
  }),
  'aws:index/getRegion:getRegion': (_inputs, ctx) => ({
    id: ctx.region,
    name: ctx.region,
    region: ctx.region,
    description: ctx.region,
    endpoint: `ec2.${ctx.region}.${dnsSuffixOf(ctx.partition)}`,
  }),
  'aws:index/getAvailabilityZones:getAvailabilityZones': (_inputs, ctx) => {
    const letters = ['a', 'b', 'c'];
    return {
      id: ctx.region,
      names: letters.map((l) => `${ctx.region}${l}`),
      zoneIds: letters.map((_l, i) => `${zoneIdPrefix(ctx.region)}-az${i + 1}`),
      groupNames: letters.map(() => ctx.region),
      state: 'available',
    };
  },
};

/** `us-east-1` -> `use1`, the shape of real zone ids (`use1-az1`). */
function zoneIdPrefix(region: string): string {
  const [area = '', direction = '', number = ''] = region.split('-').slice(-3);
  const dir = direction
    .replace('north', 'n')
    .replace('south', 's')
    .replace('east', 'e')
    .replace('west', 'w')
    .replace('central', 'c');
  return `${area}${dir}${number}`;
}
