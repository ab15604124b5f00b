/**
 * `npm run bench:e2e`: what a user feels, each step a whole process on a fresh lake, beside its
 * limit measured in the same run on the same data (issue #23).
 *
 * - Latency: `marketlake query "select 1"`, `tables`, `runs`, `models` (and `run` with nothing
 *   changed, after the pipeline) against a bare Node process that loads @duckdb/node-api and runs
 *   `select 1` (median of BENCH_E2E_REPEAT runs, default 3).
 * - Pipeline, per size in BENCH_E2E_SIZES (default 1000000; the issue's sizes are
 *   1000000,3000000,10000000): trades over 20 symbols and 5 sessions as JSONL (generated once
 *   under BENCH_E2E_DIR, default /tmp/marketlake-e2e, and reused), then ingest → run → serve into
 *   PostgreSQL (BENCH_E2E_PG, default postgres://postgres@127.0.0.1:5432/postgres; a fresh database per size).
 *   Limits: DuckDB's read_json → Parquet copy of the file; the trade path's model SQL run bare in
 *   one DuckDB session over the same bronze; `psql \copy` of the served rows into empty copies of
 *   the served tables. Wall time, time per million rows and peak RSS (GNU time) of each process.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ident, literal } from '../layers/index.js';
import { type BenchResult, printResults } from './report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/marketlake.js');
const SYMBOLS = Array.from({ length: 20 }, (_, i) =>
  ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM', 'XOM', 'SPY'][i % 10]!.concat(
    i < 10 ? '' : 'X',
  ),
);
const DAYS = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'];
const REPEAT = Number(process.env.BENCH_E2E_REPEAT ?? 3);
const PG = process.env.BENCH_E2E_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Measured {
  seconds: number;
  peakMb: number;
  stdout: string;
}

/** One whole process under GNU time: wall seconds and peak RSS. Throws with its stderr on failure. */
function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Measured {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m)
    throw new Error(`bench: ${cmd} ${args.join(' ')} failed: ${r.stderr?.slice(-2000)}`);
  return { seconds: Number(m[1]), peakMb: Number(m[2]) / 1024, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** `node -e` with DuckDB: the same module load and statement as marketlake, nothing else. */
function duckdbNode(sql: string): Measured {
  const script = `const {DuckDBInstance}=await import('@duckdb/node-api');const i=await DuckDBInstance.create(':memory:');const c=await i.connect();await c.run("SET TimeZone='UTC'");await c.run(${JSON.stringify(sql)});`;
  return timed(process.execPath, ['--input-type=module', '-e', script]);
}

async function writeTrades(file: string, rows: number): Promise<void> {
  if (existsSync(file)) return;
  await mkdir(resolve(file, '..'), { recursive: true });
  const part = `${file}.part`;
  const out = createWriteStream(part);
  let buf = '';
  const perDay = Math.ceil(rows / DAYS.length);
  for (let i = 0; i < rows; i++) {
    const day = DAYS[Math.floor(i / perDay)]!;
    const symbol = SYMBOLS[i % SYMBOLS.length]!;
    // 6.5 hours of session spread over the day's rows, microsecond times.
    const us = Math.floor(((i % perDay) / perDay) * 23_400_000_000);
    const at = new Date(Date.parse(`${day}T14:30:00Z`) + Math.floor(us / 1000)).toISOString();
    const t = {
      symbol,
      event_at: `${at.slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`,
      price: Math.round((100 + (i % 997) / 10 + (i % 20)) * 100) / 100,
      size: 1 + (i % 300),
      exchange: 'V',
      trade_id: String(i),
      conditions: ['@'],
      tape: 'C',
      source: 'e2e',
    };
    buf += `${JSON.stringify(t)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  await rename(part, file);
}

function psql(url: string, ...args: string[]): string {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: psql failed: ${r.stderr}`);
  return r.stdout;
}

function latency(lake: string, label: string, args: string[], floor: number): BenchResult {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++)
    times.push(timed(process.execPath, [BIN, '--lake', lake, ...args]).seconds);
  return {
    name: `marketlake ${label}`,
    unit: 's',
    value: median(times),
    limit: floor,
    limitName: 'node + @duckdb/node-api + select 1',
    lowerIsBetter: true,
  };
}

async function pipeline(dir: string, rows: number): Promise<{ results: BenchResult[]; lake: string }> {
  const file = join(dir, `trades-${rows}.jsonl`);
  await writeTrades(file, rows);
  const lake = join(dir, `lake-${rows}`);
  await rm(lake, { recursive: true, force: true });
  const db = `marketlake_e2e_${rows}`;
  const admin = PG;
  psql(admin, '-c', `DROP DATABASE IF EXISTS ${db}`, '-c', `CREATE DATABASE ${db}`);
  const target = PG.replace(/\/[^/]*$/, `/${db}`);
  const m = rows / 1e6;
  const cli = (...args: string[]) =>
    timed(process.execPath, [BIN, '--lake', lake, '--log-level', 'warn', ...args]);

  const copy = duckdbNode(
    `COPY (SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited')) TO ${literal(join(dir, 'limit.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const ingest = cli('ingest', 'trades', file, '--format', 'jsonl');
  const run = cli('run');
  // The limit of `run`: the trade path's model SQL, bare, in one session over the same bronze.
  const bare = timed(process.execPath, [join(ROOT, 'dist/bench/e2e-bare-sql.js'), lake]);
  const serve = cli('serve', '--target', target);
  // The limit of `serve`: psql \copy of the served rows into empty copies of the served tables.
  const tables = psql(
    target,
    '-c',
    `SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name NOT LIKE '\\_%' ORDER BY 1`,
  )
    .split('\n')
    .filter(Boolean);
  const csvDir = await mkdtemp(join(tmpdir(), 'marketlake-e2e-csv-'));
  let copySeconds = 0;
  let servedRows = 0;
  try {
    for (const [i, t] of tables.entries()) {
      const csv = join(csvDir, `${i}.csv`);
      const [schema, name] = t.split('.') as [string, string];
      const q = `${ident(schema)}.${ident(name)}`;
      servedRows += Number(psql(target, '-c', `SELECT count(*) FROM ${q}`).trim());
      psql(target, '-c', `\\copy ${q} TO '${csv}' CSV`);
      const copyTable = `${ident(schema)}.${ident(`e2e_copy_${i}`)}`;
      psql(target, '-c', `CREATE TABLE ${copyTable} (LIKE ${q})`);
      copySeconds += timed('psql', [
        target,
        '-qAt',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy ${copyTable} FROM '${csv}' CSV`,
      ]).seconds;
    }
  } finally {
    await rm(csvDir, { recursive: true, force: true });
  }
  const label = `${rows.toLocaleString('en-US')} trades`;
  const per = (s: number) => `${(s / m).toFixed(2)} s per million rows`;
  const step = (name: string, ours: Measured, limit: number, limitName: string, note = ''): BenchResult => ({
    name: `${label}: ${name}`,
    unit: 's',
    value: ours.seconds,
    limit,
    limitName,
    lowerIsBetter: true,
    note: `${per(ours.seconds)}; peak RSS ${ours.peakMb.toFixed(0)} MB${note}`,
  });
  const total = ingest.seconds + run.seconds + serve.seconds;
  const limits = copy.seconds + bare.seconds + copySeconds;
  return {
    lake,
    results: [
      step(
        'ingest (JSONL, every record validated)',
        ingest,
        copy.seconds,
        'DuckDB read_json → Parquet',
        `; limit ${per(copy.seconds)}`,
      ),
      step(
        'run (silver, gold, checks)',
        run,
        bare.seconds,
        'trade-path model SQL bare in one DuckDB session',
        `; limit peak RSS ${bare.peakMb.toFixed(0)} MB`,
      ),
      step(
        `serve to PostgreSQL (${servedRows.toLocaleString('en-US')} rows, ${tables.length} tables)`,
        serve,
        copySeconds,
        'psql \\copy of the served rows',
      ),
      {
        name: `${label}: total ingest + run + serve`,
        unit: 's',
        value: total,
        limit: limits,
        limitName: 'sum of the three limits',
        lowerIsBetter: true,
        note: `${per(total)}; peak RSS of any step ${Math.max(ingest.peakMb, run.peakMb, serve.peakMb).toFixed(0)} MB`,
      },
    ],
  };
}

const dir = process.env.BENCH_E2E_DIR ?? join(tmpdir(), 'marketlake-e2e');
await mkdir(dir, { recursive: true });
const sizes = (process.env.BENCH_E2E_SIZES ?? '1000000').split(',').map(Number);
process.stdout.write(
  `== e2e (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch})\n`,
);
const floor = median(Array.from({ length: REPEAT }, () => duckdbNode('select 1').seconds));
let lastLake: string | undefined;
for (const rows of sizes) {
  const { results, lake } = await pipeline(dir, rows);
  printResults(results);
  lastLake = lake;
}
if (lastLake) {
  printResults([
    latency(lastLake, 'query "select 1"', ['query', 'select 1'], floor),
    latency(lastLake, 'query over one table', ['query', 'select count(*) from bronze.trades'], floor),
    latency(lastLake, 'tables', ['tables'], floor),
    latency(lastLake, 'runs', ['runs'], floor),
    latency(lastLake, 'models', ['models'], floor),
    latency(lastLake, 'run with nothing changed', ['run'], floor),
  ]);
}
