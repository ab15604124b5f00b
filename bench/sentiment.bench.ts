import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadLabelledData, sentimentScore, trainFinanceSentiment } from '../models/index.js';
import type { BenchResult } from './report.js';

const STOCKNET_TWEETS =
  '../shared/data/social-sentiment/stocknet/tweets_raw_slim_2014-01-01_2015-06-30.jsonl.gz';

function postsPerSecond(texts: readonly string[], score: (t: string) => number, minMs = 2000): number {
  let n = 0;
  let sink = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (const t of texts) sink += score(t);
    n += texts.length;
  }
  if (Number.isNaN(sink)) throw new Error('a score was NaN');
  return n / ((performance.now() - started) / 1000);
}

/**
 * Scoring speed of the finance sentiment classifier on one core (this process, one thread), on
 * real StockNet tweets, beside VADER scoring the same tweets in the same run. Target: 20,000 posts/s.
 */
export async function benchSentiment(posts: number): Promise<BenchResult[]> {
  const { model } = trainFinanceSentiment(loadLabelledData());
  const texts = gunzipSync(readFileSync(STOCKNET_TWEETS))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, posts)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  // Warm both up so the JIT has compiled them before timing.
  for (const t of texts.slice(0, 2000)) model.score(t) + sentimentScore(t);
  const vader = postsPerSecond(texts, sentimentScore);
  const finance = postsPerSecond(texts, (t) => model.score(t));
  return [
    {
      name: `finance sentiment scoring, one core (${texts.length.toLocaleString('en-US')} StockNet tweets)`,
      unit: 'posts/s',
      value: finance,
      limit: vader,
      limitName: 'VADER (vader-sentiment) on the same posts',
      note: `target 20,000 posts/s: ${finance >= 20_000 ? 'met' : 'missed'}`,
    },
  ];
}
