/**
 * Redis restarted mid-run (issue #12): two `marketlake worker` processes build a queued run on a
 * private redis-server without persistence; the test restarts Redis while tasks are running, so
 * it comes back EMPTY (queues, the coordinator job, task jobs and locks all gone). ioredis
 * reconnects, the BullMQ workers keep going, a worker finds the run still running in the run
 * history with no job left and resumes it; the run must end `succeeded` with silver and gold equal
 * (per-table checksums, lineage ignored) to a clean in-process run of the same input.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRow } from '../../layers/index.js';
import { recordFigures } from './figures.js';
import {
  type CliProcess,
  cli,
  compiledLayers,
  expectOk,
  goldChecksums,
  type InputFile,
  registerSecret,
  SMALL,
  scanTreeForSecrets,
  simulateInputs,
  spawnCli,
  takeLinesScanned,
  tempRoot,
} from './harness.js';
import { type RedisServer, startRedis } from './redis-server.js';

const DATASETS: InputFile['dataset'][] = ['symbol_refs', 'trades', 'quotes', 'sentiment_posts'];
const REDIS_PASSWORD = 'mlFaultsRedisPw-9Kd2Lq7Xv';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short locks and fast stalled-job checks, so work left by the restart moves on within seconds. */
const FAST = {
  MARKETLAKE_WORKER_LOCK_MS: '4000',
  MARKETLAKE_STALLED_INTERVAL_MS: '2000',
  MARKETLAKE_TASK_LOCK_MS: '4000',
  MARKETLAKE_RETRY_BACKOFF_MS: '300',
  MARKETLAKE_RECOVER_EVERY_MS: '5000',
};

const root = tempRoot('redis-restart');
let inputs: InputFile[] = [];
let refGold: Record<string, string> = {};

async function ingestAll(lake: string): Promise<void> {
  for (const dataset of DATASETS) {
    const files = inputs.filter((i) => i.dataset === dataset).map((i) => i.path);
    expectOk(await cli(['--lake', lake, 'ingest', dataset, ...files, '--format', 'jsonl'], {}));
  }
}

async function runOf(lake: string, runId: string) {
  const { openLake } = await compiledLayers();
  const l = openLake({ lakeUrl: lake });
  try {
    return await l.runs.getRun(runId);
  } finally {
    await l.close();
  }
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  inputs = await simulateInputs(root.dir, {
    days: SMALL ? 1 : 2,
    tradesPerDay: SMALL ? 200 : 2_000,
    postsPerDay: SMALL ? 4 : 20,
  });
  const refLake = join(root.dir, 'reference');
  await ingestAll(refLake);
  expectOk(await cli(['--lake', refLake, 'run'], {}));
  refGold = await goldChecksums(refLake);
}, 600_000);

afterAll(() => root.cleanup());

describe('Redis restarted mid-run', () => {
  let redis: RedisServer | undefined;
  const workers: CliProcess[] = [];

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.allSettled(workers.map((w) => w.result));
    await redis?.destroy();
  });

  it('two workers survive Redis coming back empty: the run resumes and succeeds with the clean run’s tables', async () => {
    const started = Date.now();
    const lake = join(root.dir, 'queued');
    await ingestAll(lake);
    registerSecret(REDIS_PASSWORD);
    redis = await startRedis(undefined, { password: REDIS_PASSWORD });
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: '', ...FAST };
    for (let i = 0; i < 2; i++)
      workers.push(
        spawnCli(['--lake', lake, 'worker', '--concurrency', '1', '--grace-seconds', '10'], env, {
          timeoutMs: 600_000,
        }),
      );
    await until(
      async () => (workers.every((w) => w.output().includes('worker started')) ? true : undefined),
      120_000,
      'both workers to start',
    );
    const queued = expectOk(await cli(['--lake', lake, 'run', '--queue', '--detach'], env));
    const runId = queued.stdout.trim().split('\n').pop()!;
    expect(runId).toMatch(/^run_/);

    // Restart while the run is under way: some task done, some running, more to come.
    // (The full form restarts twice; if the run ends before the second chance, it counts one.)
    const planned = SMALL ? 1 : 2;
    const progress: string[] = [];
    let restarts = 0;
    for (let i = 0; i < planned; i++) {
      const tasks = await until(
        async () => {
          const got = await runOf(lake, runId);
          if (i > 0 && got && got.run.status !== 'running') return [];
          const t = got?.tasks ?? [];
          const done = t.filter((x) => x.status === 'succeeded').length;
          return t.some((x) => x.status === 'running') && done > i * 3 ? t : undefined;
        },
        180_000,
        `run progress before restart ${i + 1}`,
      );
      if (tasks.length === 0) break;
      restarts++;
      progress.push(
        `restart ${i + 1} with ${tasks.filter((t: TaskRow) => t.status === 'succeeded').length}/${tasks.length} tasks done`,
      );
      await redis.restart({ downMs: 1_500 });
    }

    const finished = await until(
      async () => {
        const got = await runOf(lake, runId);
        return got && (got.run.status === 'succeeded' || got.run.status === 'failed') ? got : undefined;
      },
      SMALL ? 240_000 : 480_000,
      'the run to finish',
    );
    const problems = finished.tasks
      .filter((t) => t.status !== 'succeeded')
      .map((t) => `${t.task} ${t.status}`);
    expect(
      problems,
      `${progress.join('; ')}\n${workers.map((w) => w.output().slice(-3_000)).join('\n---\n')}`,
    ).toEqual([]);
    expect(finished.run.status).toBe('succeeded');

    // The restart really cost the run its queue state, and a worker resumed it from the history.
    const logs = workers.map((w) => w.output()).join('\n');
    expect(logs).toContain('Redis connection lost');
    expect(logs).toContain('run lost its queue job');

    const gold = await goldChecksums(lake);
    expect(Object.keys(gold).sort()).toEqual(Object.keys(refGold).sort());
    expect(gold).toEqual(refGold);

    // Graceful stop still works after the outage; outputs are scanned for the Redis password.
    for (const w of workers) w.kill('SIGTERM');
    const results = await Promise.all(workers.splice(0).map((w) => w.result));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    scanTreeForSecrets(lake);

    // Silver and gold rows missing or extra against the clean run (equal checksums imply 0 and 0).
    let lost = 0;
    let doubled = 0;
    for (const [t, s] of Object.entries(refGold)) {
      const want = Number(s.split(':')[0]);
      const have = Number((gold[t] ?? '0:').split(':')[0]);
      lost += Math.max(0, want - have);
      doubled += Math.max(0, have - want);
    }
    recordFigures('Redis restarted (empty) mid-run under 2 workers', {
      faults: restarts,
      recordsLost: lost,
      recordsDoubled: doubled,
      linesScanned: takeLinesScanned(),
    });
    process.stdout.write(
      `redis-restart: ${progress.join('; ')}; run ${runId} succeeded in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 900_000);
});
