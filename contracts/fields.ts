import type { z } from 'zod';
import { type FieldRule, zodOf } from './rules.js';

export { EARLIEST_EVENT_AT, FUTURE_TOLERANCE_MS } from './rules.js';

/** Metadata every contract column carries: where docs, JSON Schema, table DDL and SQL rules come from. */
export interface ColumnMeta {
  description: string;
  /** DuckDB type of the column in bronze Parquet. */
  sqlType: string;
  /** The rule both validators (zod and SQL) derive from. */
  rule: FieldRule;
  [key: string]: unknown;
}

/** A contract column: the zod schema built from `rule`, with its metadata attached. */
export function field(rule: FieldRule, sqlType: string, description: string): z.ZodType {
  return zodOf(rule).meta({ description, sqlType, rule: rule as unknown as Record<string, unknown> });
}

/**
 * Ticker pattern. A symbol ends up in file paths, SQL literals and Redis keys, so only
 * upper-case letters, digits and single inner separators (`.` or `-`; never `/`, a path
 * separator) are allowed: `BRK.B`, `BTC-USD`, `BTCUSDT`. Nothing like `../x` or quotes passes.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9]{1,12}(?:[.-][A-Z0-9]{1,12}){0,2}$/;
const SYMBOL = {
  source: '[A-Z0-9]{1,12}(?:[.-][A-Z0-9]{1,12}){0,2}',
  message: 'symbol must match [A-Z0-9] with inner . or - only',
};

export const symbolRule: FieldRule = { kind: 'text', min: 1, max: 38, pattern: SYMBOL, nullable: false };
export const eventTimeRule: FieldRule = { kind: 'time', nullable: false };
export const dateRule: FieldRule = { kind: 'date', nullable: false };
export const priceRule: FieldRule = { kind: 'number', sign: 'positive', integer: false, nullable: false };
export const optionalPriceRule: FieldRule = { ...priceRule, nullable: true };
export const sizeRule: FieldRule = { kind: 'number', sign: 'nonnegative', integer: false, nullable: false };
export const countRule: FieldRule = { kind: 'number', sign: 'nonnegative', integer: true, nullable: true };
export const shortCodeRule: FieldRule = { kind: 'text', min: 0, max: 16, nullable: true };
export const sourceRule: FieldRule = {
  kind: 'text',
  min: 1,
  max: 32,
  pattern: { source: '[a-z0-9][a-z0-9_-]{0,31}', message: 'source must be a lower-case name' },
  nullable: false,
};
export const conditionsRule: FieldRule = { kind: 'list', maxItems: 16, itemMax: 8 };
export const cashtagsRule: FieldRule = { kind: 'list', maxItems: 64, itemMax: 38, itemPattern: SYMBOL };

/** Optional free text of at most `max` characters. */
export const textRule = (max: number, min = 0, nullable = true): FieldRule => ({
  kind: 'text',
  min,
  max,
  nullable,
});
