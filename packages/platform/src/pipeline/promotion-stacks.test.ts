import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackReferenceName } from '../contracts.js';
import { buildsImages, ENVIRONMENTS, environmentTraits } from '../environment.js';
import { createMockRuntime } from '../testing/index.js';
import { readPromotionUpstreams } from './promotion.js';
import { promotionUpstreamStacks } from './promotion-stacks.js';

const referenced: string[] = [];

beforeAll(async () => {
  const runtime = createMockRuntime({
    region: 'eu-west-1',
    stackReferences: (name: string) => {
      referenced.push(name);
      return { repositories: {}, kmsKeyArn: 'k', profiles: {}, trustedIdentities: [] };
    },
  });
  await pulumi.runtime.setMocks(runtime.mocks, 'signet-test', 'prod', false);
});

const resolved = (output: pulumi.Output<unknown>) => new Promise((done) => output.apply(done));

// `signet plan` plans these stacks before a stack of the environment runs: they must be exactly
// what readPromotionUpstreams references.
describe('promotionUpstreamStacks', () => {
  it.each(ENVIRONMENTS)('names the stacks readPromotionUpstreams references in %s', async (environment) => {
    referenced.length = 0;
    const upstreams = readPromotionUpstreams({ org: 'o', environment });
    const stacks = promotionUpstreamStacks(environment);
    expect(upstreams === undefined).toBe(buildsImages(environmentTraits(environment)));
    expect(stacks === undefined).toBe(upstreams === undefined);
    if (upstreams === undefined || stacks === undefined) return;
    await Promise.all([resolved(upstreams.sourceRepositories), resolved(upstreams.buildProfiles)]);
    expect(referenced.sort()).toEqual(
      Object.values(stacks)
        .map((s) => stackReferenceName('o', s.stack, s.environment))
        .sort(),
    );
  });

  it("names prod's: staging's repositories and dev's signing profiles", () => {
    expect(promotionUpstreamStacks('prod')).toEqual({
      sourceRepositories: { stack: 'ecr', environment: 'staging' },
      buildProfiles: { stack: 'signer', environment: 'dev' },
    });
  });
});
