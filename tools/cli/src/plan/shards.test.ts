import { describe, expect, it } from 'vitest';
import { appShares, mergeSharePlans, type SharePlan } from './shards.js';

const apps = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `app-${String(i + 1).padStart(2, '0')}`);

describe('appShares', () => {
  it('keeps a stack of at most one share in one process', () => {
    expect(appShares(apps(16), 16)).toEqual([apps(16)]);
    expect(appShares([], 16)).toEqual([[]]);
  });

  it('divides the apps in consecutive shares, as even as the count allows', () => {
    const shares = appShares(apps(50), 16);
    expect(shares.map((s) => s.length)).toEqual([13, 13, 12, 12]);
    expect(shares.flat()).toEqual(apps(50));
    expect(appShares(apps(17), 16).map((s) => s.length)).toEqual([9, 8]);
    expect(appShares(apps(3), 1)).toEqual([['app-01'], ['app-02'], ['app-03']]);
  });
});

const resource = (type: string, name: string, inputs: Record<string, unknown> = {}) => ({
  type,
  name,
  inputs,
});

function share(names: string[], extra: Record<string, unknown> = {}): SharePlan {
  return {
    apps: names,
    resources: [
      resource('aws:sns/topic:Topic', 'notifications', { name: 'signet-dev-pipeline-notifications' }),
      ...names.map((n) => resource('aws:codepipeline/pipeline:Pipeline', n, { name: `signet-dev-${n}` })),
    ],
    outputs: {
      topic: 'arn:topic',
      pipelineNames: Object.fromEntries(names.map((n) => [n, `signet-dev-${n}`])),
      ...extra,
    },
    rawOutputs: {
      topic: 'arn:topic',
      pipelineNames: Object.fromEntries(names.map((n) => [n, `signet-dev-${n}`])),
    },
  };
}

describe('mergeSharePlans', () => {
  it('takes every shared resource once, then each share’s own, and unites maps by app', () => {
    const merged = mergeSharePlans('signing-pipeline', [share(['a', 'b']), share(['c'])]);
    expect(merged.resources.map((r) => r.name)).toEqual(['notifications', 'a', 'b', 'c']);
    expect(merged.outputs).toEqual({
      topic: 'arn:topic',
      pipelineNames: { a: 'signet-dev-a', b: 'signet-dev-b', c: 'signet-dev-c' },
    });
    expect(merged.rawOutputs).toEqual(merged.outputs);
  });

  it('refuses a shared resource planned with other inputs by another share', () => {
    const second = share(['c']);
    const changed = {
      ...second,
      resources: [
        resource('aws:sns/topic:Topic', 'notifications', { name: 'other' }),
        ...second.resources.slice(1),
      ],
    };
    expect(() => mergeSharePlans('signing-pipeline', [share(['a', 'b']), changed])).toThrow(
      'stack signing-pipeline: aws:sns/topic:Topic "notifications" is planned with other inputs by the process of app c than by the process of apps a to b; a stack planned by app (stacks/signing-pipeline/package.json signet.appsPerPlanProcess) may share',
    );
  });

  it('refuses a resource two later shares plan that the first does not', () => {
    const withExtra = (s: SharePlan): SharePlan => ({
      ...s,
      resources: [...s.resources, resource('aws:iam/role:Role', 'reader', { count: s.apps.length })],
    });
    expect(() =>
      mergeSharePlans('x', [share(['a']), withExtra(share(['b'])), withExtra(share(['c']))]),
    ).toThrow(
      'aws:iam/role:Role "reader" is planned by the processes of app b and of app c, not by the first',
    );
  });

  it('refuses an output that differs between shares and is not a map', () => {
    expect(() => mergeSharePlans('x', [share(['a'], { count: 1 }), share(['b'], { count: 2 })])).toThrow(
      'output "count" differs between the processes of app a and app b, and is not a map',
    );
  });

  it('refuses two values of one map entry, and an output only some shares export', () => {
    const clash = (s: SharePlan): SharePlan => ({
      ...s,
      outputs: { ...s.outputs, byApp: { shared: s.apps[0] } },
    });
    expect(() => mergeSharePlans('x', [clash(share(['a'])), clash(share(['b']))])).toThrow(
      'output "byApp" has two values for "shared" (one of them from the process of app b)',
    );
    expect(() => mergeSharePlans('x', [share(['a'], { only: 1 }), share(['b'])])).toThrow(
      'output "only" is exported by 1 of its 2 plan processes',
    );
  });
});
