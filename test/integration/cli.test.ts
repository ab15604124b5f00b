import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketlake } from '../helpers/cli.js';
import { tempLake } from '../helpers/temp-lake.js';

const CONTRACT_COMMANDS = [
  'demo',
  'ingest',
  'simulate',
  'stream',
  'run',
  'backfill',
  'schedule',
  'worker',
  'query',
  'sql',
  'tables',
  'runs',
  'dq',
  'serve',
];

describe('marketlake command line', () => {
  it('--help describes every command of the contract', () => {
    const r = marketlake(['--help']);
    expect(r.code).toBe(0);
    for (const command of CONTRACT_COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const flag of ['--lake', '--log-level', '--json']) expect(r.stdout).toContain(flag);
  });

  it('every command has its own --help', () => {
    for (const command of CONTRACT_COMMANDS) {
      const r = marketlake([command, '--help']);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain(`Usage: marketlake ${command}`);
    }
  });

  it('stream without a source is bad usage: exit 2 with a one-line reason', () => {
    const r = marketlake(['stream']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--source/);
  });

  it('bad usage and bad configuration exit 2 with a one-line reason', () => {
    const badFormat = marketlake(['query', 'select 1', '--format', 'xml']);
    expect(badFormat.code).not.toBe(0);
    const badLake = marketlake(['tables'], { LAKE_URL: 'ftp://somewhere/lake' });
    expect(badLake.code).toBe(2);
    expect(badLake.stderr.trim().split('\n')).toHaveLength(1);
    const badDb = marketlake(['tables'], { DATABASE_URL: 'mysql://user:pw@host/db' });
    expect(badDb.code).toBe(2);
    expect(badDb.stderr).toContain('DATABASE_URL');
    expect(badDb.stderr).not.toContain('pw@');
    const badDataset = marketlake(['ingest', 'orders', 'x.jsonl', '--format', 'jsonl']);
    expect(badDataset.code).toBe(2);
  });
});

describe('ingest, run, query and dq through the CLI', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());

  it('simulated files ingest with counts that reconcile, and query answers from the lake', () => {
    const lake = ['--lake', env.dir];
    const files = `${env.dir}/in`;
    const sim = marketlake([
      'simulate',
      '--out',
      files,
      '--days',
      '1',
      '--trades-per-day',
      '200',
      '--quotes-per-day',
      '50',
      '--posts-per-day',
      '2',
      '--bad-rate',
      '0.02',
      ...lake,
    ]);
    expect(sim.code, sim.stderr).toBe(0);
    const refs = marketlake([
      'ingest',
      'symbol_refs',
      `${files}/symbol_refs.jsonl`,
      '--format',
      'jsonl',
      ...lake,
    ]);
    expect(refs.code, refs.stderr).toBe(0);
    const first = marketlake(['ingest', 'trades', `${files}/trades.jsonl`, '--format', 'jsonl', ...lake]);
    expect(first.code, first.stderr).toBe(0);
    const m = /read (\d+), accepted (\d+), quarantined (\d+)/.exec(first.stdout)!;
    expect(Number(m[2]) + Number(m[3])).toBe(Number(m[1]));
    expect(Number(m[3])).toBeGreaterThan(0);

    const again = marketlake(['ingest', 'trades', `${files}/trades.jsonl`, '--format', 'jsonl', ...lake]);
    expect(again.stdout).toContain('duplicate batch');

    const run = marketlake(['run', ...lake]);
    expect(run.code, run.stderr).toBe(0);
    const q = marketlake([
      'query',
      'select (select count(*) from silver.trades) as silver, (select count(*) from quarantine.trades) as quarantined',
      '--format',
      'json',
      ...lake,
    ]);
    expect(q.code, q.stderr).toBe(0);
    const [row] = JSON.parse(q.stdout);
    expect(Number(row.silver)).toBe(Number(m[2]));
    expect(Number(row.quarantined)).toBe(Number(m[3]));

    const csv = marketlake([
      'query',
      'select symbol, count(*) as n from silver.trades group by 1 order by 1',
      '--format',
      'csv',
      ...lake,
    ]);
    expect(csv.stdout.split('\n')[0]).toBe('symbol,n');
    expect(csv.stdout.split('\n')[1]).toMatch(/^AAPL,\d+$/);

    const dq = marketlake(['dq', '--format', 'json', ...lake]);
    expect(dq.code, dq.stderr).toBe(0);
    expect(JSON.parse(dq.stdout).summary.failed).toBe(0);

    const shell = marketlake(
      ['sql', ...lake],
      {},
      'select count(*) as n\n  from silver.trades;\nselect nope;\n.tables\n.quit\n',
    );
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout).toContain(`│ ${m[2]}`);
    expect(shell.stdout).toMatch(/error: .*nope/);
    expect(shell.stdout).toContain('gold.fact_bars');

    const tables = marketlake(['tables', '--json', ...lake]);
    const listed = JSON.parse(tables.stdout).map((t: { table: string }) => t.table);
    expect(listed).toContain('gold.fact_bars');
  });
});
