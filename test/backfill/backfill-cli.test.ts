import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketlake } from '../helpers/cli.js';

const TRADES = join(import.meta.dirname, '../../../shared/data/us-equity-ticks-algoseek/trades');

let dir: string;
let lake: string;

/** The first `n` lines of a real AlgoSeek tick file, under its own name in `dir`. */
async function sample(name: string, n: number): Promise<void> {
  const lines = gunzipSync(readFileSync(join(TRADES, name)))
    .toString('utf8')
    .split('\n')
    .slice(0, n);
  await writeFile(join(dir, 'ticks', name), gzipSync(`${lines.join('\n')}\n`));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marketlake-backfill-cli-'));
  lake = join(dir, 'lake');
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'ticks')));
  // 2013-10-07 and 10-09 have files; 10-08 has none.
  await sample('20131007_ibm_Trade_Tick.csv.gz', 20);
  await sample('20131007_aig_Trade_Tick.csv.gz', 10);
  await sample('20131009_ibm_Trade_Tick.csv.gz', 15);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('marketlake backfill --files PATTERN', () => {
  const args = () => [
    'backfill',
    '--lake',
    lake,
    '--from',
    '2013-10-07',
    '--to',
    '2013-10-09',
    '--files',
    join(dir, 'ticks', '{YYYYMMDD}_*_Trade_Tick.csv.gz'),
    '--dataset',
    'trades',
    '--format',
    'algoseek',
  ];

  it('plans, reports the missing day, runs what it planned, then a rerun skips everything', () => {
    const dry = marketlake([...args(), '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(
      plan.plan.map((i: { from: string; action: string; reason: string }) => [i.from, i.action, i.reason]),
    ).toEqual([
      ['2013-10-07', 'ingest', 'not ingested yet'],
      ['2013-10-08', 'missing', 'no file matches'],
      ['2013-10-09', 'ingest', 'not ingested yet'],
    ]);
    expect(plan.missingDays).toEqual(['2013-10-08']);
    expect(plan.models).toContain('silver.trades');
    expect(plan.partitions).toEqual({ from: '2013-10-07', to: '2013-10-09' });
    expect(plan.estimate.basis).toBe('no past runs of this source and dataset');

    const strict = marketlake([...args(), '--dry-run', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/missing: 1 day\(s\) without a file: 2013-10-08/);

    const run = marketlake([...args(), '--no-rebuild']);
    expect(run.code, run.stderr).toBe(0);
    // Not a terminal: one plain progress line per day, in order of completion, then the summary.
    const progress = run.stderr.split('\n').filter((l) => l.startsWith('backfill '));
    expect(progress).toHaveLength(3);
    // Days finish in any order (parallel): counters count up, totals only grow, the last is every row.
    expect(progress.map((l) => l.split(' ')[1])).toEqual(['1/3', '2/3', '3/3']);
    const totals = progress.map((l) => Number(/total_rows=(\d+)/.exec(l)?.[1]));
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals.at(-1)).toBe(45);
    expect(progress.map((l) => l.split(' ').slice(2, 5).join(' ')).sort()).toEqual([
      '2013-10-07 done rows=30',
      '2013-10-08 missing rows=0',
      '2013-10-09 done rows=15',
    ]);
    expect(progress.every((l) => /eta=\d+ s$/.test(l))).toBe(true);
    expect(run.stdout).toMatch(
      /backfill succeeded: 2 done, 0 skipped, 1 missing, 0 failed; 45 rows accepted, 0 quarantined/,
    );

    const again = marketlake([...args(), '--no-rebuild', '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({
      done: 0,
      skipped: 2,
      missing: 1,
      accepted: 0,
      changedDays: [],
      status: 'succeeded',
    });
  }, 120_000);
});
