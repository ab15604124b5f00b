import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunLog, SqlCatalog } from '../../layers/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { tempLake } from '../helpers/temp-lake.js';

async function exercise(runs: RunLog) {
  const startedAt = new Date().toISOString();
  expect(
    await runs.startRun({
      runId: 'run_a',
      trigger: 'schedule',
      command: 'run',
      status: 'running',
      schedule: 'daily',
      scheduledFor: '2024-03-04T21:30:00.000Z',
      startedAt,
    }),
  ).toBe(true);
  // The same schedule tick cannot start a second run.
  expect(
    await runs.startRun({
      runId: 'run_b',
      trigger: 'schedule',
      command: 'run',
      status: 'running',
      schedule: 'daily',
      scheduledFor: '2024-03-04T21:30:00.000Z',
      startedAt,
    }),
  ).toBe(false);
  await runs.recordTask({
    runId: 'run_a',
    task: 'silver.trades',
    status: 'running',
    attempts: 1,
    startedAt,
    worker: 'w1',
  });
  await runs.recordTask({
    runId: 'run_a',
    task: 'silver.trades',
    status: 'running',
    attempts: 2,
    worker: 'w2',
  });
  // A late report from the first attempt does not lower the attempt count.
  await runs.recordTask({
    runId: 'run_a',
    task: 'silver.trades',
    status: 'succeeded',
    attempts: 1,
    rowsOut: 42,
    endedAt: startedAt,
  });
  await runs.finishRun('run_a', 'succeeded');
  const got = await runs.getRun('run_a');
  expect(got?.run.status).toBe('succeeded');
  expect(got?.tasks).toEqual([
    expect.objectContaining({
      task: 'silver.trades',
      status: 'succeeded',
      attempts: 2,
      rowsOut: 42,
      worker: 'w2',
      startedAt,
    }),
  ]);
  expect([...(await runs.scheduledTicks('daily', '2024-03-01'))]).toEqual(['2024-03-04T21:30:00.000Z']);
  expect((await runs.listRuns()).map((r) => r.runId)).toEqual(['run_a']);
}

describe('run history in the catalog database', () => {
  let pgDb: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    pgDb = await createTestDatabase('marketlake_runlog');
  });
  afterAll(async () => pgDb?.drop());

  it('SQLite', async () => {
    const t = await tempLake();
    try {
      await exercise(t.lake.runs);
    } finally {
      await t.cleanup();
    }
  });

  it('PostgreSQL', async () => {
    const catalog = await SqlCatalog.open(pgDb.url);
    try {
      await exercise(catalog.runLog());
    } finally {
      await catalog.close();
    }
  });
});
