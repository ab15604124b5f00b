import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_sentiment_volatility'), layer: 'gold' as const };

export const factSentimentVolatility: ModelDefinition = {
  ref,
  description:
    "Day-t sentiment against the next session's realized volatility per symbol, with a trailing 30-day rolling correlation",
  grain: 'one row per symbol per session date with sentiment',
  uniqueKey: ['symbol', 'session_date'],
  partitionColumn: 'session_date',
  // The rolling window reaches 29 days back; the next session up to 5 days ahead.
  incremental: byPartition(29, 5),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'session_date', description: 'Day t, the sentiment day (partition)' },
    { name: 'mean_sentiment', description: 'Mean sentiment on day t' },
    { name: 'realized_vol', description: 'Realized volatility of day t itself (null without a session)' },
    { name: 'next_session_date', description: 'First session after t within 5 days' },
    { name: 'next_realized_vol', description: 'Its realized volatility (day t+1)' },
    { name: 'next_log_return', description: 'Its close-to-close log return' },
    { name: 'rolling_pairs', description: '(sentiment, next vol) pairs in the trailing 30 calendar days' },
    { name: 'rolling_corr_30d', description: 'Pearson correlation over those pairs; null under 5' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'session_date']),
    notNull(ref, ['symbol', 'session_date']),
    rowRule(
      ref,
      'correlation_in_range',
      'rolling_corr_30d IS NULL OR rolling_corr_30d BETWEEN -1 - 1e-9 AND 1 + 1e-9',
      'correlation in [-1, 1]',
    ),
  ],
};
