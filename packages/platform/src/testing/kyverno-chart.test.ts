import { describe, expect, it } from 'vitest';
import { plannedKyvernoValues } from './kyverno-chart.js';
import type { PlannedResource } from './run-stack-program.js';

const release = (inputs: Record<string, unknown>): PlannedResource =>
  ({ type: 'kubernetes:helm.sh/v3:Release', name: 'kyverno-release', inputs }) as unknown as PlannedResource;

describe('plannedKyvernoValues', () => {
  it("reads the Kyverno release's values, as JSON text or as an object", () => {
    const values = { admissionController: { replicas: 3 } };
    expect(plannedKyvernoValues([release({ values: JSON.stringify(values) })])).toEqual(values);
    expect(plannedKyvernoValues([release({ values })])).toEqual(values);
  });

  it('names the resource it looked for when the plan has none', () => {
    expect(() => plannedKyvernoValues([])).toThrow(
      'the eks plan has no kubernetes:helm.sh/v3:Release kyverno-release',
    );
  });
});
