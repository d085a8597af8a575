import { describe, expect, it } from 'vitest';
import {
  buildEnvironmentOf,
  buildsImages,
  describeTrait,
  ENVIRONMENT_DEFINITIONS,
  ENVIRONMENTS,
  environmentsWhere,
  environmentTraits,
  isEnvironment,
  listEnvironments,
  promotionSource,
  promotionTargets,
  validateEnvironmentDefinitions,
} from './environments.js';
import { SignetInputError } from './errors.js';

const prod = ENVIRONMENT_DEFINITIONS.find((d) => d.name === 'prod');

describe('the environments', () => {
  it('are dev, staging and prod, in promotion order', () => {
    expect(ENVIRONMENTS).toEqual(['dev', 'staging', 'prod']);
    expect(isEnvironment('staging')).toBe(true);
    expect(isEnvironment('qa')).toBe(false);
    expect(isEnvironment(undefined)).toBe(false);
  });

  it('let only dev audit admission; everywhere else admission enforces with three replicas spread over zones', () => {
    expect(environmentsWhere((t) => t.admissionMayAudit)).toEqual(['dev']);
    expect(ENVIRONMENTS.map((e) => environmentTraits(e).minAdmissionReplicas)).toEqual([1, 3, 3]);
    expect(environmentsWhere((t) => t.spreadAdmissionAcrossZones)).toEqual(['staging', 'prod']);
    expect(environmentsWhere((t) => t.highlyAvailableVerifier)).toEqual(['staging', 'prod']);
  });

  it('ask for approval before deploying in prod only, and protect staging and prod clusters from deletion', () => {
    expect(environmentsWhere((t) => t.manualApprovalByDefault)).toEqual(['prod']);
    expect(environmentsWhere((t) => t.deletionProtectionByDefault)).toEqual(['staging', 'prod']);
  });

  it('fail the vulnerability gate on critical in dev and on high later; prod waits longest for a rollout', () => {
    expect(ENVIRONMENTS.map((e) => environmentTraits(e).vulnerabilityThreshold)).toEqual([
      'critical',
      'high',
      'high',
    ]);
    expect(ENVIRONMENTS.map((e) => environmentTraits(e).rolloutTimeoutSeconds)).toEqual([300, 300, 600]);
  });

  it('describe a trait across environments, grouping equal values', () => {
    expect(describeTrait((t) => t.minAdmissionReplicas)).toBe('1 in dev, 3 in staging and prod');
    expect(
      describeTrait(
        (t) => t.manualApprovalByDefault,
        (on) => (on ? 'on' : 'off'),
      ),
    ).toBe('off in dev and staging, on in prod');
    expect(listEnvironments([])).toBe('no environment');
    expect(listEnvironments(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('promotion', () => {
  it('builds once, in dev; staging promotes from dev and prod from staging, each adding a release signature', () => {
    expect(environmentsWhere(buildsImages)).toEqual(['dev']);
    expect(ENVIRONMENTS.map((e) => promotionSource(e))).toEqual([undefined, 'dev', 'staging']);
    expect(ENVIRONMENTS.map((e) => buildEnvironmentOf(e))).toEqual(['dev', 'dev', 'dev']);
    expect(ENVIRONMENTS.map((e) => promotionTargets(e))).toEqual([['staging'], ['prod'], []]);
    expect(environmentsWhere((t) => t.releaseSignature)).toEqual(['staging', 'prod']);
  });

  it('refuses a first environment that promotes, a source that is not listed before, and a release signature without promotion', () => {
    const dev = ENVIRONMENT_DEFINITIONS[0];
    const bad = [
      { name: 'dev', traits: { ...dev.traits, promotesFrom: 'prod' } },
      { name: 'qa', traits: { ...prod?.traits, promotesFrom: 'uat' } },
      { name: 'uat', traits: { ...prod?.traits, promotesFrom: 'uat' } },
      { name: 'demo', traits: { ...dev.traits, releaseSignature: true } },
    ];
    expect(() => validateEnvironmentDefinitions(bad, 'environments.ts')).toThrow(
      [
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[0].traits.promotesFrom" has value "prod"; allowed: null: the first environment builds its images (there is nothing before it to promote from)',
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[1].traits.promotesFrom" has value "uat"; allowed: an environment listed before this one (dev), or null',
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[2].traits.promotesFrom" has value "uat"; allowed: an environment listed before this one (dev, qa), or null',
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[3].traits.releaseSignature" has value true; allowed: false where promotesFrom is null (a release signature follows a promotion)',
      ].join('\n'),
    );
  });
});

describe('validateEnvironmentDefinitions', () => {
  it('accepts the definitions and a new one that decides every trait', () => {
    expect(() => validateEnvironmentDefinitions(ENVIRONMENT_DEFINITIONS)).not.toThrow();
    expect(() =>
      validateEnvironmentDefinitions([
        ...ENVIRONMENT_DEFINITIONS,
        { name: 'qa', traits: { ...prod?.traits } },
      ]),
    ).not.toThrow();
  });

  it('refuses an environment that leaves a trait undecided, naming the trait and what it allows', () => {
    const { manualApprovalByDefault: _undecided, ...traits } = prod?.traits ?? {};
    const error = (() => {
      try {
        validateEnvironmentDefinitions(
          [...ENVIRONMENT_DEFINITIONS, { name: 'qa', traits }],
          'environments.ts',
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SignetInputError);
    expect((error as Error).message).toBe(
      'environments.ts: key "ENVIRONMENT_DEFINITIONS[3].traits.manualApprovalByDefault" is missing; allowed: true or false',
    );
  });

  it('refuses a bad value, an unknown trait, and a name that is taken or unfit for resource names', () => {
    const bad = [
      ...ENVIRONMENT_DEFINITIONS,
      { name: 'prod', traits: { ...prod?.traits, vulnerabilityThreshold: 'severe', cheap: true } },
      { name: 'QA_1', traits: { ...prod?.traits, minAdmissionReplicas: 0 } },
    ];
    expect(() => validateEnvironmentDefinitions(bad, 'environments.ts')).toThrow(
      [
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[3].name" has value "prod"; allowed: 2 to 10 lowercase letters or digits, starting with a letter, unique',
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[3].traits.vulnerabilityThreshold" has value "severe"; allowed: one of negligible, low, medium, high, critical',
        'environments.ts: key "ENVIRONMENT_DEFINITIONS[3].traits.cheap" is not a known key; allowed: one of admissionMayAudit,',
      ].join('\n'),
    );
    expect(() => validateEnvironmentDefinitions(bad, 'environments.ts')).toThrow(
      'key "ENVIRONMENT_DEFINITIONS[4].traits.minAdmissionReplicas" has value 0; allowed: an integer from 1 to 9',
    );
    expect(() => validateEnvironmentDefinitions(bad, 'environments.ts')).toThrow(
      'key "ENVIRONMENT_DEFINITIONS[4].name" has value "QA_1"',
    );
  });
});
