import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'trades'), layer: 'silver' as const };

export const silverTrades: ModelDefinition = {
  ref,
  description:
    'Trades deduplicated by (source, symbol, trade_id), cancels removed and corrections applied, with session date and regular-hours flag',
  grain: 'one row per trade',
  uniqueKey: ['source', 'symbol', 'trade_id'],
  partitionColumn: 'dt',
  incremental: byPartition(),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'event_at', description: 'Execution time (UTC, microseconds)' },
    { name: 'price', description: 'Execution price' },
    { name: 'size', description: 'Quantity traded' },
    { name: 'session_date', description: "Trading session date in the symbol's market time zone" },
    { name: 'is_regular_hours', description: 'Inside the regular session of its market' },
    {
      name: 'is_corrected',
      description:
        'The trade was corrected (CORRECTION/CORRECTED condition): price and size are the corrected ones',
    },
    {
      name: 'is_suspicious',
      description:
        'A vendor flagged the print as far from the market (SUSPICIOUS condition); bars leave it out',
    },
    {
      name: 'batch_row',
      description:
        'Position of the print in its bronze batch file (source order): breaks ties between prints of one timestamp',
    },
    { name: 'dt', description: 'UTC event date (partition)' },
  ],
  checks: [
    uniqueKey(ref, ['source', 'symbol', 'trade_id'], { skipNullIn: 'trade_id' }),
    notNull(ref, ['symbol', 'event_at', 'price', 'size', 'session_date']),
    rowRule(ref, 'positive_price', 'price > 0 AND isfinite(price)', 'price is positive and finite'),
  ],
};
