import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Integration tests share PostgreSQL and a 2-core machine: keep parallelism modest.
    maxWorkers: 2,
  },
});
