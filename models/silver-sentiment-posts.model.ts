import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'sentiment_posts'), layer: 'silver' as const };

export const silverSentimentPosts: ModelDefinition = {
  ref,
  description:
    'Posts deduplicated by (source, post_id) keeping the latest edit, matched to dim_symbol by cashtag and company name, with a sentiment score',
  grain: 'one row per post',
  uniqueKey: ['source', 'post_id'],
  partitionColumn: 'dt',
  incremental: byPartition(),
  columns: [
    { name: 'post_id', description: 'Id of the post at its source' },
    { name: 'source', description: 'reddit, stocktwits, headlines, simulator, ...' },
    { name: 'created_at', description: 'When the post was published (UTC)' },
    { name: 'score', description: 'Upvotes / likes at the source (not the sentiment)' },
    {
      name: 'symbols',
      description: 'Every dim_symbol ticker the post is about (cashtags and names), sorted',
    },
    { name: 'cashtag_symbols', description: 'Those matched by a cashtag or $TICKER in the text' },
    { name: 'name_symbols', description: 'Those matched by the company name in the text' },
    { name: 'sentiment_score', description: 'VADER compound score of title and body, in [-1, 1]' },
    { name: 'sentiment_label', description: 'positive (>= 0.05), negative (<= -0.05) or neutral' },
    { name: 'scorer_name', description: 'npm package that scored the text' },
    { name: 'scorer_version', description: 'Its version' },
    { name: 'content_hash', description: 'md5 of title, newline, body of the kept version' },
    { name: 'dt', description: 'UTC date the post was created (partition)' },
  ],
  checks: [
    uniqueKey(ref, ['source', 'post_id']),
    notNull(ref, ['post_id', 'source', 'created_at']),
    notNull(ref, ['sentiment_score', 'scorer_name'], 'warn'),
    rowRule(
      ref,
      'score_in_range',
      'sentiment_score IS NULL OR sentiment_score BETWEEN -1 AND 1',
      'sentiment score in [-1, 1]',
    ),
  ],
};
