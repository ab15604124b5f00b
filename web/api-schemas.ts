import { z } from 'zod';
import { ALERT_RULES, LIVE_KINDS } from '../streaming/live-events.js';

/**
 * Parameters of every API route, validated with zod; the OpenAPI document is generated from these
 * same schemas (openapi.ts), so the docs cannot drift from what the server accepts.
 */

export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;

const SESSION_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const SymbolParam = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$/, 'must be 1-32 letters, digits, ".", "_", ":" or "-"')
  .meta({ description: 'Ticker or pair, e.g. AAPL or BTC-USD' });

const dateOrInstant = z
  .string()
  .refine(
    (s) => (SESSION_DATE.test(s) ? !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) : isInstant(s)),
    'must be a date YYYY-MM-DD or an ISO 8601 instant with a zone, e.g. 2024-03-04T14:30:00Z',
  );

const instant = z
  .string()
  .refine(isInstant, 'must be an ISO 8601 instant with a zone, e.g. 2024-03-04T14:30:00Z')
  .meta({ description: 'ISO 8601 instant, e.g. 2024-03-04T14:30:00Z' });

export function isInstant(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) &&
    !Number.isNaN(Date.parse(s))
  );
}

const limit = (fallback: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .meta({ description: `Rows per page (1-${max}, default ${fallback})` });

const cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a cursor returned by this API')
  .optional()
  .meta({ description: 'next_cursor of the previous page' });

export const SymbolPath = z.strictObject({ symbol: SymbolParam });

export const SymbolsQuery = z.strictObject({
  current: z
    .enum(['true', 'false'])
    .default('true')
    .meta({ description: 'true: current versions only; false: the whole SCD2 history' }),
});

export const BarsQuery = z.strictObject({
  interval: z.enum(BAR_INTERVALS).default('1m').meta({ description: 'Bar interval' }),
  from: dateOrInstant
    .optional()
    .meta({ description: 'Session date (inclusive) or instant (inclusive) where the bars start' }),
  to: dateOrInstant.optional().meta({ description: 'Session date (inclusive) or instant (exclusive)' }),
  limit: limit(1000, 10_000),
  cursor,
});

export const TradesQuery = z.strictObject({
  from: dateOrInstant.optional().meta({ description: 'UTC date (inclusive) or instant (inclusive)' }),
  to: dateOrInstant.optional().meta({ description: 'UTC date (inclusive) or instant (exclusive)' }),
  limit: limit(1000, 10_000),
  cursor,
});

export const MarketSummaryQuery = z.strictObject({
  session: z
    .string()
    .regex(SESSION_DATE, 'must be a date YYYY-MM-DD')
    .optional()
    .meta({ description: 'Session date; default the latest session in gold.fact_daily_market' }),
});

export const AlertsQuery = z.strictObject({
  symbol: SymbolParam.optional(),
  kind: z.enum(ALERT_RULES).optional().meta({ description: 'Alert rule' }),
  since: instant.optional(),
  limit: limit(100, 1000),
});

export const PostsQuery = z.strictObject({ limit: limit(20, 200) });

export const RunsQuery = z.strictObject({ limit: limit(50, 500) });

export const RunPath = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'is not a run id')
    .meta({ description: 'Run id' }),
});

export const TablePath = z.strictObject({
  table: z
    .string()
    .regex(
      /^(bronze|silver|gold|quarantine)\.[a-z][a-z0-9_]{0,62}$/,
      'must be <layer>.<table>, e.g. gold.fact_bars',
    )
    .meta({ description: 'Qualified table name, e.g. gold.fact_bars' }),
});

export const LivePath = z.strictObject({
  kind: z.enum(LIVE_KINDS).meta({ description: 'alerts, bars or trades' }),
});

export const LiveQuery = z.strictObject({ symbol: SymbolParam.optional() });

export const EmptyQuery = z.strictObject({});
