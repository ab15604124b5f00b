import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestVendorFile } from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

const DATA = join(import.meta.dirname, '../../../shared/data/social-sentiment');
const FIXTURES = join(import.meta.dirname, '../fixtures/ingest');
const POST_COLS = `post_id, source, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, author, title, body, url, score::INTEGER AS score, comment_count::INTEGER AS comment_count, community, cashtags, extra`;

describe('sentiment post formats', () => {
  const shared = sharedSession();

  it('stocktwits: real StockTwits posts (StockEmotions export CSV, quoted fields, emoji)', async () => {
    const r = await ingestVendorFile(shared.session, join(DATA, 'stockemotions/val_stockemo.csv'), {
      format: 'stocktwits',
      dataset: 'sentiment_posts',
    });
    expect(r).toMatchObject({ read: 1000, accepted: 1000, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT ${POST_COLS} FROM bronze.sentiment_posts WHERE post_id = '100595'`,
    );
    expect(rows).toEqual([
      {
        post_id: '100595',
        source: 'stocktwits',
        created_at: '2020-02-06T00:00:00Z',
        author: null,
        title: null,
        body: '$TSLA did jim Cramer just pull another bear Stearns? 🤯',
        url: null,
        score: null,
        comment_count: null,
        community: null,
        cashtags: ['TSLA'],
        extra:
          '{"emo_label":"anger","senti_label":"bearish","processed":"Tesla did jim Cramer just pull another bear Stearns?  [exploding head]"}',
      },
    ]);
    const bySentiment = await shared.session.all(
      `SELECT extra ->> 'senti_label' AS label, count(*)::INTEGER AS n FROM bronze.sentiment_posts GROUP BY 1 ORDER BY 1`,
    );
    expect(bySentiment).toEqual([
      { label: 'bearish', n: 463 },
      { label: 'bullish', n: 537 },
    ]);
  });

  it('headlines: real CSV with quoted fields holding newlines and commas (Surge AI tweets)', async () => {
    const file = join(DATA, 'surge-ai/sentiment.csv');
    // The file has no time column: without one every row is refused, with its line number.
    const bare = await ingestVendorFile(shared.session, file, {
      format: 'headlines',
      dataset: 'sentiment_posts',
    });
    expect(bare).toMatchObject({ read: 500, accepted: 0, quarantined: 500 });
    const refused = await shared.session.all<{ source_line: string; reason: string }>(
      `SELECT source_line::INTEGER AS source_line, reason FROM quarantine.sentiment_posts ORDER BY source_line LIMIT 2`,
    );
    // Record 1 spans lines 2-9 (embedded CRLF newlines), record 2 starts on line 10.
    expect(refused).toEqual([
      { source_line: 2, reason: 'created_at: required' },
      { source_line: 10, reason: 'created_at: required' },
    ]);
    const dated = await ingestVendorFile(shared.session, file, {
      format: 'headlines',
      dataset: 'sentiment_posts',
      constants: { created_at: '2022-05-16T00:00:00Z' },
      force: true,
    });
    expect(dated).toMatchObject({ read: 500, accepted: 500, quarantined: 0 });
    const [second] = await shared.session.all(
      `SELECT ${POST_COLS} FROM bronze.sentiment_posts WHERE url LIKE '%1526484891881377792%'`,
    );
    expect(second).toEqual({
      post_id: '8f0a68ee3eed3d64016371742a8b7e9d3bc02cd7',
      source: 'headlines',
      created_at: '2022-05-16T00:00:00Z',
      author: null,
      title: 'Nice 9% pre market move for $para, pump my calls Uncle Buffett 🤑',
      body: null,
      url: 'https://twitter.com/option_oracle/status/1526484891881377792?t=wDZDLfRf1JdpQIZwGPBJzA&s=19',
      score: null,
      comment_count: null,
      community: null,
      cashtags: ['PARA'],
      extra: '{"Sentiment":"Positive"}',
    });
    const [first] = await shared.session.all<{ title: string; cashtags: string[] }>(
      `SELECT title, cashtags FROM bronze.sentiment_posts WHERE url LIKE '%1526019773313650689'`,
    );
    expect(first?.title.startsWith("Ruh-roh, *someone's* first ex wife")).toBe(true);
    expect(first?.title.endsWith('#TheSociopathicBusinessModel\r\n$TSLA $TWTR')).toBe(true);
    expect(first?.cashtags).toEqual(['TSLA', 'TWTR']);
  });

  it('reddit: a Listing in Reddit JSON shape (fixture; no real export in the shared data)', async () => {
    const r = await ingestVendorFile(shared.session, join(FIXTURES, 'reddit-listing.json'), {
      format: 'reddit',
      dataset: 'sentiment_posts',
    });
    expect(r).toMatchObject({ read: 2, accepted: 2, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT ${POST_COLS} FROM bronze.sentiment_posts WHERE source = 'reddit' ORDER BY created_at`,
    );
    expect(rows[0]).toEqual({
      post_id: 't3_1abcde',
      source: 'reddit',
      created_at: '2024-02-21T16:00:00Z',
      author: 'example_user',
      title: 'Chip stocks before earnings',
      body: 'Thinking about $NVDA and $AMD into earnings.',
      url: 'https://www.reddit.com/r/stocks/comments/1abcde/chip_stocks_before_earnings/',
      score: 412,
      comment_count: 87,
      community: 'stocks',
      cashtags: ['NVDA', 'AMD'],
      extra:
        '{"upvote_ratio":0.93,"link_flair_text":"Discussion","over_18":false,"is_self":true,"domain":"self.stocks","kind":"t3"}',
    });
    expect(rows[1]).toMatchObject({ post_id: 't3_1fghij', score: -3, body: null, cashtags: ['GME'] });
  });

  it('stocktwits: API messages JSON (fixture in the documented shape)', async () => {
    const r = await ingestVendorFile(shared.session, join(FIXTURES, 'stocktwits-messages.json'), {
      format: 'stocktwits',
      dataset: 'sentiment_posts',
    });
    expect(r).toMatchObject({ read: 2, accepted: 2, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT ${POST_COLS} FROM bronze.sentiment_posts WHERE post_id = '500000002'`,
    );
    expect(rows).toEqual([
      {
        post_id: '500000002',
        source: 'stocktwits',
        created_at: '2024-02-21T15:04:05Z',
        author: 'example_trader',
        title: null,
        body: '$AAPL breaking out, $MSFT next',
        url: 'https://stocktwits.com/example_trader/message/500000002',
        score: 12,
        comment_count: 3,
        community: null,
        cashtags: ['AAPL', 'MSFT'],
        extra: '{"sentiment":"Bullish"}',
      },
    ]);
  });
});
