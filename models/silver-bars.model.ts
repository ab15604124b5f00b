import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'bars'), layer: 'silver' as const };

export const silverBars: ModelDefinition = {
  ref,
  description: 'Vendor OHLCV bars, deduplicated (a re-sent bar replaces the earlier one), with session date',
  grain: 'one row per source, symbol, interval and bar start',
  uniqueKey: ['source', 'symbol', 'interval', 'bar_start_at'],
  partitionColumn: 'dt',
  incremental: byPartition(),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'bar_start_at', description: 'Start of the bar (UTC)' },
    { name: 'interval', description: '1m, 5m, 15m, 1h or 1d' },
    {
      name: 'session_date',
      description: "Trading session date in the symbol's market (daily bars at 00:00 UTC keep their date)",
    },
    {
      name: 'is_regular_hours',
      description: 'The bar starts inside the regular session (always true for 1d)',
    },
    { name: 'dt', description: 'UTC date of bar_start_at (partition)' },
  ],
  checks: [
    uniqueKey(ref, ['source', 'symbol', 'interval', 'bar_start_at']),
    notNull(ref, ['symbol', 'bar_start_at', 'interval', 'open', 'high', 'low', 'close', 'volume']),
    rowRule(
      ref,
      'ohlc_consistent',
      'low <= least(open, close) AND high >= greatest(open, close) AND low > 0',
      'low <= open, close <= high and prices positive',
    ),
  ],
};
