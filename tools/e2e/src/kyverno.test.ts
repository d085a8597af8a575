import { describe, expect, it } from 'vitest';
import type { Manifest } from './kube.js';
import { chartArg, kyvernoRbac } from './kyverno.js';
import { replaceString } from './plan.js';

const clusterRole = (name: string, labels: Record<string, string>, rules: unknown[]): Manifest => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
});
const get = (resource: string) => ({ apiGroups: [''], resources: [resource], verbs: ['get'] });

describe("Kyverno's RBAC from its chart", () => {
  const aggregated: Manifest = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'kyverno:admission-controller', labels: { component: 'admission' } },
    aggregationRule: {
      clusterRoleSelectors: [
        { matchLabels: { 'rbac.kyverno.io/aggregate-to-admission-controller': 'true' } },
        { matchLabels: { component: 'admission' } },
      ],
    },
  };
  const chart: Manifest[] = [
    aggregated,
    clusterRole('kyverno:admission-controller:core', { component: 'admission' }, [get('secrets')]),
    clusterRole('extra', { 'rbac.kyverno.io/aggregate-to-admission-controller': 'true' }, [
      get('configmaps'),
      get('secrets'),
    ]),
    clusterRole('kyverno:background-controller', { component: 'background' }, [get('pods')]),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kyverno', namespace: 'kyverno' } },
  ];

  it('gives an aggregated ClusterRole the rules of the roles it selects, once each, and nothing else', () => {
    const rbac = kyvernoRbac(chart);
    expect(rbac.map((m) => m.kind)).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRole']);
    expect(rbac[0]?.['rules']).toEqual([get('secrets'), get('configmaps')]);
    expect(rbac.slice(1)).toEqual(chart.slice(1, 4));
  });

  it('refuses a selector by expressions, which it would not evaluate', () => {
    const byExpression = {
      ...aggregated,
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] },
    };
    expect(() => kyvernoRbac([byExpression])).toThrow(
      'ClusterRole kyverno:admission-controller: aggregationRule selector with matchExpressions',
    );
  });
});

describe('replaceString', () => {
  it('replaces every occurrence of the verifier URL and nothing else', () => {
    const url = 'https://v.ns.svc:443/checkimages';
    const policy = { a: [{ url }, { url, other: 'https://v.ns.svc:444/x' }] };
    expect(replaceString(policy, url, 'https://127.0.0.1:1/checkimages')).toEqual({
      a: [
        { url: 'https://127.0.0.1:1/checkimages' },
        { url: 'https://127.0.0.1:1/checkimages', other: 'https://v.ns.svc:444/x' },
      ],
    });
  });
});

describe("the admission controller's arguments, as the chart renders them", () => {
  const chart = (args: string[]): Manifest[] => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kyverno-admission-controller', namespace: 'kyverno' },
      spec: { template: { spec: { containers: [{ name: 'kyverno', args }] } } },
    },
  ];

  it('takes the one argument of the flag', () => {
    expect(chartArg(chart(['--a=1', '--enablePolicyException=false']), 'enablePolicyException')).toBe(
      '--enablePolicyException=false',
    );
  });

  it('refuses a flag the chart does not pass, or passes twice', () => {
    expect(() => chartArg(chart([]), 'enablePolicyException')).toThrow(
      "the chart's Deployment kyverno-admission-controller (container kyverno) has 0 arguments --enablePolicyException=…",
    );
    expect(() => chartArg(chart(['--x=1', '--x=2']), 'x')).toThrow('has 2 arguments --x=…');
  });
});
