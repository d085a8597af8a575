import { describe, expect, it } from 'vitest';
import { kyvernoConfigMap } from './kyverno.js';
import { replaceString, type DrillPlan } from './plan.js';

const values = (excludeKyvernoNamespace: boolean): DrillPlan =>
  ({
    kyvernoNamespace: 'kyverno',
    kyvernoValues: {
      config: {
        excludeKyvernoNamespace,
        resourceFiltersIncludeNamespaces: ['kyverno-notation-aws'],
        webhooks: {
          namespaceSelector: {
            matchExpressions: [
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
            ],
          },
        },
      },
    },
  }) as unknown as DrillPlan;

describe("Kyverno's ConfigMap from the stack's chart values", () => {
  it("appends Kyverno's own namespace to the webhooks' selector and filters, as the chart does", () => {
    const data = kyvernoConfigMap(values(true))['data'] as Record<string, string>;
    expect(JSON.parse(data['webhooks'] ?? '')).toEqual({
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kyverno'] },
        ],
      },
    });
    expect(data['resourceFilters']).toBe('[*/*,kyverno,*][*/*,kyverno-notation-aws,*]');
  });

  it('leaves them as given when Kyverno does not exclude its namespace', () => {
    const data = kyvernoConfigMap(values(false))['data'] as Record<string, string>;
    expect(JSON.parse(data['webhooks'] ?? '').namespaceSelector.matchExpressions).toHaveLength(1);
    expect(data['resourceFilters']).toBe('[*/*,kyverno-notation-aws,*]');
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
