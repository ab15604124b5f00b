import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { startWorker } from '../../orchestrator/queue/workers.js';
import { planBackfill, runBackfill, vendorSettingsFromEnv } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { startVendorServer, type VendorServer } from '../support/vendor-server.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Queues no other test (or test process) uses. */
const uniqueQueuePrefix = (name: string) =>
  `mltest_${name}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const logger = createLogger({ level: 'silent', json: true });
let server: VendorServer;

beforeAll(async () => {
  server = await startVendorServer({ tradesPerDay: 25 });
  process.env.ALPACA_DATA_URL = server.url;
  process.env.BACKFILL_RPM_ALPACA = '60000';
});
afterAll(async () => server?.close());

describe('backfill --queue: a task per day on BullMQ workers (real Redis)', () => {
  it('fans the days out to a worker; the lake ends equal to the in-process backfill', async () => {
    const queued = await tempLake();
    const local = await tempLake();
    const config = loadConfig({
      LAKE_URL: queued.dir,
      REDIS_URL,
      QUEUE_PREFIX: uniqueQueuePrefix('backfill'),
    });
    const worker = await startWorker(
      { config, lake: queued.lake, logger, project: await loadProjectConfig(undefined) },
      { concurrency: 2, catchUp: false },
    );
    try {
      const request = {
        from: '2024-01-05',
        to: '2024-01-08',
        vendor: { source: 'alpaca' as const, dataset: 'trades' as const, symbols: ['AAPL', 'MSFT'] },
      };
      const days = ['2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08'];
      const runId = await enqueueRun(
        await resolveQueueTarget(config, queued.lake),
        {
          pipeline: 'models',
          from: request.from,
          to: request.to,
          backfill: { request, days, concurrency: 2, rebuild: false },
        },
        'backfill',
      );
      const result = await waitForRun(queued.lake.runs, runId, logger, { pollMs: 100 });
      expect(result.status).toBe('succeeded');
      const run = await queued.lake.runs.getRun(runId);
      expect(run?.tasks.map((t) => [t.task, t.status, t.rowsOut]).sort()).toEqual([
        ['backfill:2024-01-05', 'succeeded', 50],
        ['backfill:2024-01-06', 'succeeded', 0],
        ['backfill:2024-01-07', 'succeeded', 0],
        ['backfill:2024-01-08', 'succeeded', 50],
      ]);

      const session = await LakeSession.open(local.lake);
      try {
        const plan = await planBackfill(local.lake, request);
        await runBackfill(session, plan, { settings: vendorSettingsFromEnv() });
      } finally {
        session.close();
      }
      const sql = `SELECT symbol, event_at::VARCHAR AS t, price, size, trade_id FROM bronze.trades ORDER BY ALL`;
      const read = async (lake: typeof local.lake) => {
        const s = await LakeSession.open(lake);
        try {
          return await s.all(sql);
        } finally {
          s.close();
        }
      };
      const got = await read(queued.lake);
      expect(got).toHaveLength(100);
      expect(got).toEqual(await read(local.lake));
    } finally {
      await worker.close(5_000);
      await queued.cleanup();
      await local.cleanup();
    }
  }, 120_000);
});
