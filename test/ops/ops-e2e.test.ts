import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lake, LakeSession, loadConfig, openLake } from '../../layers/index.js';
import { simulateMarket } from '../../pipelines/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';

/**
 * The compose stack without Docker: s3rver in place of MinIO, the shared PostgreSQL (catalog and
 * serving) and Redis, and the real `marketlake schedule --watch` and `marketlake worker` processes
 * with the environment docker-compose.yml gives them. A `daily` run goes through them; /metrics
 * must then agree with what the lake and PostgreSQL hold.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

function sumOf(text: string, name: string): number {
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

interface Proc {
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => {
    log += String(d);
  });
  child.stderr?.on('data', (d) => {
    log += String(d);
  });
  return {
    child,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitHttp(url: string, timeoutMs: number, proc: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > deadline || proc.child.exitCode !== null)
      throw new Error(`${url} did not come up:\n${proc.log().slice(-3_000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('compose stack without Docker: daily run through worker and scheduler processes, then /metrics', () => {
  let s3: S3Server;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let env: Record<string, string>;
  let lake: Lake;
  const procs: Proc[] = [];
  const market = simulateMarket({
    seed: 19,
    days: 1,
    tradesPerSymbolDay: 40,
    quotesPerSymbolDay: 0,
    postsPerSymbolDay: 0,
    badRecordRate: 0.05,
  });

  beforeAll(async () => {
    [s3, db] = await Promise.all([startS3Server('marketlake'), createTestDatabase('mlops')]);
    dir = await mkdtemp(join(tmpdir(), 'marketlake-ops-e2e-'));
    const landing = join(dir, 'landing');
    await mkdir(join(landing, 'trades'), { recursive: true });
    await mkdir(join(landing, 'refs'), { recursive: true });
    const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    await writeFile(join(landing, 'trades', 'day1.jsonl'), jsonl(market.trades));
    await writeFile(join(landing, 'refs', 'refs.jsonl'), jsonl(market.symbolRefs));
    const configFile = join(dir, 'marketlake.yaml');
    await writeFile(
      configFile,
      [
        'sources:',
        `  - { name: trades, dataset: trades, format: jsonl, landing: "${join(landing, 'trades')}", suffix: .jsonl }`,
        `  - { name: refs, dataset: symbol_refs, format: jsonl, landing: "${join(landing, 'refs')}", suffix: .jsonl }`,
        'schedules:',
        '  - { name: daily, cron: "30 16 * * 1-5", tz: America/New_York, pipeline: daily, catchUp: false }',
        '',
      ].join('\n'),
    );
    // What docker-compose.yml sets (x-marketlake-env), with s3rver for MinIO and a test database;
    // QUEUE_PREFIX only keeps this test's queues apart on the shared Redis.
    env = {
      LAKE_URL: 's3://marketlake/lake',
      ...s3.env,
      DATABASE_URL: db.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MARKETLAKE_CONFIG: configFile,
      DUCKDB_THREADS: '2',
      LAKE_CACHE_DIR: join(dir, 'cache'),
      QUEUE_PREFIX: `mltest_opse2e_${process.pid}`,
      MARKETLAKE_WORKER_LOCK_MS: '5000',
      MARKETLAKE_STALLED_INTERVAL_MS: '2000',
    };
    lake = openLake(loadConfig(env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await lake?.close();
    if (env) {
      const { Redis } = await import('ioredis');
      const redis = new Redis(env.REDIS_URL!);
      const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await db?.drop();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records ingested equal the rows committed; runs, tasks, commits, serving and queues are counted', async () => {
    const [workerPort, schedulerPort] = [await freePort(), await freePort()];
    const scheduler = start(['schedule', '--watch'], { ...env, METRICS_PORT: String(schedulerPort) });
    procs.push(scheduler);
    await waitHttp(`http://127.0.0.1:${schedulerPort}/healthz`, 60_000, scheduler);
    const worker = start(['worker', '--concurrency', '2', '--grace-seconds', '10'], {
      ...env,
      METRICS_PORT: String(workerPort),
    });
    procs.push(worker);
    await waitHttp(`http://127.0.0.1:${workerPort}/healthz`, 60_000, worker);

    // Ready: Redis, the catalog (PostgreSQL here) and the serving PostgreSQL all answer.
    const ready = (await (await fetch(`http://127.0.0.1:${workerPort}/readyz`)).json()) as {
      ready: boolean;
      dependencies: Record<string, { ok: boolean }>;
    };
    expect(ready.ready).toBe(true);
    expect(Object.keys(ready.dependencies).sort()).toEqual(['catalog', 'postgres', 'redis']);

    // The user's way in: queue the daily pipeline and wait for it. Asynchronously: s3rver runs in
    // this process and must keep answering.
    const run = start(['run', '--queue', '--pipeline', 'daily', '--json'], { ...env, LOG_LEVEL: 'warn' });
    const code = await new Promise<number | null>((resolve) => {
      if (run.child.exitCode !== null) return resolve(run.child.exitCode);
      run.child.once('exit', (c) => resolve(c));
    });
    expect(code, `${run.log()}\n${worker.log().slice(-3_000)}`).toBe(0);

    const text = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    const session = await LakeSession.open(lake);
    const [counts] = await session.all<{ b: string; q: string }>(
      'SELECT (SELECT count(*) FROM bronze.trades) AS b, (SELECT count(*) FROM quarantine.trades) AS q',
    );
    session.close();
    const trades = { dataset: 'trades', source: 'trades' };
    expect(Number(counts!.b)).toBe(market.trades.length - market.badRecords.trades);
    expect(Number(counts!.q)).toBe(market.badRecords.trades);
    expect(sample(text, 'marketlake_records_ingested_total', trades)).toBe(Number(counts!.b));
    expect(sample(text, 'marketlake_records_quarantined_total', trades)).toBe(Number(counts!.q));
    expect(
      sample(text, 'marketlake_records_ingested_total', { dataset: 'symbol_refs', source: 'refs' }),
    ).toBe(market.symbolRefs.length);
    expect(sample(text, 'marketlake_runs_total', { status: 'succeeded' })).toBe(1);
    expect(sample(text, 'marketlake_run_duration_seconds_count', { status: 'succeeded' })).toBe(1);
    expect(
      sample(text, 'marketlake_task_duration_seconds_count', {
        kind: 'ingest',
        model: 'trades',
        status: 'succeeded',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketlake_task_duration_seconds_count', {
        kind: 'model',
        model: 'gold.fact_bars',
        status: 'succeeded',
      }),
    ).toBe(1);
    expect(sample(text, 'marketlake_commits_total', { table: 'bronze.trades', status: 'committed' })).toBe(1);
    expect(sample(text, 'marketlake_commit_duration_seconds_count', { table: 'bronze.trades' })).toBe(1);
    expect(sumOf(text, 'marketlake_check_results_total')).toBeGreaterThan(0);

    // Rows served equal the rows PostgreSQL holds (the first serve copies every table in full).
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM gold.fact_bars');
    await client.end();
    const servedBars =
      sample(text, 'marketlake_serve_rows_total', { table: 'fact_bars' }) ??
      sample(text, 'marketlake_serve_rows_total', { table: 'gold.fact_bars' });
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    expect(servedBars).toBe(Number(rows[0]!.n));

    // The scheduler reports the queues: the run's job completed, nothing waits.
    const sched = await (await fetch(`http://127.0.0.1:${schedulerPort}/metrics`)).text();
    expect(sample(sched, 'marketlake_queue_jobs', { queue: 'runs', state: 'completed' })).toBe(1);
    expect(sample(sched, 'marketlake_queue_jobs', { queue: 'tasks', state: 'waiting' })).toBe(0);
    expect(sample(sched, 'marketlake_queue_oldest_waiting_seconds', { queue: 'tasks' })).toBe(0);
  }, 300_000);
});
