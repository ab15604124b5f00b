import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';
import { sentimentScoresStep } from './sentiment/sentiment-scores.step.js';

const ref = { ...tableRef('silver', 'sentiment_scores'), layer: 'silver' as const };

export const silverSentimentScores: ModelDefinition = {
  ref,
  description:
    'Sentiment score of every distinct post text, computed by a TypeScript step with the scorer marketlake.yaml chooses for its source (VADER by default, or the finance classifier trained into the lake)',
  grain: 'one row per source, post id and text version',
  uniqueKey: ['source', 'post_id', 'content_hash'],
  partitionColumn: 'dt',
  incremental: byPartition(),
  step: sentimentScoresStep,
  columns: [
    { name: 'source', description: 'Where the post came from' },
    { name: 'post_id', description: 'Id of the post at its source' },
    { name: 'content_hash', description: 'md5 of title, newline, body: identifies one version of the text' },
    { name: 'dt', description: 'UTC date the post was created (partition)' },
    {
      name: 'sentiment_score',
      description: 'VADER compound score, or P(positive) - P(negative) of the finance classifier, in [-1, 1]',
    },
    {
      name: 'scorer_name',
      description: 'Scorer that scored the text: vader-sentiment or marketlake-finance-logreg',
    },
    {
      name: 'scorer_version',
      description: 'Its version (npm version, or the trained model version in _ml/sentiment/)',
    },
  ],
  checks: [
    uniqueKey(ref, ['source', 'post_id', 'content_hash']),
    notNull(ref, ['sentiment_score', 'scorer_name', 'scorer_version']),
    rowRule(ref, 'score_in_range', 'sentiment_score BETWEEN -1 AND 1', 'score in [-1, 1]'),
  ],
};
