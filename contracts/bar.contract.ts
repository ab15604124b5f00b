import { z } from 'zod';
import { column, EventTime, Price, Size, SourceName, Ticker } from './fields.js';

export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

/** bar.v1: an OHLCV bar from a vendor. */
export const Bar = z
  .object({
    symbol: column(Ticker, 'VARCHAR', 'Ticker or pair, upper case'),
    bar_start_at: column(EventTime, 'TIMESTAMPTZ', 'Start of the bar (UTC)'),
    interval: column(z.enum(BAR_INTERVALS), 'VARCHAR', 'Bar length: 1m, 5m, 15m, 1h, 1d'),
    open: column(Price, 'DOUBLE', 'First trade price'),
    high: column(Price, 'DOUBLE', 'Highest trade price'),
    low: column(Price, 'DOUBLE', 'Lowest trade price'),
    close: column(Price, 'DOUBLE', 'Last trade price'),
    volume: column(Size, 'DOUBLE', 'Quantity traded'),
    vwap: column(Price.nullable().default(null), 'DOUBLE', 'Volume-weighted average price'),
    trade_count: column(
      z.number().int().nonnegative().nullable().default(null),
      'BIGINT',
      'Number of trades',
    ),
    source: column(SourceName, 'VARCHAR', 'Where the record came from'),
  })
  .refine((b) => b.high >= Math.max(b.open, b.close, b.low) && b.low <= Math.min(b.open, b.close), {
    message: 'inconsistent bar: high/low do not bound open/close',
    path: ['high'],
  });
export type Bar = z.infer<typeof Bar>;
