import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_daily_market'), layer: 'gold' as const };

export const factDailyMarket: ModelDefinition = {
  ref,
  description:
    'Daily close-to-close log return, realized volatility from 1m returns, Parkinson and Garman-Klass range volatility, volume and dollar volume',
  grain: 'one row per symbol per trading session',
  uniqueKey: ['symbol', 'session_date'],
  partitionColumn: 'session_date',
  // The previous close is looked for up to 7 days back.
  incremental: byPartition(7, 0),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'symbol_key', description: 'dim_symbol version valid on the session date' },
    { name: 'date_key', description: 'Session date as yyyymmdd (dim_date)' },
    { name: 'session_date', description: "Trading session date in the symbol's market (partition)" },
    { name: 'open', description: 'Regular-session open' },
    { name: 'high', description: 'Regular-session high' },
    { name: 'low', description: 'Regular-session low' },
    { name: 'close', description: 'Regular-session close' },
    { name: 'previous_close', description: 'Close of the previous session within 7 days' },
    { name: 'log_return', description: 'ln(close / previous_close)' },
    {
      name: 'realized_vol',
      description: 'sqrt(sum of squared 1m log returns) in the regular session, daily',
    },
    { name: 'n_intraday_returns', description: 'Number of 1m returns in realized_vol' },
    { name: 'parkinson_vol', description: 'sqrt(ln(H/L)^2 / (4 ln 2)), daily' },
    { name: 'garman_klass_vol', description: 'sqrt(0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2), daily' },
    { name: 'volume', description: 'Regular-session volume' },
    { name: 'dollar_volume', description: 'Regular-session VWAP x volume' },
    { name: 'trade_count', description: 'Regular-session trades' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'session_date']),
    notNull(ref, ['symbol', 'session_date', 'close', 'realized_vol', 'parkinson_vol', 'garman_klass_vol']),
    rowRule(
      ref,
      'volatility_non_negative',
      'realized_vol >= 0 AND parkinson_vol >= 0 AND garman_klass_vol >= 0',
      'volatilities are non-negative',
    ),
  ],
};
