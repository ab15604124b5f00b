import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillCommand } from '../../cli/commands/backfill.js';
import { createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { startVendorServer, type VendorServer } from '../support/vendor-server.js';

let server: VendorServer;

beforeAll(async () => {
  server = await startVendorServer({ tradesPerDay: 30 });
  process.env.ALPACA_DATA_URL = server.url;
  process.env.BACKFILL_RPM_ALPACA = '60000';
});
afterAll(async () => server?.close());

describe("marketlake backfill --gaps (the stream worker's ml_stream_gaps)", () => {
  it('fills each recorded gap for exactly its range and marks it filled; a rerun has nothing to do', async () => {
    const env = await tempLake();
    const ctx = {
      config: loadConfig({ LAKE_URL: env.dir, MARKETLAKE_JSON: '1' }),
      logger: createLogger({ level: 'silent', json: true }),
      lake: env.lake,
    };
    try {
      const gaps = env.lake.streamGaps;
      await gaps.record({
        source: 'alpaca',
        dataset: 'trades',
        symbol: 'AAPL',
        gapFrom: '2024-01-05T15:00:00.000Z',
        gapTo: '2024-01-05T16:00:00.000Z',
      });
      await gaps.record({
        source: 'simulator',
        dataset: 'trades',
        symbol: 'AAPL',
        gapFrom: '2024-01-05T17:00:00.000Z',
        gapTo: '2024-01-05T17:05:00.000Z',
      });
      // Outside --from/--to: left alone.
      await gaps.record({
        source: 'alpaca',
        dataset: 'trades',
        symbol: 'MSFT',
        gapFrom: '2024-02-01T15:00:00.000Z',
        gapTo: '2024-02-01T16:00:00.000Z',
      });
      server.log.length = 0;
      const flags = { from: '2024-01-05', to: '2024-01-31', gaps: true, rebuild: false };
      expect(await backfillCommand(ctx, flags)).toBe(0);
      expect(server.log.map((r) => [r.query.symbols, r.query.start, r.query.end])).toEqual([
        ['AAPL', '2024-01-05T15:00:00.000Z', '2024-01-05T16:00:00.000Z'],
      ]);
      const after = await gaps.list({ all: true });
      expect(after.map((g) => [g.source, g.symbol, g.filledAt !== null])).toEqual([
        ['alpaca', 'AAPL', true],
        ['simulator', 'AAPL', false],
        ['alpaca', 'MSFT', false],
      ]);
      const session = await LakeSession.open(env.lake);
      try {
        const [r] = await session.all<{ n: number; lo: string; hi: string }>(
          `SELECT count(*)::INT AS n, min(event_at)::VARCHAR AS lo, max(event_at)::VARCHAR AS hi FROM bronze.trades`,
        );
        // 30 trades over 14:30-21:00 UTC, one every 13 minutes: 15:09, 15:22, 15:35, 15:48.
        expect(r?.n).toBe(4);
        expect((r?.lo ?? '') >= '2024-01-05 15:00:00').toBe(true);
        expect((r?.hi ?? '9') < '2024-01-05 16:00:00').toBe(true);
      } finally {
        session.close();
      }
      server.log.length = 0;
      expect(await backfillCommand(ctx, flags)).toBe(0);
      expect(server.log).toEqual([]);
    } finally {
      await env.cleanup();
    }
  }, 60_000);
});
