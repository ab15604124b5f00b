import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { ingestDailyBarFile, ingestFactorFile } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * Real unadjusted AlgoSeek/QuantConnect daily bars of AAPL around its 7:1 split (ex-date
 * 2014-06-09) with the real factor file, read in place from ../shared/data: gold.fact_bars 1d keeps
 * the raw prices and adj_close applies the factors, compared with the factors applied here by the
 * vendor's rule (a row's factors cover the sessions up to and including its date).
 */
const DATA = '../shared/data/us-equity-ticks-algoseek';
const FROM = '2014-05-01';
const TO = '2014-07-31';
const logger = createLogger({ level: 'silent', json: true });

interface Daily {
  session_date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adj_close: number;
}

const iso = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;

describe('gold.fact_bars 1d adj_close from real factor files (AAPL 7:1 split on 2014-06-09)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  let gold: Daily[];

  beforeAll(async () => {
    env = await tempLake();
    const ingest = await LakeSession.open(env.lake);
    try {
      const bars = await ingestDailyBarFile(ingest, join(DATA, 'daily_bars', 'aapl.csv.gz'), {
        from: FROM,
        to: TO,
      });
      expect([bars.accepted, bars.quarantined]).toEqual([64, 0]);
      const factors = await ingestFactorFile(ingest, join(DATA, 'factor_files', 'aapl.csv'));
      expect([factors.accepted, factors.quarantined]).toEqual([41, 0]);
    } finally {
      ingest.close();
    }
    session = await LakeSession.open(env.lake);
    const tasks = await runModels(session, logger, { selectors: ['+gold.fact_bars'] });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
    gold = (
      await session.all<Record<string, string | number>>(
        `SELECT session_date::VARCHAR AS session_date, open, high, low, close, volume, adj_close
         FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1d' ORDER BY session_date`,
      )
    ).map((r) => ({
      session_date: String(r.session_date),
      open: Number(r.open),
      high: Number(r.high),
      low: Number(r.low),
      close: Number(r.close),
      volume: Number(r.volume),
      adj_close: Number(r.adj_close),
    }));
  }, 300_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('keeps the raw daily prices of the vendor file', async () => {
    const raw = gunzipSync(await readFile(join(DATA, 'daily_bars', 'aapl.csv.gz')))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(','))
      .map(([d, o, h, l, c, v]) => ({
        session_date: iso(String(d).replaceAll('"', '')),
        open: Number(o) / 10_000,
        high: Number(h) / 10_000,
        low: Number(l) / 10_000,
        close: Number(c) / 10_000,
        volume: Number(v),
      }))
      .filter((b) => b.session_date >= FROM && b.session_date <= TO);
    expect(gold.map(({ adj_close, ...b }) => b)).toEqual(raw);
    const around = gold.filter((b) => b.session_date === '2014-06-06' || b.session_date === '2014-06-09');
    expect(around.map((b) => [b.session_date, b.close])).toEqual([
      ['2014-06-06', 645.57],
      ['2014-06-09', 93.7],
    ]);
  });

  it('adj_close = close × price_factor × split_factor of the factor row covering the session', async () => {
    const rows = (await readFile(join(DATA, 'factor_files', 'aapl.csv'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(','))
      .map(([d, p, s]) => ({ date: iso(String(d)), factor: Number(p) * Number(s) }));
    for (const b of gold) {
      const covering = rows.find((r) => r.date >= b.session_date);
      const expected = b.close * (covering?.factor ?? 1);
      expect(Math.abs(b.adj_close - expected), b.session_date).toBeLessThanOrEqual(1e-12 * expected);
    }
    const byDay = new Map(gold.map((b) => [b.session_date, b]));
    const before = byDay.get('2014-06-06')!;
    const after = byDay.get('2014-06-09')!;
    // 0.9011818 × 0.0357143 (1/28: this split and the 4:1 of 2020) before, × 0.25 after.
    expect(before.adj_close).toBeCloseTo(645.57 * 0.9011818 * 0.0357143, 10);
    expect(after.adj_close).toBeCloseTo(93.7 * 0.9011818 * 0.25, 10);
    // The raw close falls 85% across the split; the adjusted close moves with the market (+1.6%),
    // exactly the raw move once the 7:1 ratio is applied.
    expect(after.close / before.close).toBeLessThan(0.15);
    expect(after.adj_close / before.adj_close).toBeCloseTo((93.7 * 7) / 645.57, 5);
    const jumps = gold
      .slice(1)
      .map((b, i) => Math.abs(Math.log(b.adj_close / gold[i]!.adj_close)))
      .filter((x) => x > 0.1);
    expect(jumps).toEqual([]);
  });

  it('reads the factors of the latest factor file', async () => {
    const [latest] = await session.all<{ n: string; batches: string }>(
      `SELECT count(*)::VARCHAR AS n, count(DISTINCT batch_id)::VARCHAR AS batches FROM silver.corporate_actions`,
    );
    expect(latest).toEqual({ n: '41', batches: '1' });
  });
});
