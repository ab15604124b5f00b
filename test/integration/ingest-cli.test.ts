import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketlake } from '../helpers/cli.js';
import { tempLake } from '../helpers/temp-lake.js';

const DATA = join(import.meta.dirname, '../../../shared/data');

describe('marketlake ingest with vendor formats (real samples)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());

  it('polygon REST JSON with --symbol, then a rerun is a duplicate batch', () => {
    const file = join(DATA, 'vendor-wire-fixtures/polygon/v3__trades__AAPL_limit-2.json');
    const args = [
      '--lake',
      env.dir,
      'ingest',
      'trades',
      file,
      '--format',
      'polygon-trades',
      '--symbol',
      'AAPL',
    ];
    const first = marketlake(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(`${file}: read 2, accepted 2, quarantined 0, duplicate 0`);
    const again = marketlake(args);
    expect(again.stdout).toContain('read 0, accepted 0, quarantined 0, duplicate 1');
  });

  it('headlines CSV with a constant time from --map; the query sees the posts', () => {
    const file = join(DATA, 'social-sentiment/surge-ai/sentiment.csv');
    const r = marketlake([
      '--lake',
      env.dir,
      'ingest',
      'sentiment_posts',
      file,
      '--format',
      'headlines',
      '--map',
      "created_at='2022-05-16T00:00:00Z'",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${file}: read 500, accepted 500, quarantined 0, duplicate 0`);
    // 91 rows tagged $TSLA plus 7 that mention $TSLA in the text (counted independently with Python's csv module).
    const q = marketlake([
      '--lake',
      env.dir,
      'query',
      "SELECT count(*) AS n FROM bronze.sentiment_posts WHERE list_contains(cashtags, 'TSLA')",
      '--format',
      'csv',
    ]);
    expect(q.code).toBe(0);
    expect(q.stdout.trim().split('\n')).toEqual(['n', '98']);
  });

  it('a vendor format refuses a column --map (constants only)', () => {
    const file = join(DATA, 'vendor-wire-fixtures/polygon/v3__trades__AAPL_limit-2.json');
    const r = marketlake([
      '--lake',
      env.dir,
      'ingest',
      'trades',
      file,
      '--format',
      'polygon-trades',
      '--map',
      'price=p',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("vendor formats take constants only (field='value')");
  });
});
