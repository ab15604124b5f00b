import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Lake, LakeSession, literal } from '../../layers/index.js';
import { formatMapping, ingestMappedFile, scanFile } from '../../pipelines/index.js';

/**
 * Our 1m bars against AlgoSeek's own minute bars (../shared/data/us-equity-ticks-algoseek, read in
 * place): used by `npm run bench -- bars` and by the eligibility test's regression floor.
 */

/** The shared AlgoSeek folder, from the working directory (the repository root). */
export const ALGOSEEK_DIR = resolve(
  process.env.MARKETLAKE_SHARED_DATA ?? '../shared/data',
  'us-equity-ticks-algoseek',
);

/** The day everything was derived on; the other days are held out. */
export const DERIVATION_DAY = '2013-10-07';

export interface AlgoseekFile {
  path: string;
  /** YYYY-MM-DD */
  day: string;
  symbol: string;
}

function listed(folder: string, suffix: string): AlgoseekFile[] {
  return readdirSync(join(ALGOSEEK_DIR, folder))
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => {
      const m = /^(\d{4})(\d{2})(\d{2})_([a-z]+)_/.exec(f)!;
      return {
        path: join(ALGOSEEK_DIR, folder, f),
        day: `${m[1]}-${m[2]}-${m[3]}`,
        symbol: m[4]!.toUpperCase(),
      };
    });
}

/** Trade tick files (`trades/`) and vendor minute-bar files (`minute_bars/`) of the shared data. */
export function algoseekFiles(): { trades: AlgoseekFile[]; minuteBars: AlgoseekFile[] } {
  return {
    trades: listed('trades', '_Trade_Tick.csv.gz'),
    minuteBars: listed('minute_bars', '_minute_trade.csv.gz'),
  };
}

/** Ingest AlgoSeek trade files through the `algoseek` preset, as `marketlake ingest --format algoseek` does. */
export async function ingestAlgoseekTrades(lake: Lake, files: readonly AlgoseekFile[]): Promise<number> {
  const session = await LakeSession.open(lake);
  let accepted = 0;
  try {
    for (const f of files) {
      const { firstLine } = await scanFile(f.path);
      const mapping = formatMapping('algoseek', { dataset: 'trades', file: f.path, firstLine });
      const r = await ingestMappedFile(session, f.path, { mapping });
      if (r.quarantined > 0) throw new Error(`${f.path}: ${r.quarantined} records quarantined`);
      accepted += r.accepted;
    }
  } finally {
    session.close();
  }
  return accepted;
}

/** Agreement of one symbol and day: vendor minutes, ours, and minutes equal in all five fields. */
export interface MinuteAgreement {
  day: string;
  symbol: string;
  vendorMinutes: number;
  ourMinutes: number;
  /** Vendor minutes whose bar from gold.fact_bars (open..volume) is equal in all five. */
  eligible: number;
  /** The same with the naive_* columns (every print). */
  naive: number;
  /** Vendor minutes that differ, by class (see `classify` in the SQL below). */
  differences: Record<string, number>;
}

/**
 * Compare gold.fact_bars (1m) with the vendor files, minute by minute; only days with trades in the
 * lake. Vendor prices are deci-cents and times New York milliseconds of the day, as in the trades.
 * A differing minute is classed `auction` when it is 09:30-09:31 or 15:59-16:01 New York (the
 * vendor folds the opening and closing auction prints differently), else by the fields that differ.
 */
export async function minuteAgreement(
  session: LakeSession,
  files: readonly AlgoseekFile[],
): Promise<MinuteAgreement[]> {
  if (files.length === 0) return [];
  const list = `[${files.map((f) => literal(f.path)).join(', ')}]`;
  const rows = await session.all<Record<string, string | number>>(`
    WITH vendor AS (
      SELECT upper(regexp_extract(filename, '\\d{8}_([a-z]+)_', 1)) AS symbol,
             strptime(regexp_extract(filename, '(\\d{8})_[a-z]+_minute', 1), '%Y%m%d')::DATE AS day,
             column0::BIGINT AS ms, column1::BIGINT AS o, column2::BIGINT AS h, column3::BIGINT AS l,
             column4::BIGINT AS c, column5::DOUBLE AS v
      FROM read_csv(${list}, header = false, filename = true, all_varchar = true)
    ),
    vendor_at AS (
      SELECT *, timezone('America/New_York', day::TIMESTAMP + to_milliseconds(ms)) AS bar_start_at FROM vendor
    ),
    ours AS (
      SELECT symbol, bar_start_at,
             round(open * 10000)::BIGINT AS o, round(high * 10000)::BIGINT AS h, round(low * 10000)::BIGINT AS l,
             round(close * 10000)::BIGINT AS c, volume AS v,
             round(naive_open * 10000)::BIGINT AS n_o, round(naive_high * 10000)::BIGINT AS n_h,
             round(naive_low * 10000)::BIGINT AS n_l, round(naive_close * 10000)::BIGINT AS n_c, naive_volume AS n_v
      FROM gold.fact_bars WHERE interval = '1m'
    ),
    traded AS (
      SELECT DISTINCT symbol, session_date AS day FROM gold.fact_bars WHERE interval = '1m'
    ),
    compared AS (
      SELECT v.symbol, v.day, g.symbol IS NOT NULL AS found,
             coalesce(g.o = v.o AND g.h = v.h AND g.l = v.l AND g.c = v.c AND g.v = v.v, false) AS eligible,
             coalesce(g.n_o = v.o AND g.n_h = v.h AND g.n_l = v.l AND g.n_c = v.c AND g.n_v = v.v, false) AS naive,
             CASE
               WHEN g.symbol IS NULL THEN 'no bar of ours'
               WHEN v.ms BETWEEN 34200000 AND 34260000 OR v.ms BETWEEN 57540000 AND 57660000 THEN 'auction'
               ELSE concat_ws('+',
                 CASE WHEN g.o IS DISTINCT FROM v.o OR g.c IS DISTINCT FROM v.c THEN 'open/close' END,
                 CASE WHEN g.h IS DISTINCT FROM v.h OR g.l IS DISTINCT FROM v.l THEN 'high/low' END,
                 CASE WHEN g.v IS DISTINCT FROM v.v THEN 'volume' END)
             END AS class
      FROM vendor_at AS v
      JOIN traded AS t ON v.symbol = t.symbol AND v.day = t.day
      LEFT JOIN ours AS g ON g.symbol = v.symbol AND g.bar_start_at = v.bar_start_at
    ),
    classes AS (
      SELECT day, symbol, map(list(class), list(n)) AS differences FROM (
        SELECT day, symbol, class, count(*)::INTEGER AS n FROM compared WHERE NOT eligible GROUP BY ALL
      ) GROUP BY ALL
    ),
    ours_count AS (
      SELECT symbol, session_date AS day, count(*) AS n FROM gold.fact_bars WHERE interval = '1m' GROUP BY ALL
    )
    SELECT c.day::VARCHAR AS day, c.symbol, count(*)::INTEGER AS vendor_minutes,
           any_value(o.n)::INTEGER AS our_minutes,
           count(*) FILTER (WHERE eligible)::INTEGER AS eligible,
           count(*) FILTER (WHERE naive)::INTEGER AS naive,
           any_value(k.differences)::VARCHAR AS differences
    FROM compared AS c
    LEFT JOIN classes AS k ON k.day = c.day AND k.symbol = c.symbol
    LEFT JOIN ours_count AS o ON o.day = c.day AND o.symbol = c.symbol
    GROUP BY c.day, c.symbol
    ORDER BY day, symbol`);
  return rows.map((r) => ({
    day: String(r.day),
    symbol: String(r.symbol),
    vendorMinutes: Number(r.vendor_minutes),
    ourMinutes: Number(r.our_minutes),
    eligible: Number(r.eligible),
    naive: Number(r.naive),
    differences: parseMap(r.differences),
  }));
}

/** DuckDB's `{a=1, b=2}` text of a MAP(VARCHAR, INTEGER). */
function parseMap(text: unknown): Record<string, number> {
  if (typeof text !== 'string' || text.length < 2) return {};
  const out: Record<string, number> = {};
  for (const part of text.slice(1, -1).split(', ')) {
    const i = part.lastIndexOf('=');
    if (i > 0) out[part.slice(0, i)] = Number(part.slice(i + 1));
  }
  return out;
}

/** Sum of the rows' agreement (for totals over a set of days). */
export function totalAgreement(rows: readonly MinuteAgreement[]): {
  vendor: number;
  eligible: number;
  naive: number;
} {
  return rows.reduce(
    (t, r) => ({
      vendor: t.vendor + r.vendorMinutes,
      eligible: t.eligible + r.eligible,
      naive: t.naive + r.naive,
    }),
    { vendor: 0, eligible: 0, naive: 0 },
  );
}

/** Our 1d bars against the vendor's daily bars (`daily_bars/<symbol>.csv.gz`) on the days with trades. */
export interface DailyAgreement {
  day: string;
  symbol: string;
  /** Fields of open, high, low, close equal to the vendor's (0-4), eligibility bar and naive bar. */
  eligibleFields: number;
  naiveFields: number;
  ours: [number, number, number, number];
  vendor: [number, number, number, number];
}

export async function dailyAgreement(session: LakeSession): Promise<DailyAgreement[]> {
  const traded = await session.all<{ symbol: string }>(
    "SELECT DISTINCT symbol FROM gold.fact_bars WHERE interval = '1d' ORDER BY 1",
  );
  const files = traded
    .map((t) => join(ALGOSEEK_DIR, 'daily_bars', `${t.symbol.toLowerCase()}.csv.gz`))
    .filter((f) => readdirSync(join(ALGOSEEK_DIR, 'daily_bars')).includes(f.split('/').pop()!));
  if (files.length === 0) return [];
  const rows = await session.all<Record<string, number | string>>(`
    WITH vendor AS (
      SELECT upper(regexp_extract(filename, '([a-z]+)\\.csv', 1)) AS symbol,
             strptime(left(column0, 8), '%Y%m%d')::DATE AS day,
             column1::BIGINT AS o, column2::BIGINT AS h, column3::BIGINT AS l, column4::BIGINT AS c
      FROM read_csv([${files.map(literal).join(', ')}], header = false, filename = true, all_varchar = true)
    ),
    ours AS (
      SELECT symbol, session_date AS day,
             round(open * 10000)::BIGINT AS o, round(high * 10000)::BIGINT AS h,
             round(low * 10000)::BIGINT AS l, round(close * 10000)::BIGINT AS c,
             round(naive_open * 10000)::BIGINT AS n_o, round(naive_high * 10000)::BIGINT AS n_h,
             round(naive_low * 10000)::BIGINT AS n_l, round(naive_close * 10000)::BIGINT AS n_c
      FROM gold.fact_bars WHERE interval = '1d'
    )
    SELECT g.day::VARCHAR AS day, g.symbol,
           (g.o = v.o)::INT + (g.h = v.h)::INT + (g.l = v.l)::INT + (g.c = v.c)::INT AS eligible_fields,
           (g.n_o = v.o)::INT + (g.n_h = v.h)::INT + (g.n_l = v.l)::INT + (g.n_c = v.c)::INT AS naive_fields,
           g.o, g.h, g.l, g.c, v.o AS vo, v.h AS vh, v.l AS vl, v.c AS vc
    FROM ours AS g JOIN vendor AS v USING (symbol, day)
    ORDER BY day, symbol`);
  return rows.map((r) => ({
    day: String(r.day),
    symbol: String(r.symbol),
    eligibleFields: Number(r.eligible_fields),
    naiveFields: Number(r.naive_fields),
    ours: [Number(r.o), Number(r.h), Number(r.l), Number(r.c)],
    vendor: [Number(r.vo), Number(r.vh), Number(r.vl), Number(r.vc)],
  }));
}
