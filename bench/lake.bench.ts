import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Lake, LakeSession, loadConfig, openLake, tableRef, writeTable } from '../layers/index.js';
import type { BenchResult } from './report.js';
import { startS3Server } from './support/local-s3.js';

const QUERY =
  'SELECT symbol, count(*) AS trades, sum(size) AS volume, avg(price) AS avg_price FROM silver.bench_trades GROUP BY symbol';

async function timeQuery(lake: Lake): Promise<number> {
  const started = performance.now();
  const session = await LakeSession.open(lake);
  try {
    await session.all(QUERY);
  } finally {
    session.close();
  }
  return (performance.now() - started) / 1000;
}

async function fill(lake: Lake, rows: number): Promise<void> {
  const session = await LakeSession.open(lake);
  try {
    const sql = `SELECT 'S' || (range % 500)::VARCHAR AS symbol, 100 + (range % 997) / 10.0 AS price, (range % 300 + 1)::DOUBLE AS size, DATE '2024-03-04' + (range % 10)::INT AS dt FROM range(${rows})`;
    await writeTable(session, tableRef('silver', 'bench_trades'), sql, {
      operation: 'replace',
      partitionColumn: 'dt',
    });
  } finally {
    session.close();
  }
}

async function commitLatencyMs(lake: Lake, commits: number): Promise<number> {
  const started = performance.now();
  const ref = tableRef('bronze', 'bench_commits');
  for (let i = 0; i < commits; i++) {
    await lake.catalog.commit(ref, {
      operation: 'append',
      columns: [{ name: 'i', type: 'BIGINT' }],
      partitionColumn: null,
      files: [{ key: `bronze/bench_commits/f${i}.parquet`, partition: null, rows: 1, bytes: 1 }],
    });
  }
  return (performance.now() - started) / commits;
}

/**
 * A query over a 10M-row table on the S3 lake (s3rver on loopback), cold and warm cache, against
 * the same query on a local lake; and catalog commit latency (SQLite and PostgreSQL).
 */
export async function benchLake(rows: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-lake-'));
  const s3 = await startS3Server();
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const dbName = `marketlake_bench_${process.pid}`;
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  Object.assign(process.env, s3.env);
  const local = openLake({ lakeUrl: join(dir, 'lake') });
  const remote = openLake(
    loadConfig({
      ...s3.env,
      LAKE_URL: `s3://${s3.bucket}/lake`,
      CATALOG_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
      LAKE_CACHE_DIR: join(dir, 'cache'),
    }),
  );
  try {
    await fill(local, rows);
    await fill(remote, rows);
    const localS = await timeQuery(local);
    await rm(join(dir, 'cache'), { recursive: true, force: true });
    const coldS = await timeQuery(remote);
    const warmS = await timeQuery(remote);
    const sqliteMs = await commitLatencyMs(local, 100);
    const pgMs = await commitLatencyMs(remote, 100);
    const label = `${(rows / 1e6).toFixed(0)}M-row table`;
    return [
      {
        name: `query ${label} on S3, cold cache`,
        unit: 's',
        value: coldS,
        limit: localS,
        limitName: 'same query on local files',
        lowerIsBetter: true,
      },
      {
        name: `query ${label} on S3, warm cache`,
        unit: 's',
        value: warmS,
        limit: localS,
        limitName: 'same query on local files',
        lowerIsBetter: true,
      },
      {
        name: 'commit latency, SQLite catalog',
        unit: 'ms/snapshot',
        value: sqliteMs,
        limit: pgMs,
        limitName: 'PostgreSQL catalog',
        lowerIsBetter: true,
      },
    ];
  } finally {
    await local.close();
    await remote.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
