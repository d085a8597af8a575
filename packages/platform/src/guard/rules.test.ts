import { describe, expect, it } from 'vitest';
import { EVENT_PATTERN_MAX_CHARACTERS } from '@signet/policies';
import { APP_NAME_MAX_LENGTH } from '@signet/core';
import { planSigningIdentities } from '../signer/identities.js';
import { guardRules, type GuardedApp } from './rules.js';

const scope = { accountId: '123456789012', region: 'eu-west-1', partition: 'aws' };

/** Apps of the longest name the workspace accepts, with prod's identities (pipeline and release). */
function prodApps(count: number, environment: 'dev' | 'staging' | 'prod' = 'prod'): GuardedApp[] {
  const names = Array.from({ length: count }, (_, i) =>
    `app-${String(i).padStart(2, '0')}-`.padEnd(APP_NAME_MAX_LENGTH, 'x'),
  );
  const identities = planSigningIdentities(environment, names, environment === 'dev' ? [] : ['release']);
  return names.map((name) => ({
    name,
    profileNames: identities.filter((p) => p.app === name).map((p) => p.profileName),
  }));
}

describe('the guard rules', () => {
  it('fit 50 apps of prod: every pattern within the size quota, every name within 64 characters', () => {
    const rules = guardRules('prod', prodApps(50));
    expect(rules).toHaveLength(2 + 2 * 50);
    const sizes = rules.map((rule) => JSON.stringify(rule.pattern(scope)).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARACTERS);
    // EventBridge allows 30 rules with wildcard filters per bus, not adjustable: the guard uses none.
    expect(rules.filter((rule) => JSON.stringify(rule.pattern(scope)).includes('"wildcard"'))).toEqual([]);
    expect(Math.max(...rules.map((rule) => rule.name.length))).toBeLessThanOrEqual(64);
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
    expect(new Set(rules.map((rule) => rule.key)).size).toBe(rules.length);
  });

  it.each(['dev', 'staging'] as const)('fit 50 apps of %s too', (environment) => {
    const sizes = guardRules(environment, prodApps(50, environment)).map(
      (rule) => JSON.stringify(rule.pattern(scope)).length,
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARACTERS);
  });

  it('keep the keys the rules are named by and that each target sends the function', () => {
    const rules = guardRules('dev', [{ name: 'web', profileNames: ['signet_dev_web'] }]);
    expect(rules.map((rule) => [rule.key, rule.name])).toEqual([
      ['signatures', 'signet-dev-signing-guard-signatures'],
      ['builds', 'signet-dev-signing-guard-builds'],
      ['web-signatures', 'signet-dev-web-guard-s'],
      ['web-builds', 'signet-dev-web-guard-b'],
    ]);
  });

  it("keep one app's rules and names when another app is added", () => {
    const [one] = prodApps(1) as [GuardedApp];
    const alone = guardRules('prod', [one]).map((r) => [r.key, r.name, JSON.stringify(r.pattern(scope))]);
    const beside = guardRules('prod', prodApps(3)).map((r) => [
      r.key,
      r.name,
      JSON.stringify(r.pattern(scope)),
    ]);
    expect(beside).toEqual(expect.arrayContaining(alone));
  });
});
