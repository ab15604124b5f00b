import { DATASETS, type DatasetName, type FieldRule } from '../../contracts/index.js';
import { UsageError } from '../../layers/index.js';

/** Units an event time can come in. `ms-or-us` decides per value (Binance files switched in 2025). */
export const TIME_UNITS = ['iso', 's', 'ms', 'us', 'ns', 'ms-or-us', 'ms-of-day'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** Where a contract field's value comes from. */
export type FieldSource = { column: string } | { position: number } | { constant: string };

/**
 * How a file in any layout maps onto a contract: the generic CSV/JSONL adapters and every
 * vendor preset are one of these. Both ingest engines (SQL and per record) apply it identically.
 */
export interface ColumnMapping {
  dataset: DatasetName;
  layout: 'csv' | 'jsonl' | 'parquet';
  /** CSV: first line names the columns; without it, columns are 1-based positions. */
  header: boolean;
  delimiter: string;
  fields: Readonly<Record<string, FieldSource>>;
  timeUnit: TimeUnit;
  /** IANA zone of naive times (no offset) and of `ms-of-day`. */
  timeZone: string;
  /** Base date (YYYY-MM-DD) for `ms-of-day`. */
  date?: string;
  /** Prices are divided by this (AlgoSeek: 10000). */
  priceScale: number;
  /** Separator of the items of a list cell (conditions); default one space. */
  listSeparator?: string;
  /**
   * JSON keys read by neither engine and never kept in `extra` (a vendor's message type and
   * symbol keys, e.g. Alpaca's `T` and `S`, which its adapter consumes).
   */
  ignoredKeys?: readonly string[];
  /**
   * JSON Lines, strict pass only: SQL true for a record (the map `m`; `usual`: its keys are the
   * first record's) that this mapping reads as the vendor's adapter would. Any other record
   * stops the strict pass, as a refused one does (a vendor's fast path, see ingestAlpacaSql).
   */
  strictGuard?: string;
}

/** Contract fields a mapping may fill (every contract column but `extra`). */
export function contractFields(dataset: DatasetName): readonly string[] {
  return FIELDS[dataset].names;
}

/** contractFields as a set. */
export function contractFieldSet(dataset: DatasetName): ReadonlySet<string> {
  return FIELDS[dataset].set;
}

/** Per dataset, computed once: the per-record mappers ask for these for every field of every record. */
const FIELDS = {} as Record<
  DatasetName,
  { names: readonly string[]; set: ReadonlySet<string>; rules: ReadonlyMap<string, FieldRule> }
>;
for (const d of Object.values(DATASETS)) {
  const withRules = d.columns.filter((c) => c.rule);
  FIELDS[d.name] = {
    names: Object.freeze(withRules.map((c) => c.name)),
    set: new Set(withRules.map((c) => c.name)),
    rules: new Map(withRules.map((c) => [c.name, c.rule as FieldRule])),
  };
}

/**
 * Parse `field=column,field=column` (`--map`), a 1-based position when the file has no header,
 * or `field='CONST'` for a constant (e.g. `symbol='IBM'`).
 */
export function parseFieldMap(
  dataset: DatasetName,
  text: string,
  header: boolean,
): Record<string, FieldSource> {
  const allowed = new Set(contractFields(dataset));
  const out: Record<string, FieldSource> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const field = part.slice(0, eq).trim();
    const source = part.slice(eq + 1).trim();
    if (eq <= 0 || source === '') throw new UsageError(`--map entry must be field=column: ${part}`);
    if (!allowed.has(field)) throw new UsageError(`--map: ${dataset} has no field ${field}`);
    const constant = /^'(.*)'$/.exec(source);
    if (constant) out[field] = { constant: constant[1] ?? '' };
    else if (!header) {
      const position = Number(source);
      if (!Number.isInteger(position) || position < 1)
        throw new UsageError(`--map ${field}: without a header, columns are 1-based positions`);
      out[field] = { position };
    } else out[field] = { column: source };
  }
  return out;
}

/** The mapping of a file already in contract shape: every field from the column of its name. */
export function identityMapping(dataset: DatasetName, layout: ColumnMapping['layout']): ColumnMapping {
  const fields: Record<string, FieldSource> = {};
  for (const f of contractFields(dataset)) fields[f] = { column: f };
  return {
    dataset,
    layout,
    header: true,
    delimiter: ',',
    fields,
    timeUnit: 'iso',
    timeZone: 'UTC',
    priceScale: 1,
  };
}

/** Is this contract field a price (scaled by `priceScale`)? */
export function isPriceField(dataset: DatasetName, field: string): boolean {
  const rule = fieldRule(dataset, field);
  return rule?.kind === 'number' && rule.sign === 'positive' && !rule.integer;
}

export function fieldRule(dataset: DatasetName, field: string): FieldRule | undefined {
  return FIELDS[dataset].rules.get(field);
}
