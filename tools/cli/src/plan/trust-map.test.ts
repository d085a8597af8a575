import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../test/harness.js';
import { toPlanDocument, type PlanDocument } from './document.js';
import { planEnvironment } from './planner.js';
import { buildTrustMap } from './trust-map.js';
import { formatMarkdown, regenerateCommand, renderTrustMap } from './trust-map-render.js';

// The trust map of the committed prod config, planned once; the changes under review are made to
// a copy of that plan, as the head of a pull request would plan it.
const ENV = 'prod';
const EXAMPLE = 'docs/trust-map.md';
const SLOW = { timeout: 900_000 };

let base: PlanDocument;
const render = (plan: PlanDocument): string =>
  renderTrustMap(buildTrustMap(plan), regenerateCommand(ENV, EXAMPLE));

/** A deep copy of the plan with `edit` applied to the inputs of every resource it returns true for. */
function changed(
  plan: PlanDocument,
  edit: (r: PlanDocument['stacks'][number]['resources'][number]) => boolean,
) {
  const copy = structuredClone(plan);
  const edited = copy.stacks.flatMap((s) => s.resources).filter(edit);
  expect(edited.length, 'the change touches at least one resource').toBeGreaterThan(0);
  return copy;
}

beforeAll(async () => {
  base = toPlanDocument(await planEnvironment({ root: WORKSPACE_ROOT, env: ENV }));
}, 900_000);

describe(`the trust map of ${ENV}`, () => {
  it(`is what ${EXAMPLE} holds`, SLOW, async () => {
    const file = join(WORKSPACE_ROOT, EXAMPLE);
    const committed = readFileSync(file, 'utf8');
    const current = await formatMarkdown(render(base), file);
    expect(current, `${EXAMPLE} is out of date; regenerate it with: ${regenerateCommand(ENV, EXAMPLE)}`).toBe(
      committed,
    );
  });

  it('names, per signing profile, the stage role that may sign with it and the repository it pushes to', () => {
    const map = buildTrustMap(base);
    const pipelineProfiles = map.identities.filter((i) => i.signers.length > 0);
    expect(pipelineProfiles.length).toBeGreaterThan(0);
    for (const identity of pipelineProfiles) {
      for (const signer of identity.signers) {
        // Prod signs only after its gate: the release signature in ReleaseSigning.
        expect(signer.stages.map((s) => s.stage)).toContain('ReleaseSigning');
        expect(signer.repositories.length).toBeGreaterThan(0);
      }
      expect(identity.trustedBy.length).toBeGreaterThan(0);
    }
    // Every namespace of an app verifies under a strict trust policy, and admission fails closed.
    expect(map.webhookFailurePolicy).toBe('Fail');
    for (const ns of map.namespaces) {
      expect(ns.failureAction).toBe('Enforce');
      for (const name of ns.trustPolicies) {
        expect(map.trustPolicies.find((p) => p.name === name)?.level).toBe('strict');
      }
    }
    expect(map.revocation.map((r) => r.when).join('\n')).toMatch(/at most \d+ s after the revocation/);
  });

  it('shows an IAM widening: a stage role allowed every signing profile signs with all of them', () => {
    const signingRole = (r: { type: string; inputs: Record<string, unknown> }) =>
      r.type === 'aws:iam/rolePolicy:RolePolicy' && String(r.inputs['policy']).includes('signer:SignPayload');
    const head = changed(base, (r) => {
      if (!signingRole(r)) return false;
      const policy = JSON.parse(String(r.inputs['policy'])) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
      for (const s of policy.Statement.filter((st) => st.Action.includes('signer:SignPayload'))) {
        s.Resource = s.Resource.map((arn) => arn.replace(/signing-profiles\/.*$/, 'signing-profiles/*'));
      }
      r.inputs['policy'] = JSON.stringify(policy);
      return true;
    });
    const before = buildTrustMap(base);
    const after = buildTrustMap(head);
    const unsignedBefore = before.identities.filter((i) => i.signers.length === 0);
    expect(unsignedBefore.length, 'prod has an identity no pipeline may sign with').toBeGreaterThan(0);
    for (const identity of unsignedBefore) {
      expect(after.identities.find((i) => i.profile === identity.profile)?.signers.length).toBeGreaterThan(0);
    }
    expect(render(head)).not.toBe(render(base));
    expect(render(head)).toContain('/signing-profiles/*');
  });

  it('does not change when only tags change', () => {
    const head = changed(base, (r) => {
      if (r.inputs['tags'] === undefined) return false;
      r.inputs['tags'] = { ...(r.inputs['tags'] as object), Owner: 'another-team' };
      return true;
    });
    expect(render(head)).toBe(render(base));
  });
});
