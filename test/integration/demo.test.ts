import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trade } from '../../contracts/index.js';
import { createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { type DemoSummary, runDemo, runModels } from '../../orchestrator/index.js';
import { type SimulationOptions, simulateMarket } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

const simulation: SimulationOptions = {
  seed: 7,
  startDate: '2024-03-04',
  days: 2,
  tradesPerSymbolDay: 400,
  quotesPerSymbolDay: 200,
  postsPerSymbolDay: 5,
  badRecordRate: 0.01,
};
const logger = createLogger({ level: 'silent', json: true });

interface TradeRecord {
  symbol: string;
  event_at: string;
  price: number;
  size: number;
  trade_id: string;
  conditions: string[];
}

interface Bar {
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number;
  vwap: number | null;
  trade_count: number;
}

/** The regular New York session of the simulated days (EST): 14:30Z-21:00Z. */
const inRegularSession = (t: TradeRecord) =>
  t.event_at.slice(11, 16) >= '14:30' && t.event_at.slice(11, 16) < '21:00';

/**
 * The CTA/UTP rule for the simulator's letters (silver.sale_conditions, rule set consolidated): an
 * odd lot (I) never sets a price; a Form T print (T) sets prices outside the regular session only.
 */
const setsPrice = (t: TradeRecord) =>
  !t.conditions.includes('I') && !(t.conditions.includes('T') && inRegularSession(t));

/**
 * OHLCV + VWAP computed in plain JS from trades in time order: the independent oracle. `naive`: from
 * every print; else prices from the prints that may set them, volume from every print.
 */
function barOf(trades: TradeRecord[], naive = false): Bar {
  const sorted = [...trades].sort((a, b) =>
    a.event_at === b.event_at ? a.trade_id.localeCompare(b.trade_id) : a.event_at < b.event_at ? -1 : 1,
  );
  const priced = naive ? sorted : sorted.filter(setsPrice);
  const priceVolume = priced.reduce((n, t) => n + t.size, 0);
  return {
    open: priced[0]?.price ?? null,
    high: priced.length ? Math.max(...priced.map((t) => t.price)) : null,
    low: priced.length ? Math.min(...priced.map((t) => t.price)) : null,
    close: priced[priced.length - 1]?.price ?? null,
    volume: sorted.reduce((n, t) => n + t.size, 0),
    vwap: priced.length ? priced.reduce((n, t) => n + t.price * t.size, 0) / priceVolume : null,
    trade_count: sorted.length,
  };
}

const NAIVE_COLUMNS =
  'naive_open AS open, naive_high AS high, naive_low AS low, naive_close AS close, naive_volume AS volume, naive_vwap AS vwap, naive_trade_count AS trade_count';

async function goldRows(session: LakeSession, table: string, order: string): Promise<unknown[]> {
  return session.all(`SELECT * FROM gold.${table} ORDER BY ${order}`);
}

describe('demo end to end on the embedded default', () => {
  const market = simulateMarket(simulation);
  const validTrades = market.trades.filter((t) => Trade.safeParse(t).success) as unknown as TradeRecord[];
  let env: Awaited<ReturnType<typeof tempLake>>;
  let first: DemoSummary;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    const config = loadConfig({ LAKE_URL: env.dir });
    first = await runDemo(config, env.lake, logger, { simulation });
    session = await LakeSession.open(env.lake);
  }, 180_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('succeeds, passes its quality checks and serves gold to PGlite', () => {
    expect(first.status).toBe('succeeded');
    expect(first.models.every((m) => m.status === 'succeeded')).toBe(true);
    expect(first.quality.failed).toBe(0);
    expect(first.served?.target).toContain('PGlite');
    const served = Object.fromEntries(first.served!.tables.map((t) => [t.table, t.rows]));
    const lakeRows = Object.fromEntries(first.tables.map((t) => [t.table, t.rows]));
    expect(served.fact_bars).toBe(lakeRows['gold.fact_bars']);
    expect(served.dim_symbol).toBe(10);
  });

  it('reconciles: trades in = silver.trades + quarantine.trades', async () => {
    const [row] = await session.all<{ silver: string; quarantined: string }>(
      'SELECT (SELECT count(*) FROM silver.trades) AS silver, (SELECT count(*) FROM quarantine.trades) AS quarantined',
    );
    expect(market.badRecords.trades).toBeGreaterThan(0);
    expect(Number(row!.quarantined)).toBe(market.badRecords.trades);
    expect(Number(row!.silver) + Number(row!.quarantined)).toBe(market.trades.length);
    const trades = first.ingestion.find((b) => b.dataset === 'trades')!;
    expect(trades.accepted + trades.quarantined).toBe(trades.read);
  });

  for (const naive of [false, true]) {
    it(`every 1m bar of AAPL equals OHLCV/VWAP computed independently from the simulated trades (${naive ? 'naive columns' : 'sale-condition eligibility'})`, async () => {
      const byMinute = new Map<string, TradeRecord[]>();
      for (const t of validTrades.filter((t) => t.symbol === 'AAPL')) {
        const minute = `${t.event_at.slice(0, 16)}:00+00`;
        byMinute.set(minute, [...(byMinute.get(minute) ?? []), t]);
      }
      const columns = naive ? NAIVE_COLUMNS : 'open, high, low, close, volume, vwap, trade_count';
      const rows = await session.all<Bar & { bar_start_at: string }>(
        `SELECT strftime(bar_start_at, '%Y-%m-%dT%H:%M:%S+00') AS bar_start_at, ${columns} FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1m' ORDER BY bar_start_at`,
      );
      expect(rows.length).toBe(byMinute.size);
      for (const row of rows) {
        const expected = barOf(byMinute.get(row.bar_start_at)!, naive);
        expect({
          ...row,
          bar_start_at: undefined,
          vwap: undefined,
          trade_count: Number(row.trade_count),
        }).toEqual({
          ...expected,
          bar_start_at: undefined,
          vwap: undefined,
        });
        if (expected.vwap === null) expect(row.vwap).toBeNull();
        else expect(row.vwap).toBeCloseTo(expected.vwap, 9);
      }
    });
  }

  it('the 1d bar is the regular New York session (09:30-16:00, EST = 14:30Z-21:00Z)', async () => {
    const session1 = validTrades.filter(
      (t) => t.symbol === 'MSFT' && t.event_at >= '2024-03-04T14:30:00' && t.event_at < '2024-03-04T21:00:00',
    );
    for (const naive of [false, true]) {
      // The simulator marks no official open or close, so the 1d bar's are its first and last eligible prints.
      const expected = barOf(session1, naive);
      const columns = naive ? NAIVE_COLUMNS : 'open, high, low, close, volume, vwap, trade_count';
      const [row] = await session.all<Bar & { bar_start_at: string }>(
        `SELECT bar_start_at::VARCHAR AS bar_start_at, ${columns} FROM gold.fact_bars WHERE symbol = 'MSFT' AND interval = '1d' AND session_date = DATE '2024-03-04'`,
      );
      expect(row!.bar_start_at).toBe('2024-03-04 14:30:00+00');
      expect([row!.open, row!.high, row!.low, row!.close, row!.volume, Number(row!.trade_count)]).toEqual([
        expected.open,
        expected.high,
        expected.low,
        expected.close,
        expected.volume,
        expected.trade_count,
      ]);
      expect(row!.vwap).toBeCloseTo(expected.vwap!, 9);
    }
  });

  it('higher intervals roll up to the same figures as the 1m bars', async () => {
    const rows = await session.all<{ n: string }>(`
      SELECT count(*) AS n FROM gold.fact_bars h
      JOIN (SELECT symbol, to_timestamp(floor(epoch(bar_start_at) / 3600) * 3600) AS hour,
                   sum(volume) AS volume, sum(trade_count) AS trades, max(high) AS high, min(low) AS low
            FROM gold.fact_bars WHERE interval = '1m' GROUP BY ALL) m
        ON h.symbol = m.symbol AND h.bar_start_at = m.hour
      WHERE h.interval = '1h' AND (h.volume <> m.volume OR h.trade_count <> m.trades OR h.high <> m.high OR h.low <> m.low)`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('builds the new silver and gold models from the simulated quotes and posts', async () => {
    const lakeRows = Object.fromEntries(first.tables.map((t) => [t.table, t.rows]));
    for (const table of [
      'silver.quotes',
      'silver.sentiment_posts',
      'silver.sentiment_scores',
      'gold.fact_daily_market',
      'gold.fact_daily_sentiment',
      'gold.fact_sentiment_volatility',
    ])
      expect(lakeRows[table], table).toBeGreaterThan(0);
    expect(lakeRows['silver.bars']).toBe(0);
    const [posts] = await session.all<{ n: string; unscored: string; unmatched: string }>(
      'SELECT count(*) AS n, count(*) FILTER (WHERE sentiment_score IS NULL) AS unscored, count(*) FILTER (WHERE len(symbols) = 0) AS unmatched FROM silver.sentiment_posts',
    );
    expect(Number(posts!.n)).toBe(first.ingestion.find((b) => b.dataset === 'sentiment_posts')!.accepted);
    expect(Number(posts!.unscored)).toBe(0);
    expect(Number(posts!.unmatched)).toBe(0);
    const [market] = await session.all<{ n: string; days: string }>(
      'SELECT count(*) AS n, count(DISTINCT session_date) AS days FROM gold.fact_daily_market WHERE log_return IS NOT NULL',
    );
    expect(Number(market!.days)).toBe(1);
    expect(Number(market!.n)).toBe(10);
    const served = Object.fromEntries(first.served!.tables.map((t) => [t.table, t.rows]));
    for (const table of [
      'fact_daily_market',
      'fact_daily_sentiment',
      'fact_sentiment_volatility',
      'fact_alerts',
      'dim_date',
    ])
      expect(served[table], table).toBe(lakeRows[`gold.${table}`]);
  });

  it('a rerun on the same lake ingests nothing twice and gives identical gold tables', async () => {
    const before = {
      bars: await goldRows(session, 'fact_bars', 'symbol, interval, bar_start_at'),
      symbols: await goldRows(session, 'dim_symbol', 'symbol_key'),
      dates: await goldRows(session, 'dim_date', 'date_key'),
    };
    const config = loadConfig({ LAKE_URL: env.dir });
    const newTables = [
      'fact_daily_market',
      'fact_daily_sentiment',
      'fact_sentiment_volatility',
      'fact_alerts',
    ];
    const newBefore = Object.fromEntries(
      await Promise.all(newTables.map(async (t) => [t, await goldRows(session, t, 'ALL')] as const)),
    );
    const second = await runDemo(config, env.lake, logger, { simulation, serve: false });
    expect(second.status).toBe('succeeded');
    expect(second.ingestion.every((b) => b.duplicateBatch)).toBe(true);
    expect(second.models.every((m) => m.action === 'up_to_date')).toBe(true);
    // A full refresh recomputes everything: the rows must come out identical to the bit.
    const rebuild = await LakeSession.open(env.lake);
    try {
      const tasks = await runModels(rebuild, logger, { fullRefresh: true });
      expect(tasks.every((t) => t.status === 'succeeded' && t.action === 'full')).toBe(true);
    } finally {
      rebuild.close();
    }
    const fresh = await LakeSession.open(env.lake);
    try {
      expect(await goldRows(fresh, 'fact_bars', 'symbol, interval, bar_start_at')).toEqual(before.bars);
      expect(await goldRows(fresh, 'dim_symbol', 'symbol_key')).toEqual(before.symbols);
      expect(await goldRows(fresh, 'dim_date', 'date_key')).toEqual(before.dates);
      for (const t of newTables) expect(await goldRows(fresh, t, 'ALL'), t).toEqual(newBefore[t]);
    } finally {
      fresh.close();
    }
  }, 120_000);
});

describe('demo with DATABASE_URL serves to the real PostgreSQL', () => {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `marketlake_demo_${process.pid}_${Date.now()}`;
  let env: Awaited<ReturnType<typeof tempLake>>;

  beforeAll(async () => {
    env = await tempLake();
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${database}`);
    await client.end();
  });

  afterAll(async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.end();
    await env?.cleanup();
  });

  it('loads every gold table and the rows match the lake', async () => {
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    const config = loadConfig({ LAKE_URL: env.dir, DATABASE_URL: url });
    const summary = await runDemo(config, env.lake, logger, { simulation: { ...simulation, days: 1 } });
    expect(summary.status).toBe('succeeded');
    expect(summary.served?.target).toContain(database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const lakeRows = Object.fromEntries(summary.tables.map((t) => [t.table, t.rows]));
      for (const table of [
        'dim_symbol',
        'dim_date',
        'fact_bars',
        'fact_daily_market',
        'fact_daily_sentiment',
        'fact_sentiment_volatility',
        'fact_alerts',
      ]) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM gold.${table}`);
        expect(rows[0].n).toBe(lakeRows[`gold.${table}`]);
      }
      const { rows } = await client.query(
        "SELECT open, close FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1d' ORDER BY bar_start_at LIMIT 1",
      );
      const session = await LakeSession.open(env.lake);
      const [lake] = await session.all<{ open: number; close: number }>(
        "SELECT open, close FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1d' ORDER BY bar_start_at LIMIT 1",
      );
      session.close();
      expect(rows[0]).toEqual(lake);
    } finally {
      await client.end();
    }
  }, 120_000);
});
