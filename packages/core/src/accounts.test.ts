import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_FILE, parseEnvironmentAccounts, readEnvironmentAccounts } from './accounts.js';
import { SignetInputError } from './errors.js';

const THREE = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignetInputError);
    return (error as Error).message;
  }
  throw new Error('expected a SignetInputError');
}

describe('parseEnvironmentAccounts', () => {
  it('returns the account of every environment', () => {
    expect(parseEnvironmentAccounts(THREE)).toEqual(THREE);
    // One account for all is the single-account layout, pinned.
    const one = { dev: '444455556666', staging: '444455556666', prod: '444455556666' };
    expect(parseEnvironmentAccounts(one)).toEqual(one);
  });

  it('names the file, the key, the value and what is allowed, for every problem at once', () => {
    expect(
      messageOf(() => parseEnvironmentAccounts({ dev: '11111111111', staging: 222222222222, qa: '1' })),
    ).toBe(
      [
        'accounts.json: key "dev" has value "11111111111"; allowed: an AWS account id: 12 digits, as a string',
        'accounts.json: key "staging" has value 222222222222; allowed: an AWS account id: 12 digits, as a string',
        'accounts.json: key "prod" is missing; allowed: an AWS account id: 12 digits, as a string (every environment names its account once the file exists)',
        'accounts.json: key "qa" is not a known key; allowed: an environment: one of dev, staging, prod',
      ].join('\n'),
    );
  });

  it('refuses a file that is not an object', () => {
    expect(messageOf(() => parseEnvironmentAccounts(['111111111111']))).toBe(
      'accounts.json: key "" has value ["111111111111"]; allowed: an object from each environment (dev, staging, prod) to its AWS account id',
    );
  });
});

describe('readEnvironmentAccounts', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'signet-accounts-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names no account where the workspace has no accounts.json (the single-account layout)', () => {
    expect(readEnvironmentAccounts(root)).toBeUndefined();
  });

  it('reads accounts.json at the workspace root', () => {
    writeFileSync(join(root, ACCOUNTS_FILE), JSON.stringify(THREE));
    expect(readEnvironmentAccounts(root)).toEqual(THREE);
  });

  it('fails naming the file when it is not JSON', () => {
    writeFileSync(join(root, ACCOUNTS_FILE), '{ dev: 111111111111 }');
    expect(messageOf(() => readEnvironmentAccounts(root))).toMatch(/^accounts\.json: not valid JSON \(/);
  });
});
