/**
 * Upgrading a served gold.fact_bars from a plain table (served by an earlier version of marketlake)
 * to the month-partitioned table of sql/serving/fact_bars.sql, on the real PostgreSQL: in one serve,
 * with no row lost; a view on the old table stops the upgrade with advice and changes nothing.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lake, LakeSession, openLake, sqlDir, tableRef, writeTable } from '../../layers/index.js';
import { openServingTarget, type ServingTarget, serveGold } from '../../pipelines/serve/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';

/** The plain fact_bars DDL served before month partitioning. */
const PLAIN_DDL = `CREATE SCHEMA IF NOT EXISTS gold;
CREATE TABLE IF NOT EXISTS gold.fact_bars (
  symbol TEXT NOT NULL, symbol_key BIGINT, date_key INTEGER, session_date DATE, "interval" TEXT NOT NULL,
  bar_start_at TIMESTAMP WITH TIME ZONE NOT NULL, open DOUBLE PRECISION, high DOUBLE PRECISION,
  low DOUBLE PRECISION, close DOUBLE PRECISION, volume DOUBLE PRECISION, vwap DOUBLE PRECISION,
  trade_count BIGINT, CONSTRAINT fact_bars_pkey PRIMARY KEY (symbol, "interval", bar_start_at)
);
CREATE INDEX IF NOT EXISTS fact_bars_session_date_idx ON gold.fact_bars (session_date);`;

const BARS = `SELECT 'S' || (range % 3)::VARCHAR AS symbol, (range % 3)::BIGINT AS symbol_key,
    CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, d AS session_date, '1m' AS "interval",
    CAST(d + INTERVAL 14 HOUR + (range // 3) * INTERVAL 1 MINUTE AS TIMESTAMPTZ) AS bar_start_at,
    (100.0 + range)::DOUBLE AS open, (101.0 + range)::DOUBLE AS high, (99.0 + range)::DOUBLE AS low,
    (100.5 + range)::DOUBLE AS close, (10.0 * range)::DOUBLE AS volume, (100.2 + range)::DOUBLE AS vwap,
    range::BIGINT AS trade_count
  FROM range(300), (VALUES (DATE '2024-01-31'), (DATE '2024-02-01'), (DATE '2024-03-15')) t(d)`;
const SUMS = `SELECT count(*)::BIGINT::VARCHAR AS n, sum(trade_count)::BIGINT::VARCHAR AS tc,
    sum(round(close * 100))::BIGINT::VARCHAR AS c, count(DISTINCT session_date)::BIGINT::VARCHAR AS days FROM gold.fact_bars`;

let work: string;
let lake: Lake;
let db: { url: string; drop: () => Promise<void> };
let target: ServingTarget;
let oldSqlDir: string;

const serve = async (dir: string) => {
  const session = await LakeSession.open(lake);
  try {
    return await serveGold(session, target, ['fact_bars'], { sqlDir: dir });
  } finally {
    session.close();
  }
};
const lakeSums = async () => {
  const session = await LakeSession.open(lake);
  try {
    return (await session.all<Record<string, string>>(SUMS))[0];
  } finally {
    session.close();
  }
};
const relkind = async () =>
  (
    await target.query<{ k: string }>(
      "SELECT relkind::text AS k FROM pg_class WHERE oid = 'gold.fact_bars'::regclass",
    )
  )[0]?.k;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'marketlake-serve-upgrade-'));
  lake = openLake({ lakeUrl: join(work, 'lake') });
  const session = await LakeSession.open(lake);
  try {
    await writeTable(session, tableRef('gold', 'fact_bars'), BARS, {
      operation: 'replace',
      partitionColumn: 'session_date',
    });
  } finally {
    session.close();
  }
  oldSqlDir = join(work, 'sql-before');
  await mkdir(join(oldSqlDir, 'serving'), { recursive: true });
  await writeFile(join(oldSqlDir, 'serving', 'fact_bars.sql'), PLAIN_DDL);
  db = await createTestDatabase('marketlake_serve_upgrade');
  target = await openServingTarget({ databaseUrl: db.url, pgliteDir: '' });
}, 60_000);

afterAll(async () => {
  await target?.close();
  await db?.drop();
  await lake?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('upgrading a plain served fact_bars to month partitions', () => {
  it('a view on the old table stops the upgrade with advice, and the old table keeps its rows', async () => {
    expect((await serve(oldSqlDir))[0]).toMatchObject({ status: 'loaded', rows: 900 });
    expect(await relkind()).toBe('r');
    await target.exec('CREATE VIEW public.my_bars AS SELECT symbol, close FROM gold.fact_bars');
    await expect(serve(sqlDir())).rejects.toThrow(/Drop the views that read gold\.fact_bars/);
    expect(await relkind()).toBe('r');
    expect((await target.query(SUMS))[0]).toEqual(await lakeSums());
    await target.exec('DROP VIEW public.my_bars');
  });

  it('the next serve converts it in one transaction: the same rows, one partition per month, the old table gone', async () => {
    const [served] = await serve(sqlDir());
    expect(served).toMatchObject({ status: 'loaded', rows: 900 });
    expect(await relkind()).toBe('p');
    expect((await target.query(SUMS))[0]).toEqual(await lakeSums());
    const parts = await target.query<{ name: string; bound: string }>(
      "SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'gold.fact_bars'::regclass ORDER BY 1",
    );
    expect(parts).toEqual([
      { name: 'fact_bars_p202401', bound: "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')" },
      { name: 'fact_bars_p202402', bound: "FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')" },
      { name: 'fact_bars_p202403', bound: "FOR VALUES FROM ('2024-03-01') TO ('2024-04-01')" },
    ]);
    const leftovers = await target.query(
      "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('gold', 'marketlake_serving') AND (relname LIKE '%unpartitioned%' OR relname LIKE '%\\_load')",
    );
    expect(leftovers).toEqual([]);
    // The served DDL is the repository's now: a second serve has nothing to do.
    const ddl = await readFile(join(sqlDir(), 'serving', 'fact_bars.sql'), 'utf8');
    expect(ddl).toMatch(/PARTITION BY RANGE \(session_date\)/);
    expect((await serve(sqlDir()))[0]).toMatchObject({ status: 'unchanged', rows: 0 });
  });

  it('a query for one month reads only that month partition', async () => {
    const plan = (
      await target.query<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT * FROM gold.fact_bars WHERE symbol = 'S1' AND session_date BETWEEN '2024-02-01' AND '2024-02-29'",
      )
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(/fact_bars_p202402/);
    expect(plan).not.toMatch(/fact_bars_p202401|fact_bars_p202403/);
  });
});
