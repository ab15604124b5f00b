import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { SENTIMENT_SCORER, sentimentScore } from '../../models/index.js';
import { runModels, type TaskResult } from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

const logger = createLogger({ level: 'silent', json: true });
const num = (v: unknown) => Number(v);

const refs = [
  {
    symbol: 'TEST',
    name: 'Testco Holdings, Inc.',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Tech',
    industry: null,
    valid_from: '2024-01-01',
  },
  {
    symbol: 'ALRT',
    name: 'Alert Systems Corporation',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Tech',
    industry: null,
    valid_from: '2024-01-01',
  },
  {
    symbol: 'VEND',
    name: 'Vendor Only Corp.',
    exchange: 'XNYS',
    asset_class: 'us_equity',
    sector: 'Tech',
    industry: null,
    valid_from: '2024-01-01',
  },
];

const trade = (
  symbol: string,
  event_at: string,
  price: number,
  size: number,
  trade_id: string | null,
  conditions: string[] = [],
) => ({
  symbol,
  event_at,
  price,
  size,
  exchange: 'N',
  trade_id,
  conditions,
  tape: 'A',
  source: 'fixture',
});

/** ALRT: 12 quiet minutes (volume 100/110/90), a volume spike, a 6% move, then a 2.8% swing. */
const alrtVolumes = [...Array.from({ length: 12 }, (_, i) => [100, 110, 90][i % 3]!), 10_000];
const alrtTrades = [
  ...alrtVolumes.map((v, i) =>
    trade('ALRT', `2024-03-04T15:${String(i).padStart(2, '0')}:10Z`, 50, v, `a${i}`),
  ),
  trade('ALRT', '2024-03-04T15:13:10Z', 53, 100, 'a13'),
  trade('ALRT', '2024-03-04T15:14:10Z', 53, 100, 'a14'),
  trade('ALRT', '2024-03-04T15:14:40Z', 54.5, 100, 'a15'),
];

const post = (
  post_id: string,
  created_at: string,
  title: string,
  body: string,
  cashtags: string[],
  score: number,
) => ({
  post_id,
  source: 'reddit',
  created_at,
  author: 'someone',
  title,
  body,
  url: null,
  score,
  comment_count: 0,
  community: 'stocks',
  cashtags,
});

describe('SQL models on fixture rows', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  let tasks: TaskResult[];

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    await writeBronze(session, env.dir, 'symbol_refs', refs);
    await writeBronze(session, env.dir, 'trades', [
      trade('TEST', '2024-03-04T13:00:00Z', 98, 1, 't0'),
      trade('TEST', '2024-03-04T14:30:05Z', 100, 10, 't1'),
      trade('TEST', '2024-03-04T14:30:20Z', 101, 5, 't2'),
      trade('TEST', '2024-03-04T14:30:40Z', 100.5, 10, 't3'),
      trade('TEST', '2024-03-04T14:31:10Z', 102, 20, 't4'),
      trade('TEST', '2024-03-04T14:31:30Z', 103, 50, 't8'),
      trade('TEST', '2024-03-04T14:31:50Z', 101.5, 10, 't5'),
      trade('TEST', '2024-03-04T14:32:30Z', 99, 30, 't6'),
      trade('TEST', '2024-03-04T14:32:45Z', 150, 1, 't7', ['SUSPICIOUS']),
      trade('TEST', '2024-03-05T14:30:10Z', 105, 10, null),
      trade('TEST', '2024-03-05T14:30:10Z', 105, 10, null),
      trade('TEST', '2024-03-05T14:31:10Z', 104, 10, null),
      ...alrtTrades,
    ]);
    // A later batch cancels t8 and corrects t6.
    await writeBronze(session, env.dir, 'trades', [
      trade('TEST', '2024-03-04T14:31:30Z', 103, 50, 't8', ['CANCEL']),
      trade('TEST', '2024-03-04T14:32:30Z', 99.5, 30, 't6', ['CORRECTION']),
    ]);
    await writeBronze(session, env.dir, 'quotes', [
      {
        symbol: 'TEST',
        event_at: '2024-03-04T14:30:00Z',
        bid_price: 100,
        bid_size: 1,
        ask_price: 100.1,
        ask_size: 1,
        source: 'fixture',
        conditions: [],
      },
      {
        symbol: 'TEST',
        event_at: '2024-03-04T14:30:01Z',
        bid_price: 100,
        bid_size: 1,
        ask_price: 100,
        ask_size: 1,
        source: 'fixture',
        conditions: [],
      },
      {
        symbol: 'TEST',
        event_at: '2024-03-04T14:30:02Z',
        bid_price: 100.2,
        bid_size: 1,
        ask_price: 100.1,
        ask_size: 1,
        source: 'fixture',
        conditions: [],
      },
    ]);
    const bar = (
      symbol: string,
      bar_start_at: string,
      o: number,
      h: number,
      l: number,
      c: number,
      volume: number,
      vwap: number | null,
    ) => ({
      symbol,
      bar_start_at,
      interval: '1m',
      open: o,
      high: h,
      low: l,
      close: c,
      volume,
      vwap,
      trade_count: null,
      source: 'vendor',
    });
    await writeBronze(session, env.dir, 'bars', [
      bar('VEND', '2024-03-04T13:00:00Z', 9, 9, 9, 9, 5, 9),
      bar('VEND', '2024-03-04T14:30:00Z', 10, 11, 9.5, 10.5, 100, 10.25),
      bar('VEND', '2024-03-04T14:31:00Z', 10.5, 12, 10.4, 11, 50, 11.5),
      bar('VEND', '2024-03-04T14:36:00Z', 11, 11.2, 10.8, 10.9, 25, 11),
      bar('TEST', '2024-03-04T14:30:00Z', 1, 1, 1, 1, 1, 1),
    ]);
    await writeBronze(session, env.dir, 'sentiment_posts', [
      post('p1', '2024-03-04T15:00:00Z', '$TEST to the moon', 'I love it, great buy!', ['TEST'], 10),
      post('p2', '2024-03-04T16:00:00Z', 'Testco earnings', 'Results were good.', [], 0),
      post('p3', '2024-03-05T02:00:00Z', 'Bad news', '$ALRT and $NOPE are awful', [], 3),
    ]);
    await writeBronze(session, env.dir, 'sentiment_posts', [
      post('p1', '2024-03-04T15:00:00Z', '$TEST to the moon', 'I hate it, terrible.', ['TEST'], 10),
    ]);
    tasks = await runModels(session, logger);
  }, 120_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('builds every model', () => {
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
    expect(tasks.every((t) => t.action === 'full')).toBe(true);
  });

  it('silver.trades applies cancels and corrections, flags suspicious prints and keeps id-less twins', async () => {
    const rows = await session.all<{
      trade_id: string | null;
      price: number;
      is_corrected: boolean;
      is_suspicious: boolean;
    }>(
      "SELECT trade_id, price, is_corrected, is_suspicious FROM silver.trades WHERE symbol = 'TEST' ORDER BY event_at, trade_id",
    );
    expect(rows.map((r) => r.trade_id)).toEqual([
      't0',
      't1',
      't2',
      't3',
      't4',
      't5',
      't6',
      't7',
      null,
      null,
      null,
    ]);
    expect(rows.find((r) => r.trade_id === 't6')).toMatchObject({ price: 99.5, is_corrected: true });
    expect(rows.find((r) => r.trade_id === 't7')?.is_suspicious).toBe(true);
  });

  it('gold.fact_bars: exact 1m bars and the regular-session 1d bar, without suspicious prints', async () => {
    const bars = await session.all<Record<string, number | string>>(
      "SELECT interval, strftime(bar_start_at, '%H:%M') AS t, open, high, low, close, volume, vwap, trade_count FROM gold.fact_bars WHERE symbol = 'TEST' AND session_date = DATE '2024-03-04' AND interval IN ('1m', '1d') ORDER BY interval, bar_start_at",
    );
    expect(
      bars.map((b) => [b.interval, b.t, b.open, b.high, b.low, b.close, b.volume, num(b.trade_count)]),
    ).toEqual([
      ['1d', '14:30', 100, 102, 99.5, 99.5, 85, 6],
      ['1m', '13:00', 98, 98, 98, 98, 1, 1],
      ['1m', '14:30', 100, 101, 100, 100.5, 25, 3],
      ['1m', '14:31', 102, 102, 101.5, 101.5, 30, 2],
      ['1m', '14:32', 99.5, 99.5, 99.5, 99.5, 30, 1],
    ]);
    expect(bars[0]!.vwap).toBeCloseTo((1000 + 505 + 1005 + 2040 + 1015 + 2985) / 85, 12);
  });

  it('gold.fact_bars falls back to vendor bars only where a symbol has no trades', async () => {
    const bars = await session.all<Record<string, number | string | null>>(
      "SELECT interval, strftime(bar_start_at, '%H:%M') AS t, open, high, low, close, volume, vwap, trade_count FROM gold.fact_bars WHERE symbol = 'VEND' AND interval IN ('1d', '5m') ORDER BY interval, bar_start_at",
    );
    expect(
      bars.map((b) => [b.interval, b.t, b.open, b.high, b.low, b.close, b.volume, b.trade_count]),
    ).toEqual([
      ['1d', '14:30', 10, 12, 9.5, 10.9, 175, null],
      ['5m', '13:00', 9, 9, 9, 9, 5, null],
      ['5m', '14:30', 10, 12, 9.5, 11, 150, null],
      ['5m', '14:35', 11, 11.2, 10.8, 10.9, 25, null],
    ]);
    expect(bars[0]!.vwap).toBeCloseTo((1025 + 575 + 275) / 175, 12);
    const [test] = await session.all<{ n: string }>(
      "SELECT count(*) AS n FROM gold.fact_bars WHERE symbol = 'TEST' AND interval = '1m' AND open = 1",
    );
    expect(Number(test!.n)).toBe(0);
  });

  it('gold.fact_daily_market: returns and volatility equal an independent computation', async () => {
    const rows = await session.all<Record<string, number | string>>(
      "SELECT session_date::VARCHAR AS d, previous_close, log_return, realized_vol, n_intraday_returns, parkinson_vol, garman_klass_vol, volume, dollar_volume FROM gold.fact_daily_market WHERE symbol = 'TEST' ORDER BY session_date",
    );
    const closes = [100.5, 101.5, 99.5];
    const rv1 = Math.sqrt(Math.log(closes[1]! / closes[0]!) ** 2 + Math.log(closes[2]! / closes[1]!) ** 2);
    const hl = Math.log(102 / 99.5);
    const co = Math.log(99.5 / 100);
    expect(rows[0]!.previous_close).toBeNull();
    expect(rows[0]!.log_return).toBeNull();
    expect(rows[0]!.realized_vol).toBeCloseTo(rv1, 14);
    expect(num(rows[0]!.n_intraday_returns)).toBe(2);
    expect(rows[0]!.parkinson_vol).toBeCloseTo(Math.sqrt(hl ** 2 / (4 * Math.log(2))), 14);
    expect(rows[0]!.garman_klass_vol).toBeCloseTo(
      Math.sqrt(0.5 * hl ** 2 - (2 * Math.log(2) - 1) * co ** 2),
      14,
    );
    expect(rows[0]!.volume).toBe(85);
    expect(rows[0]!.dollar_volume).toBeCloseTo(8550, 9);
    expect(rows[1]).toMatchObject({ d: '2024-03-05', previous_close: 99.5, volume: 30 });
    expect(rows[1]!.log_return).toBeCloseTo(Math.log(104 / 99.5), 14);
    expect(rows[1]!.realized_vol).toBeCloseTo(Math.abs(Math.log(104 / 105)), 14);
  });

  it('gold.fact_alerts: each rule fires on its bar with the observed value', async () => {
    const alerts = await session.all<{ t: string; rule: string; threshold: number; observed_value: number }>(
      "SELECT strftime(bar_start_at, '%H:%M') AS t, rule, threshold, observed_value FROM gold.fact_alerts WHERE symbol = 'ALRT' ORDER BY bar_start_at, rule",
    );
    const prior = alrtVolumes.slice(0, 12);
    const mean = prior.reduce((a, b) => a + b, 0) / prior.length;
    const std = Math.sqrt(prior.reduce((a, b) => a + (b - mean) ** 2, 0) / (prior.length - 1));
    expect(alerts.map((a) => [a.t, a.rule, a.threshold])).toEqual([
      ['15:12', 'volume_spike', 3],
      ['15:13', 'price_move_1m', 0.05],
      ['15:14', 'high_low_swing_1m', 0.02],
    ]);
    expect(alerts[0]!.observed_value).toBeCloseTo((10_000 - mean) / std, 10);
    expect(alerts[1]!.observed_value).toBeCloseTo(0.06, 12);
    expect(alerts[2]!.observed_value).toBeCloseTo(54.5 / 53 - 1, 12);
  });

  it('silver.quotes flags locked and crossed quotes', async () => {
    const rows = await session.all<{ is_locked: boolean; is_crossed: boolean; spread_bps: number }>(
      'SELECT is_locked, is_crossed, spread_bps FROM silver.quotes ORDER BY event_at',
    );
    expect(rows.map((r) => [r.is_locked, r.is_crossed])).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
    expect(rows[0]!.spread_bps).toBeCloseTo((0.1 / 100.05) * 10_000, 9);
  });

  it('silver.sentiment_posts keeps the latest edit, matches cashtags and names, records the scorer', async () => {
    const rows = await session.all<{
      post_id: string;
      body: string;
      symbols: string[];
      name_symbols: string[];
      sentiment_score: number;
      scorer_name: string;
      scorer_version: string;
    }>(
      'SELECT post_id, body, symbols, name_symbols, sentiment_score, scorer_name, scorer_version FROM silver.sentiment_posts ORDER BY post_id',
    );
    expect(rows.map((r) => [r.post_id, r.symbols, r.name_symbols])).toEqual([
      ['p1', ['TEST'], []],
      ['p2', ['TEST'], ['TEST']],
      ['p3', ['ALRT'], []],
    ]);
    expect(rows[0]!.body).toBe('I hate it, terrible.');
    expect(rows[0]!.sentiment_score).toBe(sentimentScore('$TEST to the moon\nI hate it, terrible.'));
    expect(rows[0]!.sentiment_score).toBeLessThan(0);
    expect(rows[1]!.sentiment_score).toBe(sentimentScore('Testco earnings\nResults were good.'));
    expect(
      rows.every((r) => r.scorer_name === 'vader-sentiment' && r.scorer_version === SENTIMENT_SCORER.version),
    ).toBe(true);
  });

  it('gold.fact_daily_sentiment and fact_sentiment_volatility: exact daily figures', async () => {
    const s1 = sentimentScore('$TEST to the moon\nI hate it, terrible.');
    const s2 = sentimentScore('Testco earnings\nResults were good.');
    const rows = await session.all<Record<string, number | string>>(
      'SELECT symbol, session_date::VARCHAR AS d, post_count, mean_sentiment, weighted_sentiment, bullish_share, bearish_share, total_upvotes FROM gold.fact_daily_sentiment ORDER BY symbol',
    );
    expect(rows.map((r) => [r.symbol, r.d, num(r.post_count), num(r.total_upvotes)])).toEqual([
      ['ALRT', '2024-03-04', 1, 3],
      ['TEST', '2024-03-04', 2, 10],
    ]);
    expect(rows[1]!.mean_sentiment).toBeCloseTo((s1 + s2) / 2, 12);
    expect(rows[1]!.weighted_sentiment).toBeCloseTo((s1 * 11 + s2) / 12, 12);
    expect([rows[1]!.bullish_share, rows[1]!.bearish_share]).toEqual([0.5, 0.5]);
    const [sv] = await session.all<Record<string, number | string | null>>(
      "SELECT next_session_date::VARCHAR AS next_d, next_realized_vol, realized_vol, rolling_pairs, rolling_corr_30d FROM gold.fact_sentiment_volatility WHERE symbol = 'TEST'",
    );
    expect(sv!.next_d).toBe('2024-03-05');
    expect(sv!.next_realized_vol).toBeCloseTo(Math.abs(Math.log(104 / 105)), 14);
    expect(num(sv!.rolling_pairs)).toBe(1);
    expect(sv!.rolling_corr_30d).toBeNull();
  });
});
