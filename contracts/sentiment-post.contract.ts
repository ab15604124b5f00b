import { z } from 'zod';
import { column, EventTime, SourceName, Ticker } from './fields.js';

/** sentiment_post.v1: a social-media post or headline that may move a symbol. */
export const SentimentPost = z.object({
  post_id: column(z.string().min(1).max(128), 'VARCHAR', 'Id of the post at its source'),
  source: column(SourceName, 'VARCHAR', 'reddit, stocktwits, headlines, simulator, ...'),
  created_at: column(EventTime, 'TIMESTAMPTZ', 'When the post was published (UTC)'),
  author: column(z.string().max(128).nullable().default(null), 'VARCHAR', 'Author handle'),
  title: column(z.string().max(1_000).nullable().default(null), 'VARCHAR', 'Title or headline'),
  body: column(z.string().max(40_000).nullable().default(null), 'VARCHAR', 'Post text'),
  url: column(z.string().max(2_048).nullable().default(null), 'VARCHAR', 'Link to the post'),
  score: column(z.number().int().finite().nullable().default(null), 'BIGINT', 'Upvotes / likes'),
  comment_count: column(
    z.number().int().nonnegative().nullable().default(null),
    'BIGINT',
    'Number of comments',
  ),
  community: column(z.string().max(128).nullable().default(null), 'VARCHAR', 'Subreddit or channel'),
  cashtags: column(z.array(Ticker).max(64).default([]), 'VARCHAR[]', 'Symbols tagged in the post ($AAPL)'),
});
export type SentimentPost = z.infer<typeof SentimentPost>;
