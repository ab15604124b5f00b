import { z } from 'zod';
import {
  countRule,
  eventTimeRule,
  field,
  optionalPriceRule,
  priceRule,
  sizeRule,
  sourceRule,
  symbolRule,
} from './fields.js';
import { holds, type RecordRule } from './rules.js';

export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

/** Cross-field rules of bar.v1 (zod and SQL both apply them). */
export const BAR_RECORD_RULES: readonly RecordRule[] = [
  {
    path: 'high',
    message: 'inconsistent bar: high/low do not bound open/close',
    all: [
      ['high', '>=', 'open'],
      ['high', '>=', 'close'],
      ['high', '>=', 'low'],
      ['low', '<=', 'open'],
      ['low', '<=', 'close'],
    ],
  },
];

/** bar.v1: an OHLCV bar from a vendor. */
export const Bar = z
  .object({
    symbol: field(symbolRule, 'VARCHAR', 'Ticker or pair, upper case'),
    bar_start_at: field(eventTimeRule, 'TIMESTAMPTZ', 'Start of the bar (UTC)'),
    interval: field(
      { kind: 'enum', values: BAR_INTERVALS, nullable: false },
      'VARCHAR',
      'Bar length: 1m, 5m, 15m, 1h, 1d',
    ),
    open: field(priceRule, 'DOUBLE', 'First trade price'),
    high: field(priceRule, 'DOUBLE', 'Highest trade price'),
    low: field(priceRule, 'DOUBLE', 'Lowest trade price'),
    close: field(priceRule, 'DOUBLE', 'Last trade price'),
    volume: field(sizeRule, 'DOUBLE', 'Quantity traded'),
    vwap: field(optionalPriceRule, 'DOUBLE', 'Volume-weighted average price'),
    trade_count: field(countRule, 'BIGINT', 'Number of trades'),
    source: field(sourceRule, 'VARCHAR', 'Where the record came from'),
  })
  .refine((b) => holds(BAR_RECORD_RULES[0] as RecordRule, b), {
    message: BAR_RECORD_RULES[0]?.message,
    path: ['high'],
  });
export type Bar = {
  symbol: string;
  bar_start_at: string;
  interval: BarInterval;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trade_count: number | null;
  source: string;
};
