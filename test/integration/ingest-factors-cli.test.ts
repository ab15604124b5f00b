import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketlake } from '../helpers/cli.js';
import { tempLake } from '../helpers/temp-lake.js';

const DATA = new URL('../../../shared/data/us-equity-ticks-algoseek/', import.meta.url).pathname;

describe('AlgoSeek daily bars and factor files through the CLI', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake('marketlake-factors-');
  });
  afterAll(async () => env?.cleanup());

  it('ingests both, and the 1d adjusted close is continuous across the AAPL 7:1 split', async () => {
    const lake = ['--lake', env.dir];
    // 2014 only: 23 years of one-row daily partitions would make this test slow, not better.
    const all = gunzipSync(await readFile(`${DATA}daily_bars/aapl.csv.gz`))
      .toString('utf8')
      .split('\n');
    const daily = `${env.dir}/aapl.csv.gz`;
    await writeFile(daily, gzipSync(`${all.filter((l) => l.startsWith('2014')).join('\n')}\n`));
    const factors = marketlake([
      'ingest',
      'corporate_actions',
      `${DATA}factor_files/aapl.csv`,
      '--format',
      'algoseek-factors',
      ...lake,
    ]);
    expect(factors.code, factors.stderr).toBe(0);
    expect(factors.stdout).toMatch(/read (\d+), accepted \1, quarantined 0/);
    const bars = marketlake(['ingest', 'bars', daily, '--format', 'algoseek-daily', ...lake]);
    expect(bars.code, bars.stderr).toBe(0);
    const wrong = marketlake(['ingest', 'trades', daily, '--format', 'algoseek-daily', ...lake]);
    expect(wrong.code).toBe(2);
    expect(marketlake(['run', ...lake]).code).toBe(0);
    const q = marketlake([
      'query',
      "select session_date::varchar as d, close, adj_close from gold.fact_bars where symbol = 'AAPL' and interval = '1d' and session_date in ('2014-06-06', '2014-06-09') order by 1",
      '--format',
      'json',
      ...lake,
    ]);
    expect(q.code, q.stderr).toBe(0);
    const [before, after] = JSON.parse(q.stdout) as { d: string; close: number; adj_close: number }[];
    expect([before!.close, after!.close]).toEqual([645.57, 93.7]);
    // Raw prices fall by the split; adjusted ones move like 93.70 x 7 / 645.57.
    expect(after!.adj_close / before!.adj_close).toBeCloseTo((93.7 * 7) / 645.57, 6);
  }, 180_000);
});
