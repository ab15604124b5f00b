import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'dim_date'), layer: 'gold' as const };

export const dimDate: ModelDefinition = {
  ref,
  description:
    'Calendar: every day of each year with trades or bars, with NYSE holidays, early closes and crypto trading days',
  grain: 'one row per calendar day',
  uniqueKey: ['date_key'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'date_key', description: 'yyyymmdd' },
    { name: 'date', description: 'Calendar date' },
    {
      name: 'is_nyse_trading_day',
      description: 'NYSE open that day: a weekday that is no NYSE holiday or closure',
    },
    { name: 'is_crypto_trading_day', description: 'Crypto trades every day' },
    { name: 'is_nyse_holiday', description: 'A weekday the NYSE is closed (holiday or unscheduled closure)' },
    {
      name: 'nyse_holiday_name',
      description: 'Name of the holiday or closure (also on weekend dates of a holiday)',
    },
    {
      name: 'is_nyse_early_close',
      description: 'NYSE closes at 13:00 New York (July 3, December 24, day after Thanksgiving)',
    },
    { name: 'nyse_open_local_time', description: 'Regular open in New York time, null when closed' },
    {
      name: 'nyse_close_local_time',
      description: 'Regular close in New York time (13:00 on early closes), null when closed',
    },
  ],
  checks: [
    uniqueKey(ref, ['date_key']),
    notNull(ref, ['date_key', 'date']),
    rowRule(
      ref,
      'trading_day_consistent',
      'NOT (is_nyse_trading_day AND (is_weekend OR is_nyse_holiday)) AND (is_nyse_early_close <= is_nyse_trading_day)',
      'no NYSE session on weekends or holidays; early closes only on trading days',
    ),
  ],
};
