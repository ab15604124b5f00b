import { tableRef } from '../layers/index.js';
import {
  acceptedValues,
  barRules,
  dailyVolumeMatchesVendor,
  noMissingMinuteBars,
  notNull,
  relationship,
  rowCountAnomaly,
  rowRule,
  uniqueKey,
} from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_bars'), layer: 'gold' as const };

export const factBars: ModelDefinition = {
  ref,
  description:
    'OHLCV bars with VWAP and trade count at 1m, 5m, 15m, 1h (whole day) and 1d (regular session) by sale-condition eligibility, beside the naive all-prints bar; vendor bars where a symbol has no trades',
  grain: 'one row per symbol per interval per bar_start_at',
  uniqueKey: ['symbol', 'interval', 'bar_start_at'],
  partitionColumn: 'session_date',
  incremental: byPartition(0, 1),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'symbol_key', description: 'dim_symbol version valid on the session date' },
    {
      name: 'entity_key',
      description: 'dim_symbol entity on the session date: the same company across a ticker change',
    },
    { name: 'date_key', description: 'Session date as yyyymmdd (dim_date)' },
    { name: 'session_date', description: "Trading session date in the symbol's market (partition)" },
    { name: 'interval', description: '1m, 5m, 15m, 1h or 1d' },
    { name: 'bar_start_at', description: 'Start of the bar (UTC); the session open for 1d' },
    {
      name: 'open',
      description:
        'First print that may set the open (silver.sale_conditions); 1d: the official open where the feed marks one. Null when no print of the bar may',
    },
    { name: 'high', description: 'Highest print that may set the high' },
    { name: 'low', description: 'Lowest print that may set the low' },
    {
      name: 'close',
      description: 'Last print that may set the close; 1d: the official close where the feed marks one',
    },
    { name: 'volume', description: 'Quantity of the prints that count in volume' },
    {
      name: 'vwap',
      description: 'Volume-weighted price of the prints that count in volume and may set the high and low',
    },
    { name: 'trade_count', description: 'Number of prints that count in volume' },
    {
      name: 'adj_close',
      description:
        "1d only: close adjusted for splits and dividends (raw close × the factor file's price_factor × split_factor)",
    },
    {
      name: 'adj_factor',
      description:
        "Every bar: the session's split/dividend factor (price_factor × split_factor); adjusted price = raw price × adj_factor",
    },
    { name: 'adj_volume', description: 'Every bar: volume in post-split shares (raw volume / split_factor)' },
    { name: 'naive_open', description: 'First print of the bar, whatever its conditions' },
    { name: 'naive_high', description: 'Highest print, whatever its conditions' },
    { name: 'naive_low', description: 'Lowest print, whatever its conditions' },
    { name: 'naive_close', description: 'Last print, whatever its conditions' },
    { name: 'naive_volume', description: 'Quantity of every print' },
    { name: 'naive_vwap', description: 'Volume-weighted price of every print' },
    { name: 'naive_trade_count', description: 'Number of prints' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'interval', 'bar_start_at']),
    notNull(ref, [
      'symbol',
      'interval',
      'bar_start_at',
      'volume',
      'naive_open',
      'naive_high',
      'naive_low',
      'naive_close',
    ]),
    notNull(ref, ['symbol_key'], 'warn'),
    rowRule(
      ref,
      'ohlc_consistent',
      '(open IS NULL) = (close IS NULL) AND (high IS NULL) = (low IS NULL) AND (open IS NULL OR high IS NOT NULL) AND (high IS NULL OR (low <= least(coalesce(open, low), coalesce(close, low)) AND high >= greatest(coalesce(open, high), coalesce(close, high)) AND low > 0))',
      'open and close set together, high and low together; low <= open, close <= high and prices positive',
    ),
    rowRule(
      ref,
      'naive_ohlc_consistent',
      'naive_low <= least(naive_open, naive_close) AND naive_high >= greatest(naive_open, naive_close) AND naive_low > 0',
      'naive bar: low <= open, close <= high and prices positive',
    ),
    ...barRules(ref, {
      open: 'open',
      high: 'high',
      low: 'low',
      close: 'close',
      volume: 'volume',
      vwap: 'vwap',
    }),
    acceptedValues(ref, 'interval', ['1m', '5m', '15m', '1h', '1d']),
    // Warn: a symbol traded before its reference data arrived has no valid version yet (symbol_key null).
    relationship(
      ref,
      'symbol_key',
      {
        to: tableRef('gold', 'dim_symbol'),
        toColumn: 'symbol_key',
        validFrom: 'valid_from',
        validTo: 'valid_to',
        at: 'session_date',
      },
      { severity: 'warn', partitionColumn: 'session_date' },
    ),
    noMissingMinuteBars(ref, 300, { severity: 'warn' }),
    dailyVolumeMatchesVendor(ref, tableRef('silver', 'bars'), 0.05, { severity: 'warn' }),
    rowCountAnomaly(ref, { calendar: 'nyse' }, { severity: 'warn' }),
    rowRule(
      ref,
      'adj_close_daily_only',
      "CASE WHEN interval = '1d' THEN (adj_close IS NULL) = (close IS NULL) ELSE adj_close IS NULL END AND (adj_close IS NULL OR adj_close > 0)",
      'adj_close is set (and positive) on daily bars only',
    ),
    rowRule(
      ref,
      'positive_trade_count',
      "naive_trade_count IS NULL OR (naive_trade_count > 0 AND trade_count >= 0 AND (interval = '1d' OR trade_count <= naive_trade_count))",
      'every bar has at least one print; an intraday bar has no more eligible prints than prints (null only for vendor bars without a count)',
    ),
    rowRule(
      ref,
      'eligible_within_naive',
      "high IS NULL OR (high <= naive_high AND low >= naive_low AND (interval = '1d' OR volume <= naive_volume))",
      'the eligible bar lies within the naive bar: no wider range, no more volume (1d: its auction prints reported after the close count too)',
    ),
  ],
};
