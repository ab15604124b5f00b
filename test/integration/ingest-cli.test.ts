import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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
  /** `marketlake --lake <this test's lake> ...args` */
  const inLake = (...args: string[]) => marketlake(['--lake', env.dir, ...args]);

  it('polygon REST JSON with --symbol, then a rerun is a duplicate batch', () => {
    const file = join(DATA, 'vendor-wire-fixtures/polygon/v3__trades__AAPL_limit-2.json');
    const args = ['ingest', 'trades', file, '--format', 'polygon-trades', '--symbol', 'AAPL'];
    const first = inLake(...args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(`${file}: read 2, accepted 2, quarantined 0, duplicate 0`);
    const again = inLake(...args);
    expect(again.stdout).toContain('read 0, accepted 0, quarantined 0, duplicate 1');
  });

  it('headlines CSV with a constant time from --map; the query sees the posts', () => {
    const file = join(DATA, 'social-sentiment/surge-ai/sentiment.csv');
    const r = inLake(
      'ingest',
      'sentiment_posts',
      file,
      '--format',
      'headlines',
      '--map',
      "created_at='2022-05-16T00:00:00Z'",
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${file}: read 500, accepted 500, quarantined 0, duplicate 0`);
    // 91 rows tagged $TSLA plus 7 that mention $TSLA in the text (counted independently with Python's csv module).
    const q = inLake(
      'query',
      "SELECT count(*) AS n FROM bronze.sentiment_posts WHERE list_contains(cashtags, 'TSLA')",
      '--format',
      'csv',
    );
    expect(q.code).toBe(0);
    expect(q.stdout.trim().split('\n')).toEqual(['n', '98']);
  });

  it('a vendor format refuses a column --map (constants only)', () => {
    const file = join(DATA, 'vendor-wire-fixtures/polygon/v3__trades__AAPL_limit-2.json');
    const r = inLake('ingest', 'trades', file, '--format', 'polygon-trades', '--map', 'price=p');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("vendor formats take constants only (field='value')");
  });

  it('an unreadable path fails the command up front; a corrupt gzip fails alone, the other file goes in', async () => {
    const good = join(env.dir, 'good.jsonl');
    const trade = (price: number) =>
      JSON.stringify({ symbol: 'IBM', event_at: '2024-03-04T14:30:00Z', price, size: 1, source: 'test' });
    await writeFile(good, `${trade(1)}\n${trade(2)}\n`);
    const missing = inLake(
      'ingest',
      'trades',
      good,
      join(env.dir, 'nope.jsonl'),
      env.dir,
      '--format',
      'jsonl',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing ingested:');
    expect(missing.stderr).toContain('nope.jsonl: no such file');
    expect(missing.stderr).toContain(`${env.dir}: not a regular file`);
    expect(missing.stdout).toBe('');
    const zipped = join(env.dir, 'trades.jsonl.zst');
    await writeFile(zipped, 'not read');
    const packed = inLake('ingest', 'trades', zipped, '--format', 'jsonl');
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain('.zst files are not read; decompress it first');

    // A gzip cut in the middle: readable header, truncated stream.
    const whole = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => trade(i + 1)).join('\n')));
    const cut = join(env.dir, 'cut.jsonl.gz');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = inLake('ingest', 'trades', cut, good, '--format', 'jsonl');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${cut}: FAILED: compressed data is truncated or corrupt`);
    expect(r.stdout).toContain(`${good}: read 2, accepted 2, quarantined 0, duplicate 0`);
    expect(r.stdout).toContain('1 of 2 files failed; the other 1 were ingested');
    const q = inLake(
      'query',
      "SELECT count(*) AS n FROM bronze.trades WHERE symbol = 'IBM'",
      '--format',
      'csv',
    );
    expect(q.stdout.trim().split('\n')).toEqual(['n', '2']);
  });

  it('a CSV without a column for required fields fails up front (exit 2, nothing written); the mapped command then ingests without --force', async () => {
    const file = join(env.dir, 'no-price.csv');
    await writeFile(file, 'symbol,event_at,qty\nAAPL,2024-03-04T14:30:00Z,5\nMSFT,2024-03-04T14:30:01Z,7\n');
    const r = inLake('ingest', 'trades', file, '--format', 'csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'required field price maps to column "price", which the file does not have; required field size maps to column "size"',
    );
    expect(r.stderr).toContain('nothing was written');
    const mapped = inLake(
      'ingest',
      'trades',
      file,
      '--format',
      'csv',
      '--map',
      "size=qty,price='1',source='test'",
    );
    expect(mapped.code).toBe(0);
    expect(mapped.stdout).toContain('read 2, accepted 2, quarantined 0, duplicate 0');
    expect(mapped.stdout).not.toContain('no column for');
  });
});
