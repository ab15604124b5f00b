import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bronzeColumns, LakeSession, tableRef, writeTable } from '../../layers/index.js';
import { marketlake } from '../helpers/cli.js';
import { tempLake } from '../helpers/temp-lake.js';

/** `marketlake dq` as a user runs it: exit codes, scope flags, history across runs. */
describe('marketlake dq', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;

  beforeAll(async () => {
    env = await tempLake('marketlake-dq-cli-');
    const session = await LakeSession.open(env.lake);
    // bronze.trades as the writer would lay it out, with one row that lost its symbol on 03-05.
    const cols = bronzeColumns('trades').map((c) => {
      if (c.name === 'symbol') return `CASE WHEN d = 1 AND i = 0 THEN NULL ELSE 'AAA' END AS symbol`;
      if (c.name === 'event_at')
        return `TIMESTAMPTZ '2024-03-04 15:00:00+00' + d * INTERVAL 1 DAY AS event_at`;
      if (c.name === 'price') return '100.0::DOUBLE AS price';
      if (c.name === 'size') return '10.0::DOUBLE AS size';
      if (c.name === 'dt') return `CAST(DATE '2024-03-04' + CAST(d AS INTEGER) AS DATE) AS dt`;
      return `CAST(NULL AS ${c.type}) AS "${c.name}"`;
    });
    await writeTable(
      session,
      tableRef('bronze', 'trades'),
      `SELECT ${cols.join(', ')} FROM range(2) a(d), range(50) b(i)`,
      {
        operation: 'replace',
        partitionColumn: 'dt',
      },
    );
    session.close();
  }, 60_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  it('exits 1 on an error-severity failure, 0 on a clean scope, 2 on bad usage; history accumulates', () => {
    const lake = ['--lake', env.dir];
    const failed = marketlake([...lake, 'dq', '--select', 'bronze.trades', '--format', 'json']);
    expect(failed.code, failed.stderr).toBe(1);
    const report = JSON.parse(failed.stdout);
    expect(report.schema).toBe('marketlake.dq-report');
    const notNull = report.results.find(
      (r: { check: string }) => r.check === 'not_null_symbol_event_at_price_size',
    );
    expect(notNull).toMatchObject({ status: 'fail', failingRows: 1, rows: 100 });
    expect(notNull.partitions).toEqual([
      { partition: '2024-03-04', rows: 50, failingRows: 0, status: 'pass' },
      { partition: '2024-03-05', rows: 50, failingRows: 1, status: 'fail' },
    ]);
    // Only the clean day: nothing fails (freshness is judged against the end of --to).
    const clean = marketlake([
      ...lake,
      'dq',
      '--select',
      'bronze.trades',
      '--from',
      '2024-03-04',
      '--to',
      '2024-03-04',
    ]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('checks passed**, 0 failed');
    const history = marketlake([
      ...lake,
      'dq',
      '--history',
      'bronze.trades.not_null_symbol_event_at_price_size',
    ]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('passed 1 of the last 2 result(s)');
    const bad = marketlake([...lake, 'dq', '--from', '2024-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a date');
  }, 120_000);
});
