import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkFilePattern,
  daysBetween,
  expandFilePattern,
  fillDate,
  retryAfterMs,
  unitRanges,
} from '../../pipelines/index.js';

describe('backfill date patterns', () => {
  it('fills every placeholder with digits', () => {
    expect(fillDate('d/{YYYY}/{MM}/{DD}/{YYYYMMDD}_{YYYY-MM-DD}.csv', '2013-10-07')).toBe(
      'd/2013/10/07/20131007_2013-10-07.csv',
    );
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(() => daysBetween('2024-03-02', '2024-03-01')).toThrow(/after/);
    expect(() => daysBetween('2024-3-1', '2024-03-01')).toThrow(/YYYY-MM-DD/);
  });

  it('refuses patterns that could leave their folder, walk a tree or name the same file every day', () => {
    expect(() => checkFilePattern('/tmp/../etc/{YYYY}.csv')).toThrow(/"\.\." is not allowed/);
    expect(() => checkFilePattern('/tmp/*/{YYYYMMDD}.csv')).toThrow(/file name only/);
    expect(() => checkFilePattern('/tmp/x.csv')).toThrow(/needs a date placeholder/);
    expect(() => checkFilePattern('/tmp/{YYYYMMDD}_{SYMBOL}.csv')).toThrow(/unknown placeholder/);
    expect(() => checkFilePattern('/tmp/{YYYY}/{YYYYMMDD}_*_Trade_Tick.csv.gz')).not.toThrow();
  });

  it('matches * and ? in the file name of each day; a day without a file has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-pattern-'));
    try {
      await mkdir(join(dir, '2013'));
      for (const f of [
        '20131007_ibm_T.csv',
        '20131007_aig_T.csv',
        '20131009_ibm_T.csv',
        '20131009_ibm_T.csv.bak',
      ])
        await writeFile(join(dir, '2013', f), 'x');
      await mkdir(join(dir, '2013', '20131008_dir_T.csv'));
      const days = await expandFilePattern(
        join(dir, '{YYYY}', '{YYYYMMDD}_*_T.csv'),
        '2013-10-07',
        '2013-10-09',
      );
      expect(days.map((d) => [d.day, d.files.map((f) => f.slice(dir.length + 6))])).toEqual([
        ['2013-10-07', ['20131007_aig_T.csv', '20131007_ibm_T.csv']],
        ['2013-10-08', []],
        ['2013-10-09', ['20131009_ibm_T.csv']],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('daily bars go a year per request series, everything else a day', () => {
    expect(unitRanges('2023-12-30', '2024-02-02', '1d')).toEqual([
      ['2023-12-30', '2023-12-31'],
      ['2024-01-01', '2024-02-02'],
    ]);
    expect(unitRanges('2024-01-31', '2024-02-01', '1m')).toEqual([
      ['2024-01-31', '2024-01-31'],
      ['2024-02-01', '2024-02-01'],
    ]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:10 GMT', Date.parse('2026-12-05T12:00:00Z'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
