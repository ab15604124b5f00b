import { describe, expect, it } from 'vitest';
import { type TableRef, tableRef, writeTable } from '../../layers/index.js';
import {
  acceptedValues,
  barRules,
  customSql,
  dailyVolumeMatchesVendor,
  freshness,
  MODELS,
  noMissingMinuteBars,
  notNull,
  quotesNotCrossed,
  range,
  relationship,
  rowCountAnomaly,
  rowCountBetween,
  rowRule,
  uniqueKey,
} from '../../models/index.js';
import { blockedByChecks, buildDag, runQuality } from '../../orchestrator/index.js';
import {
  type CheckResult,
  type CheckTarget,
  renderHtml,
  renderMarkdown,
  runChecks,
} from '../../quality/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

/**
 * Data-quality checks (issue #16): every check type passes on clean data and catches its seeded
 * defect; thresholds and severities; the anomaly check is calendar-aware; results accumulate in
 * the catalog; a failed error check blocks its gold table and everything downstream from serving.
 */

const bars = tableRef('silver', 'qc_bars');
const dim = tableRef('gold', 'qc_dim');
const vendor = tableRef('silver', 'qc_vendor');
const quotes = tableRef('silver', 'qc_quotes');
const counts = tableRef('silver', 'qc_counts');

/** Two liquid symbols, two sessions: 390 regular 1m bars each plus a 1d bar; defects when `dirty`. */
function barsSql(dirty: boolean): string {
  const d = dirty ? 'true' : 'false';
  return `
WITH minutes AS (
  SELECT s.symbol, s.session_date, m.i,
    timezone('America/New_York', CAST(s.session_date AS TIMESTAMP) + INTERVAL 570 MINUTE + m.i * INTERVAL 1 MINUTE) AS bar_start_at,
    CAST(100 + m.i * 0.01 AS DOUBLE) AS open, CAST(100.5 + m.i * 0.01 AS DOUBLE) AS close
  FROM (VALUES ('AAA', DATE '2024-03-04'), ('AAA', DATE '2024-03-05'), ('BBB', DATE '2024-03-04'), ('BBB', DATE '2024-03-05')) s(symbol, session_date),
       range(390) m(i)
  WHERE NOT (${d} AND s.symbol = 'BBB' AND s.session_date = DATE '2024-03-05' AND m.i = 100)
),
one_minute AS (
  SELECT symbol, session_date, '1m' AS interval, bar_start_at, open,
    CASE WHEN ${d} AND symbol = 'AAA' AND i = 10 AND session_date = DATE '2024-03-04' THEN least(open, close) - 0.25 ELSE close + 0.5 END AS high,
    CASE WHEN ${d} AND symbol = 'AAA' AND i = 20 AND session_date = DATE '2024-03-04' THEN greatest(open, close) + 0.25 ELSE open - 0.5 END AS low,
    close,
    CAST(CASE WHEN ${d} AND symbol = 'AAA' AND i = 30 AND session_date = DATE '2024-03-04' THEN -5 ELSE 1000 END AS BIGINT) AS volume,
    CASE WHEN ${d} AND symbol = 'AAA' AND i = 40 AND session_date = DATE '2024-03-04' THEN close + 5 ELSE (open + close) / 2 END AS vwap,
    CASE WHEN ${d} AND symbol = 'BBB' AND i = 50 AND session_date = DATE '2024-03-04' THEN NULL ELSE symbol || '#1' END AS symbol_key
  FROM minutes
),
daily AS (
  SELECT symbol, session_date, '1d' AS interval, min(bar_start_at) AS bar_start_at, 100.0::DOUBLE AS open, 110.0::DOUBLE AS high, 99.0::DOUBLE AS low, 105.0::DOUBLE AS close,
    390000::BIGINT AS volume,
    104.0::DOUBLE AS vwap, symbol || '#1' AS symbol_key
  FROM minutes GROUP BY symbol, session_date
),
extra AS (
  -- a duplicate key, an unknown interval, a key not valid yet at the fact's date (SCD2)
  SELECT * FROM one_minute WHERE ${d} AND symbol = 'AAA' AND session_date = DATE '2024-03-04' AND bar_start_at = (SELECT min(bar_start_at) FROM one_minute)
  UNION ALL
  SELECT symbol, session_date, '2m', bar_start_at + INTERVAL 1 SECOND, open, high, low, close, volume, vwap, symbol_key
  FROM daily WHERE ${d} AND symbol = 'BBB' AND session_date = DATE '2024-03-04'
  UNION ALL
  SELECT symbol, session_date, '5m', bar_start_at, open, high, low, close, volume, vwap, 'BBB#2'
  FROM daily WHERE ${d} AND symbol = 'BBB' AND session_date = DATE '2024-03-04'
)
SELECT * FROM one_minute UNION ALL SELECT * FROM daily UNION ALL SELECT * FROM extra`;
}

const TARGETS: CheckTarget[] = [
  {
    ref: bars,
    partitionColumn: 'session_date',
    checks: [
      notNull(bars, ['symbol_key']),
      uniqueKey(bars, ['symbol', 'interval', 'bar_start_at'], { partitionColumn: 'session_date' }),
      acceptedValues(bars, 'interval', ['1m', '5m', '1d']),
      relationship(
        bars,
        'symbol_key',
        { to: dim, toColumn: 'symbol_key', validFrom: 'valid_from', validTo: 'valid_to', at: 'session_date' },
        { partitionColumn: 'session_date' },
      ),
      freshness(bars, 'bar_start_at', 24),
      customSql(
        'intraday_bar_in_its_session',
        `SELECT * FROM silver.qc_bars WHERE interval = '1m' AND CAST(timezone('America/New_York', bar_start_at) AS DATE) <> session_date`,
        'a 1m bar starts on its session date (New York)',
      ),
      ...barRules(bars, {
        open: 'open',
        high: 'high',
        low: 'low',
        close: 'close',
        volume: 'volume',
        vwap: 'vwap',
      }),
      noMissingMinuteBars(bars, 300),
      dailyVolumeMatchesVendor(bars, vendor, 0.05),
    ],
  },
  {
    ref: vendor,
    partitionColumn: 'session_date',
    checks: [rowCountBetween(vendor, { min: 2 }, { partitionColumn: 'session_date' })],
  },
  {
    ref: quotes,
    partitionColumn: null,
    checks: [
      quotesNotCrossed(quotes),
      range(quotes, 'spread_bps', { min: 0, max: 10_000 }),
      rowRule(quotes, 'positive_bid', 'bid_price > 0', 'bid is positive'),
      // Thresholds and severities: 1 of 10 bad rows is within a 20% threshold; a warn check never fails a run.
      rowRule(quotes, 'size_round_lot', 'bid_size % 100 = 0', 'bid size in round lots', { threshold: 0.2 }),
      rowRule(quotes, 'ask_size_round_lot', 'ask_size % 100 = 0', 'ask size in round lots', {
        severity: 'warn',
      }),
    ],
  },
];

async function writeFixtures(session: Parameters<typeof writeTable>[0], dirty: boolean): Promise<void> {
  const d = dirty ? 'true' : 'false';
  const put = (ref: TableRef, sql: string, partitionColumn: string | null) =>
    writeTable(session, ref, sql, { operation: 'replace', partitionColumn });
  await put(bars, barsSql(dirty), 'session_date');
  await put(
    dim,
    `SELECT * FROM (VALUES ('AAA#1', DATE '2024-01-01', NULL::DATE), ('BBB#1', DATE '2024-01-01', DATE '2024-06-01'), ('BBB#2', DATE '2024-06-01', NULL::DATE)) t(symbol_key, valid_from, valid_to)`,
    null,
  );
  await put(
    vendor,
    `SELECT symbol, session_date, '1d' AS interval, 'vendorx' AS source, CASE WHEN ${d} AND symbol = 'AAA' AND session_date = DATE '2024-03-05' THEN 2000 ELSE 390000 END AS volume
     FROM (VALUES ('AAA', DATE '2024-03-04'), ('AAA', DATE '2024-03-05'), ('BBB', DATE '2024-03-04'), ('BBB', DATE '2024-03-05')) t(symbol, session_date)
     WHERE NOT (${d} AND symbol = 'BBB' AND session_date = DATE '2024-03-05')`,
    'session_date',
  );
  await put(
    quotes,
    `SELECT i,
       CASE WHEN ${d} AND i = 1 THEN 101.0 ELSE 100.0 END AS bid_price,
       100.5 AS ask_price,
       CASE WHEN ${d} AND i = 2 THEN 20000 ELSE 50 END AS spread_bps,
       CASE WHEN i = 3 THEN 150 ELSE 100 END AS bid_size,
       CASE WHEN i = 4 THEN 150 ELSE 100 END AS ask_size
     FROM range(10) t(i)
     UNION ALL SELECT 10, 0.0, 100.5, 50, 100, 100 WHERE ${d}`,
    null,
  );
  if (dirty)
    await writeTable(
      session,
      bars,
      `SELECT 'AAA' AS symbol, DATE '2024-03-05' AS session_date, '1m' AS interval, TIMESTAMPTZ '2024-03-07 15:00:00+00' AS bar_start_at, 1.0::DOUBLE AS open, 1.0::DOUBLE AS high, 1.0::DOUBLE AS low, 1.0::DOUBLE AS close, 1::BIGINT AS volume, 1.0::DOUBLE AS vwap, 'AAA#1' AS symbol_key`,
      { operation: 'append', partitionColumn: 'session_date' },
    );
}

const statusOf = (results: readonly CheckResult[]) =>
  Object.fromEntries(results.map((r) => [`${r.model}.${r.check}`, r.status]));

describe('data-quality checks', () => {
  const shared = sharedSession();
  const fresh = new Date('2024-03-05T21:30:00Z');

  it('every check type passes on clean data and catches its seeded defect, in one scan per table', async () => {
    const { session } = shared;
    await writeFixtures(session, false);
    const clean = await runChecks(session, TARGETS, { referenceAt: fresh });
    // Clean: only the warn check's standing defect (one odd lot in ten) shows.
    expect(clean.filter((r) => r.status !== 'pass').map((r) => [r.model, r.check, r.status])).toEqual([
      ['silver.qc_quotes', 'ask_size_round_lot', 'fail'],
    ]);
    const size = clean.find((r) => r.check === 'size_round_lot')!;
    expect(size).toMatchObject({ status: 'pass', failingRows: 1, rows: 10, threshold: 0.2 });

    await writeFixtures(session, true);
    const dirty = await runChecks(session, TARGETS, {
      referenceAt: new Date('2024-03-15T00:00:00Z'),
      sampleSize: 3,
    });
    expect(dirty.filter((r) => r.status === 'error')).toEqual([]);
    expect(statusOf(dirty)).toEqual({
      'silver.qc_bars.not_null_symbol_key': 'fail',
      'silver.qc_bars.unique_symbol_interval_bar_start_at': 'fail',
      'silver.qc_bars.accepted_values_interval': 'fail',
      'silver.qc_bars.relationship_symbol_key_qc_dim': 'fail',
      'silver.qc_bars.freshness_bar_start_at': 'fail',
      'silver.qc_bars.intraday_bar_in_its_session': 'fail',
      'silver.qc_bars.high_ge_open_close': 'fail',
      'silver.qc_bars.low_le_open_close': 'fail',
      'silver.qc_bars.volume_non_negative': 'fail',
      'silver.qc_bars.vwap_within_low_high': 'fail',
      'silver.qc_bars.no_missing_1m_bars': 'fail',
      'silver.qc_bars.daily_volume_matches_vendor': 'fail',
      'silver.qc_vendor.row_count': 'fail',
      'silver.qc_quotes.quotes_not_crossed': 'fail',
      'silver.qc_quotes.range_spread_bps': 'fail',
      'silver.qc_quotes.positive_bid': 'fail',
      // 1 of 11 rows is within 20%: passes; the warn check fails but only warns.
      'silver.qc_quotes.size_round_lot': 'pass',
      'silver.qc_quotes.ask_size_round_lot': 'fail',
    });
    const by = (check: string) => dirty.find((r) => r.check === check)!;
    expect(by('volume_non_negative')).toMatchObject({ failingRows: 1, kind: 'market_rule' });
    expect(by('volume_non_negative').sample[0]).toMatchObject({ symbol: 'AAA', volume: '-5' });
    expect(by('no_missing_1m_bars').sample).toEqual([
      expect.objectContaining({ symbol: 'BBB', session_date: '2024-03-05', missing_minutes: '1' }),
    ]);
    // SCD2: BBB#2 exists but is valid only from June; the NULL key is not the relationship's business.
    expect(by('relationship_symbol_key_qc_dim')).toMatchObject({ failingRows: 1 });
    expect(by('relationship_symbol_key_qc_dim').sample[0]).toMatchObject({ symbol_key: 'BBB#2' });
    expect(by('daily_volume_matches_vendor').sample[0]).toMatchObject({ symbol: 'AAA', vendor_volume: 2000 });
    expect(by('not_null_symbol_key').partitions).toEqual([
      { partition: '2024-03-04', rows: 785, failingRows: 1, status: 'fail' },
      { partition: '2024-03-05', rows: 782, failingRows: 0, status: 'pass' },
    ]);
    // --from/--to: only the partitions asked for are read.
    const scoped = await runChecks(session, TARGETS.slice(0, 1), {
      from: '2024-03-05',
      to: '2024-03-05',
      referenceAt: fresh,
    });
    expect(scoped.find((r) => r.check === 'not_null_symbol_key')).toMatchObject({
      status: 'pass',
      rows: 782,
    });
    expect(scoped.find((r) => r.check === 'high_ge_open_close')).toMatchObject({ status: 'pass' });
  });

  it('flags a day with a third of its rows removed, not an early close or a holiday', async () => {
    const { session } = shared;
    // 10 rows per session minute, 2024-06-17..07-12; July 3 closes at 13:00, July 4 is a holiday (no
    // partition); July 10 lost a third of its rows.
    await writeTable(
      session,
      counts,
      `WITH days AS (
         SELECT CAST(d AS DATE) AS dt FROM generate_series(DATE '2024-06-17', DATE '2024-07-12', INTERVAL 1 DAY) t(d)
         WHERE isodow(d) <= 5 AND CAST(d AS DATE) NOT IN (DATE '2024-06-19', DATE '2024-07-04')
       )
       SELECT dt, r AS i FROM days, range(CASE WHEN dt = DATE '2024-07-03' THEN 2100 WHEN dt = DATE '2024-07-10' THEN 2600 ELSE 3900 + (day(dt) % 3) * 15 END) t(r)`,
      { operation: 'replace', partitionColumn: 'dt' },
    );
    const [result] = await runChecks(session, [
      {
        ref: counts,
        partitionColumn: 'dt',
        checks: [rowCountAnomaly(counts, { calendar: 'nyse', trailing: 10 })],
      },
    ]);
    expect(result).toMatchObject({ kind: 'row_count_anomaly', status: 'fail', failingRows: 1 });
    expect(result!.sample).toEqual([
      expect.objectContaining({
        partition: '2024-07-10',
        rows: 2600,
        session_minutes: 390,
        change_pct: expect.closeTo(-33.4, 0),
      }),
    ]);
    const july3 = result!.partitions!.find((p) => p.partition === '2024-07-03');
    expect(july3).toEqual({ partition: '2024-07-03', rows: 2100, failingRows: 0, status: 'pass' });
    // A plain day-over-day rule would have flagged July 3 (-46%): the calendar is what spares it.
    const [naive] = await runChecks(session, [
      {
        ref: counts,
        partitionColumn: 'dt',
        checks: [rowCountAnomaly(counts, { calendar: 'daily', trailing: 10 })],
      },
    ]);
    expect(naive!.sample.map((s) => s.partition)).toEqual(['2024-07-03', '2024-07-10']);
  });

  it('stores results per check, partition and run; the report shows history, changes and charts', async () => {
    const { session, env } = shared;
    const targets = TARGETS.slice(2); // quotes: one table, fast
    await runQuality(session, 'run_q1', { targets, referenceAt: fresh });
    await runQuality(session, 'run_q2', { targets, referenceAt: fresh });
    // Fix the crossed quote: the change since the last run shows.
    await writeTable(
      session,
      quotes,
      `SELECT i, 100.0 AS bid_price, 100.5 AS ask_price, 50 AS spread_bps, 100 AS bid_size, 100 AS ask_size, '<script>alert(1)</script>' AS note FROM range(10) t(i)`,
      { operation: 'replace', partitionColumn: null },
    );
    const { report } = await runQuality(session, 'run_q3', { targets, referenceAt: fresh });
    const history = await env.lake.checks.recent({ model: 'silver.qc_quotes', check: 'quotes_not_crossed' });
    expect(history.map((h) => [h.runId, h.status, h.failingRows])).toEqual([
      ['run_q3', 'pass', 0],
      ['run_q2', 'fail', 1],
      ['run_q1', 'fail', 1],
    ]);
    expect(report.changes).toContainEqual({
      model: 'silver.qc_quotes',
      check: 'quotes_not_crossed',
      before: 'fail',
      after: 'pass',
    });
    expect(report.trends).toContainEqual({
      model: 'silver.qc_quotes',
      check: 'quotes_not_crossed',
      runs: 3,
      passed: 1,
    });
    expect(report.schema).toBe('marketlake.dq-report');
    const html = renderHtml(report);
    expect(html).toContain('class="bars"');
    expect(html).toContain('Changed since the last run');
    // No live markup of its own either (the fault suite's hostile-input scan expects none).
    expect(html).not.toMatch(/<\s*(script|img|svg|iframe|b)\b/i);
    const md = renderMarkdown(report);
    expect(md.match(/```/g)?.length ?? 0).toBe(2 * (md.match(/^## /gm)?.length ?? 0));
    expect(md).toContain('| silver.qc_quotes | quotes_not_crossed | fail | pass |');
  });

  it('a failed error check blocks its gold table and everything downstream from serving', async () => {
    const { session } = shared;
    const dag = await buildDag(session, MODELS);
    const failed = (model: string, check: string, severity: 'error' | 'warn' = 'error'): CheckResult => ({
      model,
      check,
      kind: 'unique',
      severity,
      description: '',
      status: 'fail',
      failingRows: 2,
      rows: 10,
      sample: [],
      ms: 0,
    });
    const blocked = blockedByChecks(dag, [
      failed('silver.trades', 'unique_source_symbol_trade_id'),
      failed('gold.dim_symbol', 'one_current_version', 'warn'),
    ]);
    expect(blocked.fact_bars).toBe(
      'upstream error check silver.trades unique_source_symbol_trade_id failed (2 offending rows)',
    );
    expect(blocked.fact_daily_market).toMatch(/^upstream error check silver.trades/);
    expect(blocked.dim_symbol).toBeUndefined(); // a warning blocks nothing, and dim_symbol is not downstream
    expect(blocked.fact_daily_sentiment).toBeUndefined();
    const own = blockedByChecks(dag, [failed('gold.fact_bars', 'unique_symbol_interval_bar_start_at')]);
    expect(own.fact_bars).toMatch(/^error check gold.fact_bars/);
    // A bronze failure blocks what reads it.
    const bronze = blockedByChecks(dag, [failed('bronze.trades', 'not_null_symbol_event_at_price_size')]);
    expect(bronze.fact_bars).toMatch(/^upstream error check bronze.trades/);
    expect(bronze.fact_daily_sentiment).toBeUndefined();
  });
});
