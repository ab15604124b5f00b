import { ident, literal, type TableRef, viewName } from '../layers/index.js';
import type { AnomalySettings, CheckKind, ModelCheck, Severity } from './model.js';

/**
 * Check builders: each makes a one-statement query that returns the offending rows. Row-level
 * checks also carry `failWhen` so the runner evaluates all of a table's row checks in one scan.
 * Column names are quoted with `ident` and values with `literal`; expressions passed to `rowRule`
 * and SQL passed to `customSql` are code of the model definition, never data.
 */

/** Options every builder takes. */
export interface CheckOptions {
  severity?: Severity;
  /** Share of rows (0..1) allowed to fail; default 0. */
  threshold?: number;
  /** Name in reports and history (each builder has a default). */
  name?: string;
  /**
   * Partition column of the table: set-level checks (unique, relationships, row counts...) then
   * read only the partitions `dq --from/--to` asks for (variables dq_from/dq_to).
   */
  partitionColumn?: string;
}

/** SQL: the partition column within [dq_from, dq_to] (either unset = unbounded). */
export function partitionScopeSql(partitionColumn: string | undefined, alias?: string): string {
  if (!partitionColumn) return 'true';
  const col = alias ? `${ident(alias)}.${ident(partitionColumn)}` : ident(partitionColumn);
  return `(getvariable('dq_from') IS NULL OR ${col} >= getvariable('dq_from')) AND (getvariable('dq_to') IS NULL OR ${col} <= getvariable('dq_to'))`;
}

function base(kind: CheckKind, name: string, description: string, options: CheckOptions) {
  return {
    kind,
    name: options.name ?? name,
    severity: options.severity ?? 'error',
    description,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
  } satisfies Partial<ModelCheck>;
}

const asOptions = (o: Severity | CheckOptions | undefined): CheckOptions =>
  typeof o === 'string' ? { severity: o } : (o ?? {});

/** A row-level check from a predicate that is true for an offending row. */
function rowCheck(
  ref: TableRef,
  kind: CheckKind,
  name: string,
  description: string,
  failWhen: string,
  options: CheckOptions,
): ModelCheck {
  return {
    ...base(kind, name, description, options),
    failWhen,
    sql: `SELECT * FROM ${viewName(ref)} WHERE ${failWhen}`,
  };
}

/** No two rows share the key; rows with a NULL in `skipNullIn` are exempt (e.g. trades without ids). */
export function uniqueKey(
  ref: TableRef,
  columns: readonly string[],
  options: CheckOptions & { skipNullIn?: string } = {},
): ModelCheck {
  const cols = columns.map(ident).join(', ');
  const conditions = [partitionScopeSql(options.partitionColumn)];
  if (options.skipNullIn) conditions.push(`${ident(options.skipNullIn)} IS NOT NULL`);
  return {
    ...base('unique', `unique_${columns.join('_')}`, `(${columns.join(', ')}) is unique`, options),
    sql: `SELECT ${cols}, count(*) AS copies FROM ${viewName(ref)} WHERE ${conditions.join(' AND ')} GROUP BY ALL HAVING count(*) > 1`,
  };
}

export function notNull(
  ref: TableRef,
  columns: readonly string[],
  options?: Severity | CheckOptions,
): ModelCheck {
  const failWhen = columns.map((c) => `${ident(c)} IS NULL`).join(' OR ');
  return rowCheck(
    ref,
    'not_null',
    `not_null_${columns.join('_')}`,
    `${columns.join(', ')} never null`,
    `(${failWhen})`,
    asOptions(options),
  );
}

/** Rows where a boolean SQL expression over the row does not hold (NULL counts as not holding). */
export function rowRule(
  ref: TableRef,
  name: string,
  expression: string,
  description: string,
  options?: Severity | CheckOptions,
): ModelCheck {
  return rowCheck(
    ref,
    'expression',
    name,
    description,
    `NOT coalesce((${expression}), false)`,
    asOptions(options),
  );
}

/** The column holds one of `values` (NULL passes: pair with notNull). */
export function acceptedValues(
  ref: TableRef,
  column: string,
  values: readonly (string | number | boolean)[],
  options: CheckOptions = {},
): ModelCheck {
  const list = values.map((v) => (typeof v === 'string' ? literal(v) : String(v))).join(', ');
  return rowCheck(
    ref,
    'accepted_values',
    `accepted_values_${column}`,
    `${column} is one of ${values.join(', ')}`,
    `(${ident(column)} IS NOT NULL AND ${ident(column)} NOT IN (${list}))`,
    options,
  );
}

/** The column lies within [min, max] (each bound optional, inclusive unless said otherwise; NULL passes). */
export function range(
  ref: TableRef,
  column: string,
  bounds: { min?: number; max?: number; minInclusive?: boolean; maxInclusive?: boolean },
  options: CheckOptions = {},
): ModelCheck {
  const col = ident(column);
  const outside: string[] = [];
  const parts: string[] = [];
  if (bounds.min !== undefined) {
    if (!Number.isFinite(bounds.min)) throw new TypeError(`range ${column}: min must be finite`);
    const inclusive = bounds.minInclusive ?? true;
    outside.push(`${col} ${inclusive ? '<' : '<='} ${bounds.min}`);
    parts.push(`${inclusive ? '>=' : '>'} ${bounds.min}`);
  }
  if (bounds.max !== undefined) {
    if (!Number.isFinite(bounds.max)) throw new TypeError(`range ${column}: max must be finite`);
    const inclusive = bounds.maxInclusive ?? true;
    outside.push(`${col} ${inclusive ? '>' : '>='} ${bounds.max}`);
    parts.push(`${inclusive ? '<=' : '<'} ${bounds.max}`);
  }
  if (outside.length === 0) throw new TypeError(`range ${column}: give min or max`);
  // NaN compares greater than every number in DuckDB: it is out of range too.
  return rowCheck(
    ref,
    'range',
    `range_${column}`,
    `${column} ${parts.join(' and ')}`,
    `(${col} IS NOT NULL AND (${outside.join(' OR ')} OR isnan(${col}::DOUBLE)))`,
    options,
  );
}

/**
 * Every non-null `column` names a row of the dimension `to` (its `toColumn`). SCD2-aware when
 * `validFrom` is given: the dimension row must be valid at the fact's `at` column
 * (`validFrom <= at < validTo`, an open `validTo` = still valid).
 */
export function relationship(
  ref: TableRef,
  column: string,
  target: { to: TableRef; toColumn: string; validFrom?: string; validTo?: string; at?: string },
  options: CheckOptions = {},
): ModelCheck {
  const conditions = [`d.${ident(target.toColumn)} = f.${ident(column)}`];
  if (target.validFrom) {
    if (!target.at) throw new TypeError(`relationship ${column}: validFrom needs the fact's 'at' column`);
    const at = `f.${ident(target.at)}`;
    conditions.push(`d.${ident(target.validFrom)} <= ${at}`);
    if (target.validTo)
      conditions.push(`(d.${ident(target.validTo)} IS NULL OR ${at} < d.${ident(target.validTo)})`);
  }
  const valid = target.validFrom ? ` valid at ${target.at}` : '';
  return {
    ...base(
      'relationships',
      `relationship_${column}_${target.to.name}`,
      `${column} names a ${target.to.layer}.${target.to.name}.${target.toColumn}${valid}`,
      options,
    ),
    sql: `SELECT f.* FROM ${viewName(ref)} AS f WHERE f.${ident(column)} IS NOT NULL AND ${partitionScopeSql(options.partitionColumn, 'f')} AND NOT EXISTS (SELECT 1 FROM ${viewName(target.to)} AS d WHERE ${conditions.join(' AND ')})`,
  };
}

/**
 * The newest `column` is within `maxAgeHours` of the reference instant: now for `dq`, the end of
 * the run's logical date range when one is given (variable dq_reference_at). One row when stale.
 */
export function freshness(
  ref: TableRef,
  column: string,
  maxAgeHours: number,
  options: CheckOptions = {},
): ModelCheck {
  if (!(maxAgeHours > 0)) throw new TypeError('freshness: maxAgeHours must be positive');
  const col = ident(column);
  return {
    ...base('freshness', `freshness_${column}`, `newest ${column} within ${maxAgeHours} h`, options),
    sql: `SELECT max(${col}) AS newest, getvariable('dq_reference_at') AS reference_at FROM ${viewName(ref)} HAVING max(${col}) IS NULL OR CAST(max(${col}) AS TIMESTAMPTZ) < getvariable('dq_reference_at') - INTERVAL ${Math.round(maxAgeHours * 3600)} SECOND`,
  };
}

/** Row count within [min, max]: per partition when `partitionColumn` is given, else of the whole table. */
export function rowCountBetween(
  ref: TableRef,
  bounds: { min?: number; max?: number },
  options: CheckOptions = {},
): ModelCheck {
  const tests: string[] = [];
  if (bounds.min !== undefined) tests.push(`count(*) < ${Math.trunc(bounds.min)}`);
  if (bounds.max !== undefined) tests.push(`count(*) > ${Math.trunc(bounds.max)}`);
  if (tests.length === 0) throw new TypeError('rowCountBetween: give min or max');
  const part = options.partitionColumn;
  const describe = `row count ${bounds.min ?? 0}..${bounds.max ?? '∞'}${part ? ` per ${part}` : ''}`;
  return {
    ...base('row_count', 'row_count', describe, options),
    sql: part
      ? `SELECT ${ident(part)} AS partition, count(*) AS rows FROM ${viewName(ref)} WHERE ${partitionScopeSql(part)} GROUP BY ALL HAVING ${tests.join(' OR ')}`
      : `SELECT count(*) AS rows FROM ${viewName(ref)} HAVING ${tests.join(' OR ')}`,
  };
}

/**
 * Row count of each partition against its trailing partitions: a robust z-score (median and MAD)
 * of rows per session minute, so an early close (13:00) or a holiday is no anomaly. Judged from
 * the catalog's per-file row counts: no scan.
 */
export function rowCountAnomaly(
  ref: TableRef,
  settings: Partial<AnomalySettings> = {},
  options: CheckOptions = {},
): ModelCheck {
  const anomaly: AnomalySettings = {
    trailing: settings.trailing ?? 20,
    minHistory: settings.minHistory ?? 5,
    calendar: settings.calendar ?? 'nyse',
    maxZ: settings.maxZ ?? 3.5,
    maxChange: settings.maxChange ?? 0.2,
  };
  return {
    ...base(
      'row_count_anomaly',
      'row_count_anomaly',
      `rows per ${anomaly.calendar === 'nyse' ? 'NYSE session minute' : 'day'} within ${Math.round(anomaly.maxChange * 100)}% of the trailing ${anomaly.trailing} partitions' median (robust z ≤ ${anomaly.maxZ})`,
      options,
    ),
    anomaly,
    sql: `SELECT * FROM ${viewName(ref)} WHERE false`,
    sampleSize: 20,
  };
}

/** A query of your own that returns offending rows. */
export function customSql(
  name: string,
  sql: string,
  description: string,
  options: CheckOptions = {},
): ModelCheck {
  return { ...base('custom_sql', name, description, options), sql };
}

/** Column names of an OHLCV bar table. */
export interface BarColumns {
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  vwap?: string;
}

/**
 * The market-data rules of a bar: high ≥ max(open, close), low ≤ min(open, close), volume ≥ 0 and
 * VWAP within [low, high] (with a 1e-9 relative tolerance for floating-point sums). Bars without a
 * price (no eligible print) pass.
 */
export function barRules(ref: TableRef, columns: BarColumns, options: CheckOptions = {}): ModelCheck[] {
  const [o, h, l, c, v] = [columns.open, columns.high, columns.low, columns.close, columns.volume].map(ident);
  const prefix = options.name ? `${options.name}_` : '';
  const checks = [
    rowCheck(
      ref,
      'market_rule',
      `${prefix}high_ge_open_close`,
      `${columns.high} >= max(${columns.open}, ${columns.close})`,
      `(${h} < greatest(${o}, ${c}))`,
      { ...options, name: undefined },
    ),
    rowCheck(
      ref,
      'market_rule',
      `${prefix}low_le_open_close`,
      `${columns.low} <= min(${columns.open}, ${columns.close})`,
      `(${l} > least(${o}, ${c}))`,
      { ...options, name: undefined },
    ),
    rowCheck(ref, 'market_rule', `${prefix}volume_non_negative`, `${columns.volume} >= 0`, `(${v} < 0)`, {
      ...options,
      name: undefined,
    }),
  ];
  if (columns.vwap) {
    const w = ident(columns.vwap);
    checks.push(
      rowCheck(
        ref,
        'market_rule',
        `${prefix}vwap_within_low_high`,
        `${columns.vwap} within [${columns.low}, ${columns.high}]`,
        `(${w} < ${l} * (1 - 1e-9) OR ${w} > ${h} * (1 + 1e-9))`,
        { ...options, name: undefined },
      ),
    );
  }
  return checks;
}

/** Quotes are never crossed: bid ≤ ask (a locked book, bid = ask, passes). */
export function quotesNotCrossed(
  ref: TableRef,
  columns: { bid: string; ask: string } = { bid: 'bid_price', ask: 'ask_price' },
  options: CheckOptions = {},
): ModelCheck {
  return rowCheck(
    ref,
    'market_rule',
    'quotes_not_crossed',
    `${columns.bid} <= ${columns.ask}`,
    `(${ident(columns.bid)} > ${ident(columns.ask)})`,
    options,
  );
}

/**
 * No missing 1-minute bars in the NYSE regular session (09:30-16:00 New York, 13:00 on early
 * closes) for liquid symbols: a (symbol, session) with at least `minBars` regular 1m bars is liquid,
 * and every regular minute of it must have a bar. Offending rows: the symbol, session and the
 * missing minute count. For `gold.fact_bars`-shaped tables (interval, bar_start_at, session_date).
 */
export function noMissingMinuteBars(ref: TableRef, minBars = 300, options: CheckOptions = {}): ModelCheck {
  const local = `market_local_time('America/New_York', bar_start_at)`;
  const scope = partitionScopeSql(options.partitionColumn ?? 'session_date');
  return {
    ...base(
      'market_rule',
      'no_missing_1m_bars',
      `every NYSE regular-session minute has a 1m bar for symbols with ≥ ${minBars} of them that session`,
      options,
    ),
    sql: `WITH regular AS (SELECT symbol, session_date, date_trunc('minute', ${local}) AS minute_local FROM ${viewName(ref)} WHERE interval = '1m' AND ${scope} AND nyse_regular_session(${local})), liquid AS (SELECT symbol, session_date, count(DISTINCT minute_local) AS bars FROM regular GROUP BY ALL HAVING count(DISTINCT minute_local) >= ${Math.trunc(minBars)}), grid AS (SELECT symbol, session_date, bars, m AS minute_local FROM liquid, generate_series(CAST(session_date AS TIMESTAMP) + INTERVAL 570 MINUTE, CAST(session_date AS TIMESTAMP) + INTERVAL 959 MINUTE, INTERVAL 1 MINUTE) AS t(m) WHERE nyse_regular_session(m)) SELECT symbol, session_date, count(*) AS missing_minutes, min(minute_local) AS first_missing_local FROM grid ANTI JOIN regular USING (symbol, session_date, minute_local) GROUP BY ALL ORDER BY missing_minutes DESC, symbol, session_date`,
    sampleSize: 20,
  };
}

/**
 * A daily bar's volume is within `tolerance` (a share) of the vendor's daily bar for the same symbol
 * and session (`vendor`, e.g. silver.bars with interval '1d'), where one is loaded.
 */
export function dailyVolumeMatchesVendor(
  ref: TableRef,
  vendor: TableRef,
  tolerance: number,
  options: CheckOptions = {},
): ModelCheck {
  return {
    ...base(
      'market_rule',
      'daily_volume_matches_vendor',
      `1d volume within ${Math.round(tolerance * 100)}% of the vendor's daily bar (${vendor.layer}.${vendor.name})`,
      options,
    ),
    sql: `SELECT b.symbol, b.session_date, b.volume, v.source AS vendor, v.volume AS vendor_volume, round(abs(b.volume - v.volume) / v.volume, 4) AS relative_difference FROM ${viewName(ref)} AS b JOIN ${viewName(vendor)} AS v ON v.symbol = b.symbol AND v.session_date = b.session_date AND v.interval = '1d' WHERE b.interval = '1d' AND v.volume > 0 AND ${partitionScopeSql(options.partitionColumn ?? 'session_date', 'b')} AND abs(b.volume - v.volume) > ${Number(tolerance)} * v.volume ORDER BY relative_difference DESC`,
    sampleSize: 20,
  };
}
