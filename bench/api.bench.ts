import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createLogger, type Lake, loadConfig, openLake } from '../layers/index.js';
import { runDemo } from '../orchestrator/index.js';
import { buildServer, type GoldReader, LakeReader, PostgresReader } from '../web/index.js';
import type { BenchResult } from './report.js';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SESSION = '2024-03-04';

/** The targets for p95 of /bars/{symbol}?interval=1m of one session with 20 clients. */
const TARGET_LAKE_MS = 200;
const TARGET_POSTGRES_MS = 50;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Drive `url` with `connections` concurrent clients for `seconds` from a child process (so the load
 * generator does not share the server's event loop); every response's latency, sorted.
 */
async function load(url: string, connections: number, seconds: number, distinct: boolean) {
  const here = fileURLToPath(import.meta.url);
  // The same extension as this module: .ts under tsx, .js from dist/.
  const child = fork(join(dirname(here), 'support', `api-load${extname(here)}`));
  const reply = await new Promise<LoadReply>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadReply));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited with code ${code}`)));
    child.send({ url, connections, seconds, distinct });
  });
  if ('error' in reply) throw new Error(`autocannon failed: ${reply.error}`);
  reply.latencies.sort((a, b) => a - b);
  return reply;
}

type LoadReply =
  | { error: string }
  | { latencies: number[]; non2xx: number; errors: number; requests: number };

async function measure(
  lake: Lake,
  gold: GoldReader,
  silver: LakeReader,
  symbol: string,
  connections: number,
  seconds: number,
  distinct: boolean,
) {
  const app = await buildServer({ lake, gold, silver });
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `${address}/api/v1/bars/${symbol}?interval=1m&from=${SESSION}&to=${SESSION}&limit=10000`;
    const first = await (await fetch(url)).json();
    const bars = (first as { data: unknown[] }).data.length;
    await load(url, connections, 2, distinct); // warm-up: plans, connections
    const run = await load(url, connections, seconds, distinct);
    return { bars, ...run };
  } finally {
    await app.close();
  }
}

/**
 * p95 latency of GET /api/v1/bars/{symbol}?interval=1m for one session under 20 concurrent clients
 * (autocannon), reading gold from the lake (DuckDB) and from PostgreSQL, beside the targets.
 */
export async function benchApi(tradesPerSymbolDay: number, seconds: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-api-'));
  const dbName = `marketlake_bench_api_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const lake = openLake({ lakeUrl: dir });
  const connections = 20;
  try {
    const config = loadConfig({ LAKE_URL: dir, DATABASE_URL: dbUrl.toString() });
    const demo = await runDemo(config, lake, createLogger({ level: 'silent', json: true }), {
      simulation: {
        seed: 5,
        startDate: SESSION,
        days: 1,
        tradesPerSymbolDay,
        quotesPerSymbolDay: 100,
        postsPerSymbolDay: 3,
      },
    });
    if (demo.status !== 'succeeded') throw new Error('the demo pipeline failed: no lake to benchmark');
    const silver = await LakeReader.open(lake);
    const postgres = new PostgresReader(dbUrl.toString(), { max: connections });
    try {
      const results: BenchResult[] = [];
      for (const [name, gold, target] of [
        ['lake (DuckDB)', silver, TARGET_LAKE_MS],
        ['PostgreSQL', postgres, TARGET_POSTGRES_MS],
      ] as const) {
        // As served: the 20 clients ask for the same past session (answers shared and kept 2 s); then
        // every request different, so each one reads gold.
        for (const distinct of [false, true]) {
          const r = await measure(lake, gold, silver, 'AAPL', connections, seconds, distinct);
          const how = distinct ? 'every request reads gold' : 'same URL, answers shared';
          results.push({
            name: `GET /bars/AAPL?interval=1m, one session (${r.bars} bars), ${connections} clients, ${name}, ${how}: p95 latency`,
            unit: 'ms',
            value: percentile(r.latencies, 95),
            limit: target,
            limitName: `target p95 ${target} ms`,
            lowerIsBetter: true,
            note: `p50 ${percentile(r.latencies, 50)} ms, p99 ${percentile(r.latencies, 99)} ms, ${r.requests} requests in ${seconds} s (${Math.round(r.requests / seconds)} req/s), non-2xx ${r.non2xx}, errors ${r.errors}`,
          });
        }
      }
      return results;
    } finally {
      await postgres.close();
      await silver.close();
    }
  } finally {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
