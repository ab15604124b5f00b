import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault suite (kills, service restarts, concurrency, hostile input).
// FAULTS_SCALE=small (what .ci/run uses) keeps each case bounded; the default is the full suite.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Fault cases start and stop services and spawn many processes: one file at a time.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
