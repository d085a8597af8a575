import { describe, expect, it } from 'vitest';
import { parseSigningGuardConfig } from './config.js';
import { CONFIG } from './test/events.js';

describe('the guard configuration', () => {
  it('reads a good file', () => {
    expect(parseSigningGuardConfig(JSON.parse(JSON.stringify(CONFIG)))).toEqual(CONFIG);
  });

  it.each([
    [{ ...CONFIG, extra: 1 }, 'key "extra" has value 1; allowed: one of the keys'],
    [{ ...CONFIG, accountId: '12' }, 'key "accountId" has value "12"; allowed: a 12-digit account id'],
    [{ ...CONFIG, topicArn: 'topic' }, 'key "topicArn" has value "topic"; allowed: an SNS topic ARN'],
    [{ ...CONFIG, profilePrefix: '' }, 'key "profilePrefix" has value ""; allowed: a non-empty string'],
    [{ ...CONFIG, rolePrefix: '' }, 'key "rolePrefix" has value ""; allowed: a non-empty string'],
    [{ ...CONFIG, apps: [] }, 'key "apps" has value []; allowed: a JSON object of app names'],
    [
      { ...CONFIG, apps: { a: { ...CONFIG.apps['billing'], signingRoleNames: 'role' } } },
      'key "apps.a.signingRoleNames" has value "role"; allowed: a list of IAM role names, at least one',
    ],
    [
      { ...CONFIG, apps: { a: { ...CONFIG.apps['billing'], profileNames: [] } } },
      'key "apps.a.profileNames" has value []; allowed: a list of signing profile names, at least one',
    ],
    [
      { ...CONFIG, apps: { a: { ...CONFIG.apps['billing'], pipelineRoleName: 7 } } },
      'key "apps.a.pipelineRoleName" has value 7; allowed: an IAM role name',
    ],
    [
      { ...CONFIG, apps: { a: { ...CONFIG.apps['billing'], roles: [] } } },
      'key "apps.a.roles" has value []; allowed: one of the keys profileNames',
    ],
    [
      { ...CONFIG, apps: { ...CONFIG.apps, copy: CONFIG.apps['billing'] } },
      'key "apps.copy.profileNames" has value "signet_dev_billing"; allowed: a name no other app lists (app "billing" lists it)',
    ],
    [[], 'key "(root)" has value []; allowed: a JSON object'],
  ])('refuses %j', (value, message) => {
    expect(() => parseSigningGuardConfig(value, 'signing-guard.json')).toThrow(
      `signing-guard.json: ${message}`,
    );
  });
});
