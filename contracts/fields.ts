import { z } from 'zod';

/** Metadata every contract column carries: where docs, JSON Schema and table DDL come from. */
export interface ColumnMeta {
  description: string;
  /** DuckDB type of the column in bronze Parquet. */
  sqlType: string;
  [key: string]: unknown;
}

/** Attach column metadata (description + DuckDB type) to a schema. */
export function column<T extends z.ZodType>(schema: T, sqlType: string, description: string): T {
  return schema.meta({ description, sqlType }) as T;
}

/**
 * Ticker pattern. A symbol ends up in file paths, SQL literals and Redis keys, so only
 * upper-case letters, digits and single inner separators (`.` or `-`; never `/`, a path
 * separator) are allowed: `BRK.B`, `BTC-USD`, `BTCUSDT`. Nothing like `../x` or quotes passes.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9]{1,12}(?:[.-][A-Z0-9]{1,12}){0,2}$/;

export const Ticker = z.string().regex(SYMBOL_PATTERN, 'symbol must match [A-Z0-9] with inner . or - only');

/** Earliest event time any contract accepts. */
export const EARLIEST_EVENT_AT = Date.UTC(1990, 0, 1);
/** How far into the future an event time may be (clock skew between a feed and us). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * An instant as RFC 3339 text with an explicit offset and up to nanosecond digits.
 * Text keeps sub-millisecond precision that a JS Date would lose.
 */
export const EventTime = z
  .string()
  .regex(ISO_UTC, 'timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z')
  .refine((s) => {
    const ms = Date.parse(s.replace(' ', 'T'));
    return Number.isFinite(ms) && ms >= EARLIEST_EVENT_AT;
  }, 'timestamp is before 1990-01-01 or not a real date')
  .refine(
    (s) => Date.parse(s.replace(' ', 'T')) <= Date.now() + FUTURE_TOLERANCE_MS,
    'timestamp is in the future',
  );

export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a real date');

export const Price = z.number().positive('price must be > 0').finite();
export const Size = z.number().nonnegative('size must be >= 0').finite();
export const ShortCode = z.string().max(16);
export const SourceName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'source must be a lower-case name');
export const Conditions = z.array(z.string().max(8)).max(16);
