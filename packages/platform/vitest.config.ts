import { defineConfig } from 'vitest/config';

// A consumer requiring an output its upstream stack lacks makes Pulumi reject a promise nobody
// awaits; runStackProgram turns it into the program's error (asserted in contracts.test.ts), so
// that expected rejection is not also reported as an unhandled error.
const REQUIRED_OUTPUT_MISSING = /^Required output '[^']*' does not exist on stack '[^']*'\.$/;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests evaluate Pulumi programs under the mock runtime or run nx; both take seconds under load.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    onUnhandledError(error) {
      return !REQUIRED_OUTPUT_MISSING.test(error.message ?? '');
    },
  },
});
