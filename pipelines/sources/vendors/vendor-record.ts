import type { DatasetName } from '../../../contracts/index.js';
import { JSON_NUMBER_SOURCE } from '../../../contracts/index.js';
import { convertTime } from '../time-convert.js';

/** What a vendor adapter knows about the file it reads. */
export interface VendorContext {
  dataset: DatasetName;
  file: string;
  /** `--symbol`: the symbol when the file does not carry one (or to override it). */
  symbol?: string;
  /** Constant fields from `--map field='value'`, applied over what the adapter found. */
  constants: Readonly<Record<string, string>>;
}

/** One vendor record turned into a contract-shaped value (unknown fields kept for `extra`). */
export interface VendorValue {
  /** The vendor's own record, kept verbatim in the quarantine when refused. */
  raw: unknown;
  value: Record<string, unknown>;
}

/**
 * What an adapter makes of each item of a vendor document: a record of the dataset (`value`),
 * an item known not to be one (`skip`, the reason: another dataset's message, a control
 * message, an empty response; counted, not stored), or an item it cannot read as a record at
 * all (`error`, the reason: quarantined with `raw`). Every item yields exactly one of these,
 * so nothing in a file is dropped without a count. Skip reasons are a small set of texts
 * (counted per reason): unknown message types are errors, never skips.
 */
export type VendorRecord = VendorValue | { raw: unknown; skip: string } | { raw: unknown; error: string };

/** An item that is not a record of the dataset (see VendorRecord). */
export const skipItem = (raw: unknown, reason: string): VendorRecord => ({ raw, skip: reason });

/** An item that cannot be read as a record: quarantined with `reason` (see VendorRecord). */
export const refuseItem = (raw: unknown, reason: string): VendorRecord => ({ raw, error: reason });

/** The JSON type of a value, for reasons: null, array, object, string, number, boolean. */
export function jsonTypeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const JSON_NUMBER = new RegExp(`^${JSON_NUMBER_SOURCE}$`);

/** A vendor number that may come as text (Binance prices): a number when it is one, else unchanged. */
export function num(v: unknown): unknown {
  return typeof v === 'string' && JSON_NUMBER.test(v) ? Number(v) : v;
}

/** An epoch (number or exact text) in `unit` → RFC 3339, unchanged when it is not an integer. */
export function epoch(v: unknown, unit: 'ns' | 'ms-or-us' | 's'): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return convertTime(String(v), unit, 'UTC');
  if (typeof v === 'string' && /^\d+$/.test(v)) return convertTime(v, unit, 'UTC');
  if (unit === 's' && typeof v === 'number' && Number.isFinite(v)) {
    return new Date(Math.round(v * 1000)).toISOString();
  }
  return v;
}

/** Pair and ticker spellings → the contract's (`BTC/USD` → `BTC-USD`); anything else unchanged. */
export function symbolOf(v: unknown): unknown {
  return typeof v === 'string' ? v.trim().replace('/', '-').toUpperCase() : v;
}

/** Condition codes as a list of text (Alpaca sends one code as a plain string, Polygon numbers). */
export function codes(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map((c) => (typeof c === 'number' ? String(c) : c)) : v;
}

/** `$AAPL`-style cashtags in a text, upper-cased, in order, each once. */
export function cashtagsIn(...texts: unknown[]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    if (typeof t !== 'string') continue;
    for (const m of t.matchAll(/\$([A-Za-z][A-Za-z0-9]{0,11}(?:[.-][A-Za-z0-9]{1,12})?)\b/g)) {
      out.add((m[1] as string).toUpperCase());
    }
  }
  return [...out];
}

/**
 * The contract value: mapped fields, then the vendor fields nobody mapped (they end up in
 * `extra`), then constants. Undefined fields are left out (the contract then says `required`).
 */
export function shape(
  mapped: Record<string, unknown>,
  source: Record<string, unknown>,
  usedKeys: readonly string[],
  ctx: VendorContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mapped)) if (v !== undefined) out[k] = v;
  const used = new Set(usedKeys);
  for (const [k, v] of Object.entries(source)) if (!used.has(k) && !(k in out)) out[k] = v;
  for (const [k, v] of Object.entries(ctx.constants)) out[k] = v;
  return out;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
