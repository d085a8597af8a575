import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each run evaluates the whole stack program (and @pulumi/aws) under the mock runtime.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
