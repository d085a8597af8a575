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
    [
      { ...CONFIG, signingRoleNames: 'role' },
      'key "signingRoleNames" has value "role"; allowed: a list of IAM role names',
    ],
    [[], 'key "(root)" has value []; allowed: a JSON object'],
  ])('refuses %j', (value, message) => {
    expect(() => parseSigningGuardConfig(value, 'signing-guard.json')).toThrow(
      `signing-guard.json: ${message}`,
    );
  });
});
