import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import {
  formatMapping,
  ingestDailyBarFile,
  ingestFactorFile,
  ingestMappedFile,
  readFirstLine,
} from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * Adjustment beyond the daily close, from the real AlgoSeek/QuantConnect factor files (read in
 * place): IBM's vendor minute bars of 2013-10-07 carry the factor row that covers that session,
 * the same one the 1d bar's adj_close uses; AAPL's daily volumes across its 7:1 split (2014-06-09)
 * come out in post-split shares.
 */
const DATA = '../shared/data/us-equity-ticks-algoseek';
const logger = createLogger({ level: 'silent', json: true });

/** The factor row covering `date` (YYYY-MM-DD): the first whose factor_date is on or after it. */
async function factorRow(symbol: string, date: string): Promise<{ price: number; split: number }> {
  const rows = (await readFile(join(DATA, 'factor_files', `${symbol}.csv`), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const compact = date.replaceAll('-', '');
  const row = rows.find(([d]) => (d as string) >= compact);
  return { price: Number(row?.[1]), split: Number(row?.[2]) };
}

describe('adj_factor and adj_volume on every bar, consistent with the factor files', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    const minutes = join(DATA, 'minute_bars', '20131007_ibm_minute_trade.csv.gz');
    const mapping = formatMapping('algoseek-bars', {
      dataset: 'bars',
      file: minutes,
      firstLine: await readFirstLine(minutes),
    });
    expect((await ingestMappedFile(session, minutes, { mapping })).quarantined).toBe(0);
    expect((await ingestFactorFile(session, join(DATA, 'factor_files', 'ibm.csv'))).quarantined).toBe(0);
    const daily = await ingestDailyBarFile(session, join(DATA, 'daily_bars', 'aapl.csv.gz'), {
      from: '2014-06-05',
      to: '2014-06-10',
    });
    expect(daily.quarantined).toBe(0);
    expect((await ingestFactorFile(session, join(DATA, 'factor_files', 'aapl.csv'))).quarantined).toBe(0);
    const tasks = await runModels(session, logger, { selectors: ['+gold.fact_bars'] });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it("IBM's intraday bars carry the factor of their session, the one the daily adj_close applies", async () => {
    const f = await factorRow('ibm', '2013-10-07');
    expect(f).toEqual({ price: 0.7464652, split: 1 });
    const rows = await session.all<{
      interval: string;
      n: number;
      lo: number;
      hi: number;
      vol_equal: boolean;
    }>(
      "SELECT interval, count(*)::INTEGER AS n, min(adj_factor) AS lo, max(adj_factor) AS hi, bool_and(adj_volume = volume) AS vol_equal FROM gold.fact_bars WHERE symbol = 'IBM' GROUP BY interval ORDER BY interval",
    );
    expect(rows.map((r) => r.interval)).toEqual(['15m', '1d', '1h', '1m', '5m']);
    for (const r of rows) {
      expect(r.lo, r.interval).toBeCloseTo(f.price * f.split, 12);
      expect(r.hi, r.interval).toBeCloseTo(f.price * f.split, 12);
      expect(r.vol_equal, r.interval).toBe(true);
    }
    const [d] = await session.all<{ ratio: number }>(
      "SELECT adj_close / close AS ratio FROM gold.fact_bars WHERE symbol = 'IBM' AND interval = '1d'",
    );
    expect(d?.ratio).toBeCloseTo(f.price, 12);
  });

  it("AAPL's daily volume before the 7:1 split comes out in post-split shares", async () => {
    const before = await factorRow('aapl', '2014-06-06');
    const after = await factorRow('aapl', '2014-06-09');
    expect(after.split / before.split).toBeCloseTo(7, 4);
    const rows = await session.all<{ d: string; volume: number; adj_volume: number; adj_factor: number }>(
      "SELECT session_date::VARCHAR AS d, volume, adj_volume, adj_factor FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1d' AND session_date IN ('2014-06-06', '2014-06-09') ORDER BY 1",
    );
    expect(rows.map((r) => r.d)).toEqual(['2014-06-06', '2014-06-09']);
    const [b, a] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(b.adj_volume).toBeCloseTo(b.volume / before.split, 6);
    expect(a.adj_volume).toBeCloseTo(a.volume / after.split, 6);
    expect(b.adj_factor).toBeCloseTo(before.price * before.split, 12);
    expect(a.adj_factor).toBeCloseTo(after.price * after.split, 12);
  });
});
