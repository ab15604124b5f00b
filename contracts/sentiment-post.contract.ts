import { z } from 'zod';
import { cashtagsRule, countRule, eventTimeRule, field, sourceRule, textRule } from './fields.js';

/** sentiment_post.v1: a social-media post or headline that may move a symbol. */
export const SentimentPost = z.object({
  post_id: field(textRule(128, 1, false), 'VARCHAR', 'Id of the post at its source'),
  source: field(sourceRule, 'VARCHAR', 'reddit, stocktwits, headlines, simulator, ...'),
  created_at: field(eventTimeRule, 'TIMESTAMPTZ', 'When the post was published (UTC)'),
  author: field(textRule(128), 'VARCHAR', 'Author handle'),
  title: field(textRule(1_000), 'VARCHAR', 'Title or headline'),
  body: field(textRule(40_000), 'VARCHAR', 'Post text'),
  url: field(textRule(2_048), 'VARCHAR', 'Link to the post'),
  score: field({ kind: 'number', sign: 'any', integer: true, nullable: true }, 'BIGINT', 'Upvotes / likes'),
  comment_count: field(countRule, 'BIGINT', 'Number of comments'),
  community: field(textRule(128), 'VARCHAR', 'Subreddit or channel'),
  cashtags: field(cashtagsRule, 'VARCHAR[]', 'Symbols tagged in the post ($AAPL)'),
});
export type SentimentPost = {
  post_id: string;
  source: string;
  created_at: string;
  author: string | null;
  title: string | null;
  body: string | null;
  url: string | null;
  score: number | null;
  comment_count: number | null;
  community: string | null;
  cashtags: string[];
};
