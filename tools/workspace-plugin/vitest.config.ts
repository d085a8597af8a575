import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A generator run formats its files with Prettier and renders buildspecs; the first one in a file
    // loads both, which takes seconds on a loaded 2-core machine.
    testTimeout: 60_000,
  },
});
