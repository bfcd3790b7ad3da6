import { defineConfig } from 'vitest/config';

// Every test file runs with its own TMPDIR, removed when the file ends; the run fails if anything
// is left in the run's temporary root (tests/support/temp-root.ts).
const TEMP_ROOT = 'tests/support/temp-root.ts';
const TEMP_DIR_PER_FILE = 'tests/support/temp-dir-per-file.ts';

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
          globalSetup: [TEMP_ROOT],
          setupFiles: [TEMP_DIR_PER_FILE],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: [TEMP_ROOT],
          setupFiles: [TEMP_DIR_PER_FILE],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // One real cluster with one node: run files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
