import { defineConfig } from 'vitest/config';

// Two projects: unit tests run anywhere in seconds; integration tests need the real
// SLURM + OpenSSH test cluster started by tests/cluster/up.sh.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // One real cluster with one node: run files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
