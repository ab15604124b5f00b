import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_daily_sentiment'), layer: 'gold' as const };

export const factDailySentiment: ModelDefinition = {
  ref,
  description: 'Post count, mean and upvote-weighted sentiment, bullish and bearish share by symbol and day',
  grain: 'one row per symbol per session date with posts',
  uniqueKey: ['symbol', 'session_date'],
  partitionColumn: 'session_date',
  // A New York date spans UTC dt and dt + 1.
  incremental: byPartition(0, 1),
  columns: [
    { name: 'symbol', description: 'Ticker the posts were matched to' },
    { name: 'symbol_key', description: 'dim_symbol version valid when the posts were made' },
    { name: 'date_key', description: 'Session date as yyyymmdd (dim_date)' },
    { name: 'session_date', description: "Post date in the symbol's market time zone (partition)" },
    { name: 'post_count', description: 'Posts about the symbol that day' },
    { name: 'scored_count', description: 'Those with a sentiment score' },
    { name: 'mean_sentiment', description: 'Mean sentiment score' },
    { name: 'weighted_sentiment', description: 'Sentiment weighted by 1 + upvotes' },
    { name: 'bullish_share', description: 'Share of scored posts with score >= 0.05' },
    { name: 'bearish_share', description: 'Share of scored posts with score <= -0.05' },
    { name: 'total_upvotes', description: 'Sum of non-negative upvotes' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'session_date']),
    notNull(ref, ['symbol', 'session_date', 'post_count']),
    rowRule(
      ref,
      'sentiment_in_range',
      'mean_sentiment IS NULL OR (mean_sentiment BETWEEN -1 AND 1 AND weighted_sentiment BETWEEN -1 AND 1 AND bullish_share + bearish_share <= 1)',
      'sentiment in [-1, 1], shares add up to at most 1',
    ),
  ],
};
