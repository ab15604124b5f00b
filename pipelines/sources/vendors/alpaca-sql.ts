import type { DatasetName } from '../../../contracts/index.js';
import { literal } from '../../../layers/index.js';
import { jsonFieldColumns } from '../map-sql.js';
import type { ColumnMapping, FieldSource } from '../mapping.js';
import { symbolOf, type VendorContext } from './vendor-record.js';

/**
 * Alpaca stream messages as a column mapping, for the SQL engine: `T` and `S` differ from `t`
 * and `s` only in case, which DuckDB's `MAP(VARCHAR, JSON)` records keep apart (read_json's
 * struct columns do not). Used only for files whose every line is one plain message of one
 * type (see alpacaPlainSql); anything else is read per record by alpacaRecords.
 */
const MESSAGE_KEYS: Partial<Record<DatasetName, { types: string[]; keys: Record<string, string> }>> = {
  trades: {
    types: ['t'],
    keys: { event_at: 't', price: 'p', size: 's', exchange: 'x', trade_id: 'i', conditions: 'c', tape: 'z' },
  },
  quotes: {
    types: ['q'],
    keys: {
      event_at: 't',
      bid_price: 'bp',
      bid_size: 'bs',
      ask_price: 'ap',
      ask_size: 'as',
      bid_exchange: 'bx',
      ask_exchange: 'ax',
      conditions: 'c',
      tape: 'z',
    },
  },
  bars: {
    types: ['b', 'u', 'd'],
    keys: {
      bar_start_at: 't',
      open: 'o',
      high: 'h',
      low: 'l',
      close: 'c',
      volume: 'v',
      vwap: 'vw',
      trade_count: 'n',
    },
  },
};

/** Numeric keys whose integers JSON.parse would round past 2^53 (the adapter keeps them exact). */
const NUMERIC_KEYS = ['p', 's', 'i', 'bp', 'bs', 'ap', 'as', 'o', 'h', 'l', 'c', 'v', 'vw', 'n'];

/**
 * The SQL engine's reading of an Alpaca JSON Lines file whose first line is the message
 * `first`, or undefined when the adapter must read it (constants from `--map`, a type no
 * dataset of this one holds, keys the adapter shapes otherwise). The mapping's strictGuard
 * holds for the lines the mapping reads as the adapter would: plain messages of the first
 * one's type; the strict pass stops at any other.
 */
export function alpacaSqlMapping(
  ctx: VendorContext,
  first: Record<string, unknown>,
): ColumnMapping | undefined {
  const spec = MESSAGE_KEYS[ctx.dataset];
  const type = first.T;
  if (typeof type !== 'string' || !spec?.types.includes(type) || Object.keys(ctx.constants).length > 0)
    return undefined;
  const allowedKeys = ['T', 'S', ...Object.values(spec.keys)];
  if (!Object.keys(first).every((k) => allowedKeys.includes(k))) return undefined;
  const fields: Record<string, FieldSource> = { source: { constant: 'alpaca' } };
  // The adapter's symbolOf of --symbol; the file's `S` must already be a valid symbol (checked).
  if (ctx.symbol) fields.symbol = { constant: String(symbolOf(ctx.symbol)) };
  else fields.symbol = { column: 'S' };
  for (const [field, key] of Object.entries(spec.keys)) fields[field] = { column: key };
  if (ctx.dataset === 'bars') fields.interval = { constant: type === 'd' ? '1d' : '1m' };
  // A key's JSON text: by position when the record's keys are the first line's (`usual`).
  const order = Object.keys(first);
  const value = (k: string) =>
    order.includes(k)
      ? `(CASE WHEN usual THEN vals[${order.indexOf(k) + 1}] ELSE m[${literal(k)}] END)::VARCHAR`
      : `m[${literal(k)}]::VARCHAR`;
  const fieldOf = (key: string) => Object.entries(spec.keys).find(([, k]) => k === key)?.[0] as string;
  const c = jsonFieldColumns;
  // A line the adapter shapes otherwise: another type or key (extras, a contract field name),
  // a repeated key, a symbol that is not text, a number as text (num() for bars), an integer
  // too large for a double (kept exact as text), codes as one string or numbers (codes()).
  // The mapped fields' values are read from the columns the mapping computed already.
  const numeric = NUMERIC_KEYS.filter(
    (k) => Object.values(spec.keys).includes(k) && !(ctx.dataset !== 'bars' && k === 'c'),
  ).map((k) => {
    const f = fieldOf(k);
    return `coalesce(${c.first(f)} <> 34 AND (strlen(${c.json(f)}) < 16 OR contains(${c.json(f)}, '.') OR contains(lower(${c.json(f)}), 'e')), true)`;
  });
  const keySet = `list_has_all([${allowedKeys.map(literal).join(', ')}], map_keys(m)) AND len(list_distinct(map_keys(m))) = len(map_keys(m))`;
  const guard = [
    `${value('T')} = ${literal(JSON.stringify(type))}`,
    `ascii(${ctx.symbol ? value('S') : c.json('symbol')}) = 34`,
    `CASE WHEN usual THEN true ELSE ${keySet} END`,
    ...numeric,
    ...(ctx.dataset === 'bars' ? [] : [`coalesce(${c.plain('conditions')}, true)`]),
  ];
  return {
    dataset: ctx.dataset,
    layout: 'jsonl',
    header: true,
    delimiter: ',',
    fields,
    timeUnit: 'iso',
    timeZone: 'UTC',
    priceScale: 1,
    ignoredKeys: ['T', 'S'],
    strictGuard: guard.join(' AND '),
  };
}
