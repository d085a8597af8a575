import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../test/harness.js';
import { planningGraph, transitiveDependencies } from './graph.js';
import { discoverStacks, orderStacks, withUpstreams } from './workspace.js';

const stacks = discoverStacks(WORKSPACE_ROOT);
const graphOf = (env: string, only?: string) =>
  planningGraph(
    stacks,
    env,
    orderStacks(stacks).filter((s) => only === undefined || withUpstreams(stacks, only).has(s.name)),
  );

// The real stacks: which processes one plan runs, and what each waits for.
describe('the planning graph of the real stacks', () => {
  it('plans dev alone: dev builds its images and reads no other environment', () => {
    expect([...graphOf('dev').keys()]).toEqual(orderStacks(stacks).map((s) => `dev/${s.name}`));
  });

  it("plans prod with staging's repositories and dev's signing profiles, before the stacks that read them", () => {
    const graph = graphOf('prod');
    expect([...graph.keys()]).toEqual([
      'prod/ecr',
      'prod/networking',
      'prod/signer',
      'staging/ecr',
      'dev/signer',
      'prod/eks',
      'prod/signing-pipeline',
    ]);
    expect(graph.get('prod/eks')?.dependsOn).toEqual([
      'prod/ecr',
      'prod/networking',
      'prod/signer',
      'staging/ecr',
      'dev/signer',
    ]);
    expect(graph.get('prod/networking')?.dependsOn).toEqual([]);
    const pipeline = graph.get('prod/signing-pipeline');
    expect(pipeline && [...transitiveDependencies(graph, pipeline)]).toEqual([
      'prod/ecr',
      'prod/networking',
      'prod/signer',
      'staging/ecr',
      'dev/signer',
      'prod/eks',
    ]);
  });

  it('plans staging with dev as both the source and the building environment', () => {
    expect(graphOf('staging').get('staging/eks')?.dependsOn).toEqual([
      'staging/ecr',
      'staging/networking',
      'staging/signer',
      'dev/ecr',
      'dev/signer',
    ]);
  });

  it('plans nothing of another environment for a stack that reads none', () => {
    expect([...graphOf('prod', 'networking').keys()]).toEqual(['prod/networking']);
    expect([...graphOf('prod', 'signer').keys()]).toEqual(['prod/signer']);
  });
});
