import { createHash } from 'node:crypto';
import { convertTime } from '../time-convert.js';
import { cashtagsIn, shape, type VendorContext, type VendorValue } from './vendor-record.js';

/** Header names (lower case) each post field is read from, first present wins. */
const ALIASES: Record<string, readonly string[]> = {
  post_id: ['id', 'post_id', 'guid', 'uuid'],
  created_at: ['created_at', 'published_at', 'published', 'datetime', 'date', 'time', 'timestamp'],
  title: ['headline', 'title', 'tweet text', 'text'],
  body: ['body', 'summary', 'description', 'content', 'original'],
  url: ['url', 'link', 'tweet url'],
  author: ['author', 'byline', 'user', 'username'],
  community: ['publisher', 'source', 'site', 'outlet'],
  tickers: ['ticker', 'tickers', 'symbol', 'symbols', 'stock ticker', 'stocks'],
};

/** A CSV time cell: RFC 3339 kept, naive date-time read as UTC, a bare date as its midnight UTC. */
function csvTime(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00Z`;
  return convertTime(text, 'iso', 'UTC');
}

/**
 * One row of a headlines or posts CSV (columns found by header name, see ALIASES) as a
 * sentiment post. Without an id column the post id is the sha1 of its URL (or title and
 * time), so re-ingesting the same headline gives the same id. Other columns go to `extra`.
 */
export function csvPost(
  names: readonly string[],
  cells: readonly string[],
  source: 'headlines' | 'stocktwits',
  ctx: VendorContext,
): VendorValue {
  const row: Record<string, string> = {};
  names.forEach((n, i) => {
    row[n] = cells[i] ?? '';
  });
  const lower = names.map((n) => n.toLowerCase());
  const used: string[] = [];
  const pick = (field: string): string | undefined => {
    for (const alias of ALIASES[field] ?? []) {
      const i = lower.indexOf(alias);
      if (i >= 0 && !used.includes(names[i] as string)) {
        used.push(names[i] as string);
        const v = cells[i];
        return v === undefined || v === '' ? undefined : v;
      }
    }
    return undefined;
  };
  const title = pick('title');
  const body = pick('body');
  const url = pick('url');
  const createdText = pick('created_at');
  const tickers = (pick('tickers') ?? '')
    .split(/[\s,;|]+/)
    .map((t) => t.replace(/^\$/, '').toUpperCase())
    .filter(Boolean);
  const id = pick('post_id');
  const created = csvTime(createdText);
  const key = url ?? `${title ?? body ?? ''}|${createdText ?? ''}`;
  const value = {
    post_id: id ?? createHash('sha1').update(key).digest('hex'),
    source,
    created_at: created,
    author: pick('author') ?? null,
    title: title ?? null,
    body: body ?? null,
    url: url ?? null,
    score: null,
    comment_count: null,
    community: pick('community') ?? null,
    cashtags: [...new Set([...tickers, ...cashtagsIn(title, body)])],
  };
  return { raw: row, value: shape(value, row, used, ctx) };
}
