import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, literal } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { formatMapping, ingestMappedFile, scanFile } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

/**
 * Real AlgoSeek consolidated-tape trades (../shared/data/us-equity-ticks-algoseek, read in place)
 * through the `algoseek` preset and the models: gold.fact_bars' naive 1m bar (naive_* columns, every
 * print) must equal bars computed here from the raw file, minute by minute; then agreement of both
 * builds with the vendor's own minute bars is measured and printed (the eligibility build follows
 * the sale-condition table: test/integration/models-bar-eligibility.test.ts).
 */
const DATA = '../shared/data/us-equity-ticks-algoseek';
const DAY = '20131007';
const SYMBOLS = ['ibm', 'aig', 'spy'] as const;
/** October 2013 is EDT: New York = UTC-4 (the file's times are New York ms of day). */
const EDT_OFFSET_MS = 4 * 3_600_000;
const DAY_UTC_MS = Date.UTC(2013, 9, 7);
const logger = createLogger({ level: 'silent', json: true });

interface Bar {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  trade_count: number;
}

async function lines(file: string): Promise<string[][]> {
  const text = gunzipSync(await readFile(file)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(','));
}

/** Plain OHLCV of the non-suspicious prints per minute, in file (tape) order; prices in deci-cents. */
async function barsFromTicks(symbol: string): Promise<Map<number, Bar & { dv: number }>> {
  const out = new Map<number, Bar & { dv: number }>();
  for (const [ms, price, qty, , , suspicious] of await lines(
    join(DATA, 'trades', `${DAY}_${symbol}_Trade_Tick.csv.gz`),
  )) {
    if (suspicious !== '0') continue;
    const p = Number(price);
    const q = Number(qty);
    const t = DAY_UTC_MS + EDT_OFFSET_MS + Math.floor(Number(ms) / 60_000) * 60_000;
    const b = out.get(t);
    if (!b)
      out.set(t, { t, open: p, high: p, low: p, close: p, volume: q, vwap: 0, trade_count: 1, dv: p * q });
    else {
      b.high = Math.max(b.high, p);
      b.low = Math.min(b.low, p);
      b.close = p;
      b.volume += q;
      b.dv += p * q;
      b.trade_count += 1;
    }
  }
  for (const b of out.values()) b.vwap = b.dv / b.volume / 10_000;
  return out;
}

async function vendorBars(symbol: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const [ms, ...ohlcv] of await lines(join(DATA, 'minute_bars', `${DAY}_${symbol}_minute_trade.csv.gz`)))
    out.set(DAY_UTC_MS + EDT_OFFSET_MS + Number(ms), ohlcv.map(Number));
  return out;
}

describe('gold.fact_bars on real AlgoSeek trades (2013-10-07, IBM, AIG, SPY)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    const ingest = await LakeSession.open(env.lake);
    try {
      for (const symbol of SYMBOLS) {
        for (const [dataset, format, file] of [
          ['trades', 'algoseek', join(DATA, 'trades', `${DAY}_${symbol}_Trade_Tick.csv.gz`)],
          ['bars', 'algoseek-bars', join(DATA, 'minute_bars', `${DAY}_${symbol}_minute_trade.csv.gz`)],
        ] as const) {
          const { firstLine } = await scanFile(file);
          const mapping = formatMapping(format, { dataset, file, firstLine });
          const r = await ingestMappedFile(ingest, file, { mapping });
          expect(r.quarantined).toBe(0);
        }
      }
    } finally {
      ingest.close();
    }
    session = await LakeSession.open(env.lake);
    const tasks = await runModels(session, logger, { selectors: ['+gold.fact_bars'] });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 300_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  /** The naive bars (every print) or, with `eligible`, the bars by sale-condition eligibility. */
  async function goldBars(symbol: string, eligible = false): Promise<Bar[]> {
    const cols = eligible
      ? 'open, high, low, close, volume, vwap, trade_count'
      : 'naive_open AS open, naive_high AS high, naive_low AS low, naive_close AS close, naive_volume AS volume, naive_vwap AS vwap, naive_trade_count AS trade_count';
    const rows = await session.all<Record<string, number | string>>(
      `SELECT epoch_ms(bar_start_at) AS t, ${cols}
       FROM gold.fact_bars WHERE symbol = ${literal(symbol.toUpperCase())} AND interval = '1m' AND session_date = DATE '2013-10-07'
       ORDER BY bar_start_at`,
    );
    return rows.map((r) => ({
      t: Number(r.t),
      open: Number(r.open),
      high: Number(r.high),
      low: Number(r.low),
      close: Number(r.close),
      volume: Number(r.volume),
      vwap: Number(r.vwap),
      trade_count: Number(r.trade_count),
    }));
  }

  it('keeps every print: identical rows are separate trades, none flagged suspicious in these files', async () => {
    const rows = await session.all<{ symbol: string; n: string; suspicious: string }>(
      `SELECT symbol, count(*)::VARCHAR AS n, count(*) FILTER (WHERE is_suspicious)::VARCHAR AS suspicious
       FROM silver.trades GROUP BY symbol ORDER BY symbol`,
    );
    expect(rows).toEqual([
      { symbol: 'AIG', n: '25351', suspicious: '0' },
      { symbol: 'IBM', n: '24293', suspicious: '0' },
      { symbol: 'SPY', n: '250601', suspicious: '0' },
    ]);
  });

  it('numbers prints by their place in the bronze batch: batch_row is dense per batch', async () => {
    const rows = await session.all<Record<string, string>>(
      `SELECT symbol, count(*)::VARCHAR AS n, min(batch_row)::VARCHAR AS lo, max(batch_row)::VARCHAR AS hi,
              count(DISTINCT batch_row)::VARCHAR AS distinct_rows,
              count(*) FILTER (WHERE back)::VARCHAR AS backwards
       FROM (SELECT *, event_at < lag(event_at) OVER (PARTITION BY batch_id ORDER BY batch_row) AS back FROM silver.trades)
       GROUP BY symbol ORDER BY symbol`,
    );
    for (const r of rows) {
      expect([r.lo, r.hi, r.distinct_rows], r.symbol).toEqual(['0', String(Number(r.n) - 1), r.n]);
      // The files never go back in time; bronze's parallel staging reorders whole blocks.
      process.stdout.write(
        `algoseek ${r.symbol}: bronze block boundaries out of file order ${r.backwards}\n`,
      );
    }
  });

  for (const symbol of SYMBOLS) {
    it(`${symbol.toUpperCase()}: every naive 1m bar equals the bar computed from the raw file`, async () => {
      const expected = await barsFromTicks(symbol);
      const gold = await goldBars(symbol);
      expect(gold.map((b) => b.t)).toEqual([...expected.keys()]);
      const mismatches: string[] = [];
      for (const g of gold) {
        const e = expected.get(g.t)!;
        const same =
          g.open === e.open / 10_000 &&
          g.high === e.high / 10_000 &&
          g.low === e.low / 10_000 &&
          g.close === e.close / 10_000 &&
          g.volume === e.volume &&
          g.trade_count === e.trade_count &&
          Math.abs(g.vwap - e.vwap) <= 1e-9 * e.vwap;
        if (!same)
          mismatches.push(`${new Date(g.t).toISOString()} ${JSON.stringify(g)} vs ${JSON.stringify(e)}`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('agrees with the vendor minute bars, the eligibility build far better than the naive one (figures printed)', async () => {
    const lowerBounds: Record<string, { exact: number; volume: number }> = {
      // Measured, eligibility build: SPY 825 of 828 exact and 825 on volume, IBM 450/451 of 453,
      // AIG 427/428 of 433 (the differences: auction minutes, see the eligibility test). The naive
      // build: SPY 696 (PROVENANCE.md: a faithful plain rollup gets about 696 and 825), IBM 241, AIG 289.
      spy: { exact: 825, volume: 825 },
      ibm: { exact: 450, volume: 451 },
      aig: { exact: 427, volume: 428 },
      'naive spy': { exact: 696, volume: 825 },
      'naive ibm': { exact: 241, volume: 449 },
      'naive aig': { exact: 289, volume: 428 },
    };
    for (const [symbol, eligible] of SYMBOLS.flatMap(
      (s) =>
        [
          [s, true],
          [s, false],
        ] as const,
    )) {
      const vendor = await vendorBars(symbol);
      const gold = new Map((await goldBars(symbol, eligible)).map((b) => [b.t, b]));
      let exact = 0;
      let volume = 0;
      for (const [t, [o, h, l, c, v]] of vendor) {
        const g = gold.get(t);
        if (!g) continue;
        const ohlc = [g.open, g.high, g.low, g.close].map((x) => Math.round(x * 10_000));
        const volumeSame = g.volume === v;
        if (volumeSame) volume += 1;
        if (volumeSame && ohlc[0] === o && ohlc[1] === h && ohlc[2] === l && ohlc[3] === c) exact += 1;
      }
      process.stdout.write(
        `algoseek ${symbol.toUpperCase()} 2013-10-07 (${eligible ? 'eligibility' : 'naive'}): vendor minutes ${vendor.size}, ours ${gold.size}; exact OHLCV ${exact}, volume ${volume}\n`,
      );
      const bound = lowerBounds[eligible ? symbol : `naive ${symbol}`]!;
      expect(exact).toBeGreaterThanOrEqual(bound.exact);
      expect(volume).toBeGreaterThanOrEqual(bound.volume);
    }
  });
});

describe('AlgoSeek suspicious flag (sixth column, kept in extra by the preset)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    const print = (event_at: string, price: number, suspicious: string) => ({
      symbol: 'IBM',
      event_at,
      price,
      size: 100,
      exchange: 'N',
      trade_id: null,
      conditions: ['1'],
      tape: null,
      source: 'algoseek',
      extra: JSON.stringify({ column6: suspicious }),
    });
    await writeBronze(session, env.dir, 'trades', [
      print('2013-10-07T14:00:01Z', 181.5, '0'),
      print('2013-10-07T14:00:02Z', 18.15, '1'),
      print('2013-10-07T14:00:03Z', 181.6, '0'),
    ]);
    const tasks = await runModels(session, logger, { selectors: ['+gold.fact_bars'] });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  });

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('flags the print in silver and leaves it out of the bars', async () => {
    const flags = await session.all<{ price: number; is_suspicious: boolean }>(
      'SELECT price, is_suspicious FROM silver.trades ORDER BY event_at',
    );
    expect(flags).toEqual([
      { price: 181.5, is_suspicious: false },
      { price: 18.15, is_suspicious: true },
      { price: 181.6, is_suspicious: false },
    ]);
    const bars = await session.all<Record<string, unknown>>(
      "SELECT open, high, low, close, volume, trade_count::INTEGER AS n FROM gold.fact_bars WHERE interval = '1m'",
    );
    expect(bars).toEqual([{ open: 181.5, high: 181.6, low: 181.5, close: 181.6, volume: 200, n: 2 }]);
  });
});
