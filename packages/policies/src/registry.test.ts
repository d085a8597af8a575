import { describe, expect, it } from 'vitest';
import { assertRepositoryUri } from './registry.js';
import { BILLING_REPO, HELLO_REPO } from './test/fixtures.js';

describe('assertRepositoryUri', () => {
  it('accepts fully qualified repositories, nested paths and registries with ports', () => {
    for (const uri of [HELLO_REPO, BILLING_REPO, 'localhost:5000/app', 'ghcr.io/org/app_name-x']) {
      expect(assertRepositoryUri(uri, 'f')).toBe(uri);
    }
  });

  it.each([
    [`${HELLO_REPO}*`, 'f: "111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server*" contains "*"'],
    [`${HELLO_REPO}@sha256:${'a'.repeat(64)}`, 'carries a digest; give the repository only'],
    [`${HELLO_REPO}:v1`, 'is not a fully qualified repository URI (tags are not allowed)'],
    ['hello-server', 'is not a fully qualified repository URI; expected <registry-host>/<repository path>'],
    ['library/nginx', 'does not start with a registry host; scopes are not expanded'],
    [`${HELLO_REPO}/UPPER`, 'is not a fully qualified repository URI'],
  ])('rejects %s', (value, message) => {
    expect(() => assertRepositoryUri(value, 'f')).toThrow(message);
  });
});
