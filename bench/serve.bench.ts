import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  ident,
  type Lake,
  LakeSession,
  literal,
  openLake,
  sqlDir,
  tableRef,
  writeTable,
} from '../layers/index.js';
import { openServingTarget, type ServedTable, serveGold } from '../pipelines/serve/index.js';
import type { BenchResult } from './report.js';

const run = promisify(execFile);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAYS = 20;
/** The bars' month (every session date of barsSql falls in March 2024), as serve creates it. */
const MARCH_PARTITION = `CREATE TABLE gold.fact_bars_p202403 PARTITION OF gold.fact_bars FOR VALUES FROM ('2024-03-01') TO ('2024-04-01')`;

/** `rows` one-minute bars: 500 symbols x DAYS session dates x rows / 10,000 minutes (unique keys). */
function barsSql(rows: number, bump = 0): string {
  return `SELECT 'S' || (range % 500)::VARCHAR AS symbol, (range % 500)::BIGINT AS symbol_key,
      CAST(strftime(DATE '2024-03-01' + ((range // 500) % ${DAYS})::INT, '%Y%m%d') AS INTEGER) AS date_key,
      DATE '2024-03-01' + ((range // 500) % ${DAYS})::INT AS session_date, '1m' AS "interval",
      CAST(TIMESTAMP '2024-03-01 00:00:00' + to_days(((range // 500) % ${DAYS})::INT) + to_minutes((range // 10000)::BIGINT) AS TIMESTAMPTZ) AS bar_start_at,
      100 + (range % 997) / 10.0 + ${bump} AS open, 101 + (range % 997) / 10.0 AS high, 99 + (range % 997) / 10.0 AS low,
      100.5 + (range % 991) / 10.0 AS close, (range % 3000 + 1)::DOUBLE AS volume, 100.2 + (range % 983) / 10.0 AS vwap,
      (range % 120 + 1)::BIGINT AS trade_count
    FROM range(${rows})`;
}

async function withDatabase<T>(name: string, fn: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${ident(name)}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await admin.end();
  }
}

async function timedServe(
  lake: Lake,
  url: string,
  full = false,
): Promise<{ s: number; served: ServedTable }> {
  const session = await LakeSession.open(lake);
  const target = await openServingTarget({ databaseUrl: url, pgliteDir: '' });
  try {
    const started = performance.now();
    const [served] = await serveGold(session, target, ['fact_bars'], { full });
    return { s: (performance.now() - started) / 1000, served: served! };
  } finally {
    await target.close();
    session.close();
  }
}

/**
 * Serving `rows` bars of gold.fact_bars to PostgreSQL (DuckDB -> named pipe -> COPY FROM STDIN)
 * beside `psql \copy` of the same rows (as CSV, written beforehand and not timed) into the same
 * table (same DDL: primary key and index) on the same server; then a second serve (no-op), a
 * serve after one day changed (one partition replaced) and a full reload over the served rows.
 */
export async function benchServe(rows: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-serve-'));
  const lake = openLake({ lakeUrl: join(dir, 'lake') });
  try {
    const fill = await LakeSession.open(lake);
    const csv = join(dir, 'bars.csv');
    let columns: string[];
    try {
      const ref = tableRef('gold', 'fact_bars');
      await writeTable(fill, ref, barsSql(rows), { operation: 'replace', partitionColumn: 'session_date' });
      await fill.refreshView(ref);
      columns = (await fill.describe('SELECT * FROM gold.fact_bars')).map((c) => c.name);
      await fill.run(`COPY (SELECT * FROM gold.fact_bars) TO ${literal(csv)} (FORMAT csv, HEADER false)`);
    } finally {
      fill.close();
    }

    const psqlSeconds = await withDatabase(`marketlake_bench_psql_${process.pid}`, async (url) => {
      await run('psql', [
        url,
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-f',
        join(sqlDir(), 'serving', 'fact_bars.sql'),
      ]);
      // The served table is partitioned by month: psql needs the month's partition to exist.
      await run('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', MARCH_PARTITION]);
      const started = performance.now();
      const copy = `\\copy gold.fact_bars (${columns.map(ident).join(', ')}) FROM ${literal(csv)} WITH (FORMAT csv)`;
      await run('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', copy], { maxBuffer: 1 << 24 });
      return (performance.now() - started) / 1000;
    });
    await rm(csv, { force: true });

    return await withDatabase(`marketlake_bench_serve_${process.pid}`, async (url) => {
      const first = await timedServe(lake, url);
      if (first.served.rows !== rows) throw new Error(`served ${first.served.rows} rows, expected ${rows}`);
      const second = await timedServe(lake, url);
      // One day restated: the serve replaces that partition only.
      const session = await LakeSession.open(lake);
      try {
        await writeTable(
          session,
          tableRef('gold', 'fact_bars'),
          `SELECT * FROM (${barsSql(rows, 1)}) WHERE session_date = DATE '2024-03-05'`,
          { operation: 'overwrite_partitions', partitionColumn: 'session_date', partitions: ['2024-03-05'] },
        );
      } finally {
        session.close();
      }
      const third = await timedServe(lake, url);
      // A full reload of the table readers use: each month loaded beside the served one and swapped in.
      const reload = await timedServe(lake, url, true);
      const full = first.s;
      return [
        {
          name: `serve gold.fact_bars, ${rows.toLocaleString('en-US')} rows, full load (DuckDB -> COPY FROM STDIN)`,
          unit: 'rows/s',
          value: rows / full,
          limit: rows / psqlSeconds,
          limitName: 'psql \\copy of the same rows into the same table, same server',
          note: `serve ${full.toFixed(1)} s (includes reading the Parquet lake), psql \\copy ${psqlSeconds.toFixed(1)} s; target ratio >= 0.90`,
        },
        {
          name: `serve --full of the same ${rows.toLocaleString('en-US')} rows over the served table (readers keep reading)`,
          unit: 'rows/s',
          value: rows / reload.s,
          limit: rows / psqlSeconds,
          limitName: 'psql \\copy of the same rows into the same (empty) table, same server',
          note: `${reload.s.toFixed(1)} s: each month partition loaded beside the served one, indexed, swapped in (ATTACH) in one transaction; target ratio >= 0.90`,
        },
        {
          name: 'second serve, nothing changed (no COPY)',
          unit: 's',
          value: second.s,
          limit: full,
          limitName: 'the full load',
          lowerIsBetter: true,
          note: `status ${second.served.status}, ${second.served.rows} rows copied`,
        },
        {
          name: `serve after one of ${DAYS} days changed (partition replaced)`,
          unit: 's',
          value: third.s,
          limit: full,
          limitName: 'the full load',
          lowerIsBetter: true,
          note: `status ${third.served.status}, ${third.served.rows.toLocaleString('en-US')} rows copied in ${third.served.partitions} partition(s)`,
        },
      ];
    });
  } finally {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  }
}
