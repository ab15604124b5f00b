import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import type { ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'dim_date'), layer: 'gold' as const };

export const dimDate: ModelDefinition = {
  ref,
  description: 'Calendar: every day of each year with trades, with NYSE and crypto trading-day flags',
  grain: 'one row per calendar day',
  uniqueKey: ['date_key'],
  partitionColumn: null,
  incremental: 'full_refresh',
  columns: [
    { name: 'date_key', description: 'yyyymmdd' },
    { name: 'date', description: 'Calendar date' },
    { name: 'is_nyse_trading_day', description: 'NYSE open that day (weekdays; holidays not applied yet)' },
    { name: 'is_crypto_trading_day', description: 'Crypto trades every day' },
  ],
  checks: [uniqueKey(ref, ['date_key']), notNull(ref, ['date_key', 'date'])],
};
