import { basename } from 'node:path';
import { type LakeSession, UsageError } from '../../layers/index.js';
import { type BronzeBatchResult, writeBronzeBatch } from '../bronze/bronze-writer.js';
import type { SourceRecord } from '../bronze/source-record.js';
import { readLines } from './lines-source.js';

/**
 * QuantConnect/AlgoSeek equity files named after their symbol (`aapl.csv`, `aapl.csv.gz`): split
 * and dividend factor files (`YYYYMMDD,price_factor,split_factor,reference_price`) and the raw,
 * unadjusted daily bars they adjust (`"YYYYMMDD 00:00",open,high,low,close,volume`, prices in
 * deci-cents). Their dates are compact `YYYYMMDD`, which the column-mapping presets cannot turn
 * into contract dates, so this small adapter reads them and hands records to the bronze writer.
 */
export interface FactorFileOptions {
  /** Ticker; default the file name's stem, upper-cased. */
  symbol?: string;
  /** Value of the `source` column, default `algoseek`. */
  source?: string;
  /** Keep only rows dated on or after / on or before these days (`YYYY-MM-DD`). */
  from?: string;
  to?: string;
  force?: boolean;
}

const DECI_CENTS = 10_000;

function symbolOf(file: string, symbol?: string): string {
  if (symbol) return symbol;
  const m = /^([a-z0-9.-]+?)(?:\.\d+)?\.csv(?:\.gz)?$/i.exec(basename(file));
  if (!m?.[1]) throw new UsageError(`factor file: pass a symbol (cannot read one from ${basename(file)})`);
  return m[1].toUpperCase();
}

/** `YYYYMMDD` (optionally followed by a time) → `YYYY-MM-DD`, or undefined. */
function isoDay(text: string): string | undefined {
  const m = /^"?(\d{4})(\d{2})(\d{2})(?:\s+\d{2}:\d{2})?"?$/.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

const inRange = (day: string, o: FactorFileOptions) =>
  (o.from === undefined || day >= o.from) && (o.to === undefined || day <= o.to);

/** A numeric cell as a number; anything else stays text so the contract refuses it with a reason. */
const num = (cell: string | undefined): unknown => {
  const t = (cell ?? '').trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t === '' ? null : t;
};

/**
 * The rows of a dated CSV file (first cell `YYYYMMDD…`), each turned into a record by
 * `toValue`; unreadable lines pass through with their error, rows dated outside the options'
 * range are skipped with that reason (counted, not stored).
 */
async function* readDatedRows(
  file: string,
  options: FactorFileOptions,
  toValue: (cells: string[], day: string | undefined) => Record<string, unknown>,
): AsyncGenerator<SourceRecord> {
  for await (const { line, text, error } of readLines(file)) {
    if (error) {
      yield { line, raw: text, error };
      continue;
    }
    const cells = text.split(',');
    const day = isoDay(cells[0] ?? '');
    if (day && !inRange(day, options)) {
      const reason =
        options.from !== undefined && day < options.from
          ? `dated before ${options.from}`
          : `dated after ${options.to}`;
      yield { line, raw: text, skip: reason };
      continue;
    }
    yield { line, raw: text, value: toValue(cells, day) };
  }
}

/** Records in the corporate_action.v1 shape, one per factor-file row. */
export function readFactorFile(file: string, options: FactorFileOptions = {}): AsyncGenerator<SourceRecord> {
  const symbol = symbolOf(file, options.symbol);
  return readDatedRows(file, options, (cells, day) => ({
    symbol,
    factor_date: day ?? cells[0],
    price_factor: num(cells[1]),
    split_factor: num(cells[2]),
    reference_price: num(cells[3]),
    source: options.source ?? 'algoseek',
  }));
}

/** Records in the bar.v1 shape (interval 1d, stamped at midnight UTC of the session date). */
export function readDailyBarFile(
  file: string,
  options: FactorFileOptions = {},
): AsyncGenerator<SourceRecord> {
  const symbol = symbolOf(file, options.symbol);
  const price = (cell: string | undefined) => {
    const v = num(cell);
    return typeof v === 'number' ? v / DECI_CENTS : v;
  };
  return readDatedRows(file, options, (cells, day) => ({
    symbol,
    bar_start_at: day ? `${day}T00:00:00Z` : cells[0],
    interval: '1d',
    open: price(cells[1]),
    high: price(cells[2]),
    low: price(cells[3]),
    close: price(cells[4]),
    volume: num(cells[5]),
    source: options.source ?? 'algoseek',
  }));
}

/** One factor file → one bronze.corporate_actions batch (+ quarantine). */
export function ingestFactorFile(
  session: LakeSession,
  file: string,
  options: FactorFileOptions = {},
): Promise<BronzeBatchResult> {
  return writeBronzeBatch(session, 'corporate_actions', readFactorFile(file, options), {
    source: file,
    ...(options.force ? { force: true } : {}),
  });
}

/** One daily-bar file → one bronze.bars batch (+ quarantine). */
export function ingestDailyBarFile(
  session: LakeSession,
  file: string,
  options: FactorFileOptions = {},
): Promise<BronzeBatchResult> {
  return writeBronzeBatch(session, 'bars', readDailyBarFile(file, options), {
    source: file,
    ...(options.force ? { force: true } : {}),
  });
}
