import { basename } from 'node:path';
import type { DatasetName } from '../../contracts/index.js';
import { UsageError } from '../../layers/index.js';
import type { ColumnMapping, FieldSource, TimeUnit } from './mapping.js';
import { identityMapping } from './mapping.js';
import type { DocumentFormat } from './vendors/vendor-source.js';

/** Every `--format` name, generic and vendor; vendor formats are column-mapping presets. */
export const INGEST_FORMATS = [
  'csv',
  'jsonl',
  'parquet',
  'alpaca',
  'algoseek',
  'algoseek-bars',
  'algoseek-daily',
  'algoseek-factors',
  'binance-trades',
  'binance-aggtrades',
  'binance-klines',
  'polygon-trades',
  'reddit',
  'stocktwits',
  'headlines',
] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

const pos = (position: number): FieldSource => ({ position });
const col = (column: string): FieldSource => ({ column });
const constant = (value: string): FieldSource => ({ constant: value });

/** AlgoSeek/QuantConnect file names carry date and symbol: `20131007_ibm_Trade_Tick.csv.gz`. */
export function algoseekFileFacts(file: string): { date: string; symbol: string } {
  const m = /^(\d{4})(\d{2})(\d{2})_([a-z0-9.-]+)_/i.exec(basename(file));
  if (!m) throw new UsageError(`algoseek: file name must start with YYYYMMDD_symbol_: ${basename(file)}`);
  return { date: `${m[1]}-${m[2]}-${m[3]}`, symbol: (m[4] as string).toUpperCase() };
}

function binanceSymbol(file: string, symbol?: string): string {
  if (symbol) return symbol;
  const m = /^([A-Z0-9]+)[-_]/.exec(basename(file));
  if (!m?.[1]) throw new UsageError('binance: pass --symbol (the file name does not start with SYMBOL-)');
  return m[1];
}

export interface FormatOptions {
  dataset: DatasetName;
  file: string;
  /** First line of the file (header detection for vendor files that come both ways). */
  firstLine: string;
  symbol?: string;
}

function preset(
  dataset: DatasetName,
  fields: Record<string, FieldSource>,
  timeUnit: TimeUnit,
  extra: Partial<ColumnMapping> = {},
): ColumnMapping {
  return {
    dataset,
    layout: 'csv',
    header: false,
    delimiter: ',',
    fields,
    timeUnit,
    timeZone: 'UTC',
    priceScale: 1,
    ...extra,
  };
}

function expect(format: string, dataset: DatasetName, wanted: DatasetName): void {
  if (dataset !== wanted) throw new UsageError(`--format ${format} loads ${wanted}, not ${dataset}`);
}

/**
 * The vendor adapter that reads `file` in `format`, or undefined when the format is a column
 * mapping (CSV presets, generic csv/jsonl/parquet). Binance aggTrades and Polygon trades come as
 * CSV (mapping) or as REST JSON (adapter), told apart by the file name.
 */
export function documentFormatOf(format: IngestFormat, file: string): DocumentFormat | undefined {
  const json = /\.(json|jsonl|ndjson)(\.gz)?$/i.test(file);
  switch (format) {
    case 'alpaca':
    case 'reddit':
    case 'stocktwits':
    case 'headlines':
      return format;
    case 'binance-aggtrades':
      return json ? 'binance-aggtrades-json' : undefined;
    case 'polygon-trades':
      return json ? 'polygon-trades-json' : undefined;
    default:
      return undefined;
  }
}

/** The column mapping of a vendor format for one file (generic formats: contract shape). */
export function formatMapping(format: IngestFormat, o: FormatOptions): ColumnMapping {
  const hasHeader = /^[A-Za-z_"]/.test(o.firstLine);
  switch (format) {
    case 'csv':
      return identityMapping(o.dataset, 'csv');
    case 'jsonl':
      return identityMapping(o.dataset, 'jsonl');
    case 'parquet':
      return identityMapping(o.dataset, 'parquet');
    case 'alpaca':
    case 'reddit':
    case 'stocktwits':
    case 'headlines':
      throw new UsageError(`--format ${format} is read by its vendor adapter, not a column mapping`);
    case 'algoseek': {
      expect(format, o.dataset, 'trades');
      const f = algoseekFileFacts(o.file);
      const fields = {
        symbol: constant(o.symbol ?? f.symbol),
        event_at: pos(1),
        price: pos(2),
        size: pos(3),
        exchange: pos(4),
        conditions: pos(5),
        source: constant('algoseek'),
      };
      return preset('trades', fields, 'ms-of-day', {
        timeZone: 'America/New_York',
        date: f.date,
        priceScale: 10_000,
      });
    }
    case 'algoseek-daily':
    case 'algoseek-factors':
      throw new UsageError(`--format ${format} has its own adapter, not a column mapping`);
    case 'algoseek-bars': {
      expect(format, o.dataset, 'bars');
      const f = algoseekFileFacts(o.file);
      const fields = {
        symbol: constant(o.symbol ?? f.symbol),
        bar_start_at: pos(1),
        interval: constant('1m'),
        open: pos(2),
        high: pos(3),
        low: pos(4),
        close: pos(5),
        volume: pos(6),
        source: constant('algoseek'),
      };
      return preset('bars', fields, 'ms-of-day', {
        timeZone: 'America/New_York',
        date: f.date,
        priceScale: 10_000,
      });
    }
    // Headerless Binance trade files differ only in where the time is: column 5 (trades), 6 (aggTrades).
    case 'binance-trades':
    case 'binance-aggtrades': {
      expect(format, o.dataset, 'trades');
      const fields = {
        symbol: constant(binanceSymbol(o.file, o.symbol)),
        trade_id: pos(1),
        price: pos(2),
        size: pos(3),
        event_at: pos(format === 'binance-trades' ? 5 : 6),
        source: constant('binance'),
      };
      return preset('trades', fields, 'ms-or-us', { header: hasHeader });
    }
    case 'binance-klines': {
      expect(format, o.dataset, 'bars');
      const symbol = constant(binanceSymbol(o.file, o.symbol));
      const base = { symbol, interval: constant('1m'), source: constant('binance') };
      if (hasHeader) {
        const fields = {
          ...base,
          bar_start_at: col('open_time'),
          open: col('open'),
          high: col('high'),
          low: col('low'),
          close: col('close'),
          volume: col('volume'),
        };
        return preset('bars', fields, 'iso', { header: true });
      }
      const fields = {
        ...base,
        bar_start_at: pos(1),
        open: pos(2),
        high: pos(3),
        low: pos(4),
        close: pos(5),
        volume: pos(6),
        trade_count: pos(9),
      };
      return preset('bars', fields, 'ms-or-us');
    }
    case 'polygon-trades': {
      expect(format, o.dataset, 'trades');
      const fields = {
        symbol: col('ticker'),
        exchange: col('exchange'),
        trade_id: col('id'),
        event_at: col('sip_timestamp'),
        price: col('price'),
        size: col('size'),
        conditions: col('conditions'),
        tape: col('tape'),
        source: constant('polygon'),
      };
      // Flat files quote a comma list of condition codes: "12,37".
      return preset('trades', fields, 'ns', { header: true, listSeparator: ',' });
    }
  }
}
