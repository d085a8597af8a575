import { defineConfig } from 'vitest/config';

// The drill: one process at a time (it starts a control plane), generous hook timeouts for the
// start of etcd, kube-apiserver and Kyverno on a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ['src/**/*.e2e.test.ts'],
    fileParallelism: false,
    hookTimeout: 600_000,
    testTimeout: 120_000,
  },
});
