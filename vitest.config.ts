import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite has its own config (vitest.faults.config.ts, `npm run test:faults`).
    exclude: ['test/faults/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Integration tests share PostgreSQL and a 2-core machine: keep parallelism modest.
    maxWorkers: 2,
  },
});
