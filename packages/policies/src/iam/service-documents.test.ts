import { describe, expect, it } from 'vitest';
import { ACCOUNT } from '../test/fixtures.js';
import { SERVICE_RESOURCE_DOCUMENTS, SERVICE_TRUST_DOCUMENTS } from '../test/service-documents.js';
import { IAM_POLICY_VERSION } from './document.js';

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/**
 * Service trust policies that carry no confused-deputy condition, and why. The only exception to
 * "a service assumes the role for one resource of this account".
 */
const UNCONDITIONED_SERVICE_TRUST: Readonly<Record<string, string>> = {
  buildEksNodeRoleTrustPolicy:
    'EC2 assumes the node role for whichever instance carries its instance profile; there is no one resource to name, and only iam:PassRole in this account attaches it',
};

describe('service role trust policies', () => {
  for (const [builder, variants] of Object.entries(SERVICE_TRUST_DOCUMENTS)) {
    it.each(variants.map((doc, i) => [i, doc] as const))(
      `${builder} variant %i trusts one service principal, for a resource of this account`,
      (_i, doc) => {
        expect(doc.Version).toBe(IAM_POLICY_VERSION);
        expect(doc.Statement).toHaveLength(1);
        for (const s of doc.Statement) {
          expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
          expect(Object.keys(s.Principal)).toEqual(['Service']);
          expect(s.Principal.Service).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/);
          const actions = asList(s.Action);
          expect(actions).toContain('sts:AssumeRole');
          for (const action of actions) expect(['sts:AssumeRole', 'sts:TagSession']).toContain(action);
          if (builder in UNCONDITIONED_SERVICE_TRUST) {
            expect(s.Condition, builder).toBeUndefined();
            continue;
          }
          expect(Object.keys(s.Condition ?? {}).sort()).toEqual(['ArnLike', 'StringEquals']);
          expect(s.Condition?.['StringEquals']).toEqual({ 'aws:SourceAccount': ACCOUNT });
          const [sourceArn, ...more] = asList(s.Condition?.['ArnLike']?.['aws:SourceArn']);
          expect(more).toEqual([]);
          // The source is a resource of the role's own account; a wildcard may only stand for the
          // id of a resource created after the role (a flow log).
          expect(sourceArn?.split(':')[4], sourceArn).toBe(ACCOUNT);
          expect(sourceArn, sourceArn).toMatch(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]+:\d{12}:[^*?]+(\/\*)?$/);
        }
      },
    );
  }

  it('lists only builders that exist as unconditioned exceptions', () => {
    for (const builder of Object.keys(UNCONDITIONED_SERVICE_TRUST)) {
      expect(Object.keys(SERVICE_TRUST_DOCUMENTS)).toContain(builder);
    }
  });
});

describe('key and repository policies', () => {
  for (const [builder, variants] of Object.entries(SERVICE_RESOURCE_DOCUMENTS)) {
    it.each(variants.map((doc, i) => [i, doc] as const))(
      `${builder} variant %i allows this account and condition-scoped services only`,
      (_i, doc) => {
        expect(doc.Version).toBe(IAM_POLICY_VERSION);
        const sids = doc.Statement.map((s) => s.Sid);
        expect(new Set(sids).size).toBe(sids.length);
        for (const s of doc.Statement) {
          expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
          if (s.Effect === 'Deny') {
            // A Deny takes away from everyone ("*") except the principals its condition names.
            expect(s.Principal, s.Sid).toEqual({ AWS: '*' });
            expect(Object.keys(s.Condition?.['ArnNotLike'] ?? {}), s.Sid).toEqual(['aws:PrincipalArn']);
            continue;
          }
          expect(s.Effect).toBe('Allow');
          const principals = Object.values(s.Principal).flatMap(asList);
          expect(principals.length).toBeGreaterThan(0);
          for (const principal of principals) expect(principal, s.Sid).not.toContain('*');
          // Resource is the key itself ("*" in a key policy) or absent (a repository policy).
          if ('Resource' in s) expect(s.Resource, s.Sid).toBe('*');
          if (s.Principal.Service !== undefined) {
            expect(s.Condition, `${s.Sid}: service grant without condition`).toBeDefined();
            expect(asList(s.Action), s.Sid).not.toContain('kms:*');
          } else if (s.Sid === 'AccountIamPoliciesGovernKeyUse') {
            // AWS's default key policy statement: the account's IAM policies decide.
            expect(s.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
            expect(s.Action).toBe('kms:*');
          } else {
            for (const action of asList(s.Action))
              expect(action, s.Sid).toMatch(/^ecr:(BatchGet|Get|BatchCheck)/);
          }
        }
      },
    );
  }
});
