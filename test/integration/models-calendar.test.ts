import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

const logger = createLogger({ level: 'silent', json: true });

const trade = (event_at: string, price: number, trade_id: string) => ({
  symbol: 'TEST',
  event_at,
  price,
  size: 10,
  exchange: 'N',
  trade_id,
  conditions: [],
  tape: 'A',
  source: 'fixture',
});

/**
 * NYSE early closes: the day after Thanksgiving 2024 (2024-11-29) closed at 13:00 New York
 * (18:00 UTC in November). The 1d bar and the realized volatility end there; a normal day
 * (2024-11-27) runs to 16:00.
 */
describe('early closes end the 1d bar and realized volatility at 13:00 New York', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    await writeBronze(session, env.dir, 'trades', [
      trade('2024-11-27T14:30:00Z', 100, 'a1'),
      trade('2024-11-27T17:59:30Z', 101, 'a2'),
      trade('2024-11-27T20:59:00Z', 102, 'a3'),
      trade('2024-11-29T14:30:00Z', 100, 'b1'),
      trade('2024-11-29T17:59:30Z', 101, 'b2'),
      trade('2024-11-29T18:30:00Z', 105, 'b3'),
    ]);
    const tasks = await runModels(session, logger, {
      selectors: ['+gold.fact_daily_market', 'gold.dim_date'],
    });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  });

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('gold.dim_date knows the early closes the models apply', async () => {
    const rows = await session.all<{ d: string }>(
      `SELECT date::VARCHAR AS d FROM gold.dim_date WHERE is_nyse_early_close AND year = 2024 ORDER BY date`,
    );
    expect(rows.map((r) => r.d)).toEqual(['2024-07-03', '2024-11-29', '2024-12-24']);
  });

  it('flags trades after 13:00 on an early-close day as outside the regular session', async () => {
    const rows = await session.all<{ trade_id: string; is_regular_hours: boolean }>(
      `SELECT trade_id, is_regular_hours FROM silver.trades ORDER BY trade_id`,
    );
    expect(rows).toEqual([
      { trade_id: 'a1', is_regular_hours: true },
      { trade_id: 'a2', is_regular_hours: true },
      { trade_id: 'a3', is_regular_hours: true },
      { trade_id: 'b1', is_regular_hours: true },
      { trade_id: 'b2', is_regular_hours: true },
      { trade_id: 'b3', is_regular_hours: false },
    ]);
  });

  it('1d bars and realized volatility stop at the close', async () => {
    const bars = await session.all<Record<string, unknown>>(
      `SELECT session_date::VARCHAR AS d, open, high, low, close, volume, trade_count::INTEGER AS n
       FROM gold.fact_bars WHERE interval = '1d' ORDER BY session_date`,
    );
    expect(bars).toEqual([
      { d: '2024-11-27', open: 100, high: 102, low: 100, close: 102, volume: 30, n: 3 },
      { d: '2024-11-29', open: 100, high: 101, low: 100, close: 101, volume: 20, n: 2 },
    ]);
    const vol = await session.all<{ d: string; realized_vol: number; n: string }>(
      `SELECT session_date::VARCHAR AS d, realized_vol, n_intraday_returns::VARCHAR AS n
       FROM gold.fact_daily_market ORDER BY session_date`,
    );
    expect(vol.map((v) => [v.d, v.n])).toEqual([
      ['2024-11-27', '2'],
      ['2024-11-29', '1'],
    ]);
    expect(vol[0]!.realized_vol).toBeCloseTo(
      Math.sqrt(Math.log(101 / 100) ** 2 + Math.log(102 / 101) ** 2),
      12,
    );
    expect(vol[1]!.realized_vol).toBeCloseTo(Math.abs(Math.log(101 / 100)), 12);
  });
});
