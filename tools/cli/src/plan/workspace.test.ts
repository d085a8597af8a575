import { describe, expect, it } from 'vitest';
import { fixtureWorkspace } from '../test/harness.js';
import type { WorkspaceStack } from './workspace.js';
import { destroyOrder, discoverStacks, orderStacks, stackProjectName, withUpstreams } from './workspace.js';

const stack = (name: string, dependsOn: string[] = []): WorkspaceStack => ({
  name,
  project: `signet-${name}`,
  dir: `/ws/stacks/${name}`,
  dependsOn,
  environments: ['dev'],
});

describe('discoverStacks', () => {
  it('finds stacks with a Pulumi.yaml, their project, environments and stack-* dependencies only', () => {
    const stacks = discoverStacks(fixtureWorkspace('good'));
    expect(stacks.map((s) => [s.name, s.project, s.dependsOn, s.environments])).toEqual([
      ['alpha', 'signet-alpha', [], ['dev']],
      ['beta', 'signet-beta', ['alpha'], ['dev']],
      ['gamma', 'signet-gamma', [], ['dev', 'staging']],
    ]);
  });
});

describe('orderStacks', () => {
  it('puts every stack after the stacks it reads from', () => {
    const order = orderStacks([
      stack('eks', ['networking', 'ecr', 'signer']),
      stack('ecr'),
      stack('networking'),
      stack('signer'),
      stack('signing-pipeline', ['eks', 'ecr', 'signer']),
    ]).map((s) => s.name);
    expect(order.indexOf('eks')).toBeGreaterThan(order.indexOf('networking'));
    expect(order.indexOf('eks')).toBeGreaterThan(order.indexOf('signer'));
    expect(order.indexOf('signing-pipeline')).toBeGreaterThan(order.indexOf('eks'));
    expect(order).toHaveLength(5);
  });

  it('ignores dependencies on stacks that do not exist yet', () => {
    expect(orderStacks([stack('signing-pipeline', ['eks']), stack('ecr')]).map((s) => s.name)).toEqual([
      'signing-pipeline',
      'ecr',
    ]);
  });

  it('refuses a dependency cycle, naming it', () => {
    expect(() => orderStacks([stack('a', ['b']), stack('b', ['a'])])).toThrow(
      'stack dependency cycle: a -> b -> a',
    );
  });
});

describe('withUpstreams', () => {
  it('selects the stack and its transitive upstreams only', () => {
    const stacks = [stack('a'), stack('b', ['a']), stack('c', ['b']), stack('d')];
    expect([...withUpstreams(stacks, 'c')].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('destroyOrder', () => {
  it('is the plan order reversed: every stack before the stacks it reads from', () => {
    const stacks = [stack('eks', ['networking', 'signer']), stack('networking'), stack('signer')];
    expect(destroyOrder(stacks).map((s) => s.name)).toEqual(['eks', 'signer', 'networking']);
    expect(destroyOrder(stacks)).toEqual(orderStacks(stacks).reverse());
  });

  it('refuses a dependency cycle as the plan does', () => {
    expect(() => destroyOrder([stack('a', ['b']), stack('b', ['a'])])).toThrow(
      'stack dependency cycle: a -> b -> a',
    );
  });
});

describe('stackProjectName', () => {
  it('is the name nx.implicitDependencies use for the stack, which discoverStacks reads back', () => {
    expect(stackProjectName('alpha')).toBe('stack-alpha');
    const beta = discoverStacks(fixtureWorkspace('good')).find((s) => s.name === 'beta');
    expect(beta?.dependsOn.map(stackProjectName)).toEqual(['stack-alpha']);
  });
});
