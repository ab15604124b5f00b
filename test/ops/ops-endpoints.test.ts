import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, emitLakeEvent, QUEUES } from '../../layers/index.js';
import {
  createReadiness,
  installMetrics,
  openLakeQueues,
  type Readiness,
  refreshQueueMetrics,
  registerQueueBoard,
  registry,
  startOpsServer,
} from '../../ops/index.js';
import { type RedisServer, startRedis } from '../faults/redis-server.js';
import { tempLake } from '../helpers/temp-lake.js';

const logger = createLogger({ level: 'silent', json: true });

/** The value of one sample of the exposition text, e.g. `metric{a="b"}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ops endpoints: /metrics, /healthz, /readyz and the queue board (private Redis)', () => {
  let redis: RedisServer;
  let env: Awaited<ReturnType<typeof tempLake>>;
  let readiness: Readiness;
  let server: Awaited<ReturnType<typeof startOpsServer>>;
  let queues: ReturnType<typeof openLakeQueues>;
  let base: string;
  const prefix = `mltest_ops_${process.pid}`;

  beforeAll(async () => {
    redis = await startRedis();
    env = await tempLake('marketlake-ops-');
    installMetrics();
    readiness = createReadiness({ redisUrl: redis.url }, env.lake, { cacheMs: 0, timeoutMs: 1_000 });
    queues = openLakeQueues({ redisUrl: redis.url, prefix });
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      readiness,
      logger,
      beforeScrape: () => refreshQueueMetrics({ runs: queues.runs, tasks: queues.tasks }),
      extend: async (app) => {
        await registerQueueBoard(app, queues);
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await readiness?.close();
    await queues?.close();
    await env?.cleanup();
    await redis?.destroy();
  });

  it('serves liveness, readiness per dependency and prefixed process metrics', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { ready: boolean; dependencies: Record<string, { ok: boolean }> };
    expect(ready.status).toBe(200);
    expect(body.ready).toBe(true);
    expect(Object.keys(body.dependencies).sort()).toEqual(['catalog', 'redis']);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'marketlake_ready', { dependency: 'redis' })).toBe(1);
    expect(sample(text, 'marketlake_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Every series this process exports carries the prefix.
    const names = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...names].filter((n) => !n.startsWith('marketlake_'))).toEqual([]);
  });

  it('turns events into the named series with exact values', async () => {
    const before = await registry.metrics();
    const base0 = (name: string, labels: Record<string, string>) => sample(before, name, labels) ?? 0;
    const trades = { dataset: 'trades', source: 'ops_test' };
    const ingested0 = base0('marketlake_records_ingested_total', trades);
    emitLakeEvent({ type: 'ingest', ...trades, accepted: 97, quarantined: 2, skipped: 1 });
    emitLakeEvent({ type: 'ingest', ...trades, accepted: 3, quarantined: 0, skipped: 0 });
    emitLakeEvent({ type: 'commit', tables: ['bronze.ops_test'], seconds: 0.02, status: 'committed' });
    emitLakeEvent({ type: 'commit', tables: ['bronze.ops_test'], seconds: 0.5, status: 'refused' });
    emitLakeEvent({ type: 'task', kind: 'model', target: 'gold.ops_test', seconds: 1.5, ok: true });
    emitLakeEvent({
      type: 'task',
      kind: 'model',
      target: 'gold.ops_test',
      seconds: 0.1,
      ok: false,
      permanent: true,
    });
    emitLakeEvent({ type: 'serve', table: 'ops_test', rows: 1234, seconds: 0.3 });
    emitLakeEvent({ type: 'check', model: 'gold.x', check: 'c', severity: 'warn', status: 'fail' });
    const text = await registry.metrics();
    expect(sample(text, 'marketlake_records_ingested_total', trades)).toBe(ingested0 + 100);
    expect(sample(text, 'marketlake_records_quarantined_total', trades)).toBe(2);
    expect(sample(text, 'marketlake_records_skipped_total', trades)).toBe(1);
    const t = { table: 'bronze.ops_test' };
    expect(sample(text, 'marketlake_commits_total', { ...t, status: 'committed' })).toBe(1);
    expect(sample(text, 'marketlake_commits_total', { ...t, status: 'refused' })).toBe(1);
    // Latency only of commits that landed.
    expect(sample(text, 'marketlake_commit_duration_seconds_count', t)).toBe(1);
    expect(sample(text, 'marketlake_commit_duration_seconds_sum', t)).toBeCloseTo(0.02, 6);
    const m = { kind: 'model', model: 'gold.ops_test' };
    expect(sample(text, 'marketlake_task_duration_seconds_count', { ...m, status: 'succeeded' })).toBe(1);
    expect(sample(text, 'marketlake_task_duration_seconds_sum', { ...m, status: 'succeeded' })).toBe(1.5);
    expect(sample(text, 'marketlake_task_failures_total', { ...m, permanent: 'true' })).toBe(1);
    expect(sample(text, 'marketlake_serve_rows_total', { table: 'ops_test' })).toBe(1234);
    expect(
      sample(text, 'marketlake_check_results_total', { severity: 'warn', status: 'fail' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports queue depth and the age of the oldest waiting job, and shows the queues read-only', async () => {
    const connection = new Redis(redis.url);
    const tasks = new Queue(QUEUES.tasks, { connection, prefix });
    const created = Date.now() - 120_000;
    await tasks.add('model', { n: 1 }, { timestamp: created });
    await tasks.add('model', { n: 2 });
    await tasks.add('model', { n: 3 }, { delay: 600_000 });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'marketlake_queue_jobs', { queue: 'tasks', state: 'waiting' })).toBe(2);
    expect(sample(text, 'marketlake_queue_jobs', { queue: 'tasks', state: 'delayed' })).toBe(1);
    expect(sample(text, 'marketlake_queue_jobs', { queue: 'runs', state: 'waiting' })).toBe(0);
    const oldest = sample(text, 'marketlake_queue_oldest_waiting_seconds', { queue: 'tasks' })!;
    expect(oldest).toBeGreaterThanOrEqual(119);
    expect(oldest).toBeLessThan(300);
    expect(sample(text, 'marketlake_queue_oldest_waiting_seconds', { queue: 'runs' })).toBe(0);

    const board = await fetch(`${base}/queues/api/queues?activeQueue=tasks&status=waiting&page=1`);
    expect(board.status).toBe(200);
    const listed = (await board.json()) as {
      queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[];
    };
    expect(listed.queues.map((q) => q.name).sort()).toEqual(['runs', 'tasks']);
    expect(listed.queues.every((q) => q.readOnlyMode)).toBe(true);
    expect(listed.queues.find((q) => q.name === 'tasks')?.counts.waiting).toBe(2);
    // The page itself is served too.
    expect((await fetch(`${base}/queues`)).status).toBe(200);
    // --queue-admin: the same board with job actions allowed.
    const Fastify = (await import('fastify')).default;
    const admin = Fastify();
    await registerQueueBoard(admin, queues, { admin: true, basePath: '/admin' });
    const res = await admin.inject({ method: 'GET', url: '/admin/api/queues?page=1' });
    const adminQueues = (res.json() as { queues: { readOnlyMode: boolean }[] }).queues;
    expect(adminQueues.map((q) => q.readOnlyMode)).toEqual([false, false]);
    await admin.close();
    await tasks.obliterate({ force: true });
    await tasks.close();
    connection.disconnect();
  });

  it('/readyz turns false within seconds of losing Redis and true again after it returns', async () => {
    await redis.stop();
    const lostAt = Date.now();
    const down = await until(
      async () => {
        const r = await fetch(`${base}/readyz`);
        return r.status === 503
          ? ((await r.json()) as { dependencies: Record<string, { ok: boolean }> })
          : undefined;
      },
      10_000,
      'readiness to turn false',
    );
    expect(Date.now() - lostAt).toBeLessThan(10_000);
    expect(down.dependencies.redis?.ok).toBe(false);
    expect(down.dependencies.catalog?.ok).toBe(true);
    // /healthz stays up: the process is alive, only a dependency is missing.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Scrapes still answer (queue depth is dropped rather than reported stale).
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'marketlake_ready', { dependency: 'redis' })).toBe(0);
    expect(sample(text, 'marketlake_queue_jobs', { queue: 'tasks', state: 'waiting' })).toBeUndefined();

    await redis.start();
    const backAt = Date.now();
    await until(
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      15_000,
      'readiness to turn true again',
    );
    expect(Date.now() - backAt).toBeLessThan(15_000);
  }, 60_000);
});
