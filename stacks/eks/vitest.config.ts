import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each case evaluates the whole stack program under the mock runtime (EKS, Helm, IAM): seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
