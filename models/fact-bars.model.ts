import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_bars'), layer: 'gold' as const };

export const factBars: ModelDefinition = {
  ref,
  description:
    'OHLCV bars with VWAP and trade count at 1m, 5m, 15m, 1h (all trades) and 1d (regular session); vendor bars where a symbol has no trades',
  grain: 'one row per symbol per interval per bar_start_at',
  uniqueKey: ['symbol', 'interval', 'bar_start_at'],
  partitionColumn: 'session_date',
  incremental: byPartition(0, 1),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'symbol_key', description: 'dim_symbol version valid on the session date' },
    { name: 'date_key', description: 'Session date as yyyymmdd (dim_date)' },
    { name: 'session_date', description: "Trading session date in the symbol's market (partition)" },
    { name: 'interval', description: '1m, 5m, 15m, 1h or 1d' },
    { name: 'bar_start_at', description: 'Start of the bar (UTC); the session open for 1d' },
    { name: 'open', description: 'First trade price' },
    { name: 'high', description: 'Highest trade price' },
    { name: 'low', description: 'Lowest trade price' },
    { name: 'close', description: 'Last trade price' },
    { name: 'volume', description: 'Quantity traded' },
    { name: 'vwap', description: 'Volume-weighted average price' },
    { name: 'trade_count', description: 'Number of trades' },
    {
      name: 'adj_close',
      description:
        "1d only: close adjusted for splits and dividends (raw close × the factor file's price_factor × split_factor)",
    },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'interval', 'bar_start_at']),
    notNull(ref, ['symbol', 'interval', 'bar_start_at', 'open', 'high', 'low', 'close', 'volume']),
    notNull(ref, ['symbol_key'], 'warn'),
    rowRule(
      ref,
      'ohlc_consistent',
      'low <= least(open, close) AND high >= greatest(open, close) AND low > 0',
      'low <= open, close <= high and prices positive',
    ),
    rowRule(
      ref,
      'vwap_within_range',
      'vwap IS NULL OR vwap BETWEEN low * (1 - 1e-9) AND high * (1 + 1e-9)',
      'VWAP lies between low and high',
    ),
    rowRule(
      ref,
      'adj_close_daily_only',
      "(interval = '1d') = (adj_close IS NOT NULL) AND (adj_close IS NULL OR adj_close > 0)",
      'adj_close is set (and positive) on daily bars only',
    ),
    rowRule(
      ref,
      'positive_trade_count',
      'trade_count IS NULL OR trade_count > 0',
      'every bar has at least one trade (null only for vendor bars without a count)',
    ),
  ],
};
