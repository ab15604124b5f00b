import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import { runPlanInProcess } from '../../orchestrator/in-process-runner.js';
import { buildDag } from '../../orchestrator/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { lakeQueuePrefix, resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { ownsJob } from '../../orchestrator/queue/lake-guard.js';
import { planRun } from '../../orchestrator/run-plan.js';
import type { SimulationOptions } from '../../pipelines/index.js';
import {
  bronzeOnlyLake,
  FAST_WORKER_ENV,
  goldTables,
  REDIS_URL,
  type TestLake,
  uniqueQueuePrefix,
} from '../helpers/queue-lake.js';
import { tempLake } from '../helpers/temp-lake.js';
import { eventually, startWorkers, type WorkerProcess } from '../helpers/workers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const logger = createLogger({ level: 'silent', json: true });
const simulation: SimulationOptions = {
  seed: 7,
  days: 2,
  tradesPerSymbolDay: 150,
  quotesPerSymbolDay: 40,
  postsPerSymbolDay: 3,
  badRecordRate: 0.01,
};

function target(env: TestLake, queuePrefix?: string) {
  return resolveQueueTarget(
    loadConfig({ LAKE_URL: env.dir, REDIS_URL, ...(queuePrefix ? { QUEUE_PREFIX: queuePrefix } : {}) }),
    env.lake,
  );
}

/** The worker's JSON log lines. */
function logLines(w: WorkerProcess): Record<string, unknown>[] {
  return w
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

/** Remove a prefix's queues from the shared Redis. */
async function obliterate(prefixes: string[]) {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  for (const p of prefixes)
    for (const name of ['runs', 'tasks']) {
      const q = new Queue(name, { connection, prefix: p });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  connection.disconnect();
}

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('two lakes on one Redis', () => {
  let lakeA: TestLake;
  let lakeB: TestLake;
  let reference: { gold: Record<string, unknown[]>; rows: Map<string, number | undefined> };
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    lakeA = await bronzeOnlyLake(simulation);
    lakeB = await tempLake('marketlake-lakes-');
    // The same input built in process: what lake A must end up with.
    const ref = await bronzeOnlyLake(simulation);
    try {
      const project = loadProjectConfig();
      const session = await LakeSession.open(ref.lake);
      const plan = planRun(await buildDag(session, MODELS), project, 'models');
      session.close();
      await ref.lake.runs.startRun({
        runId: 'run_ref',
        trigger: 'manual',
        command: 'run',
        status: 'running',
        startedAt: new Date().toISOString(),
      });
      const results = await runPlanInProcess(
        { config: loadConfig({ LAKE_URL: ref.dir }), lake: ref.lake, logger, project },
        plan,
        { pipeline: 'models' },
        'run_ref',
        2,
      );
      expect(results.every((r) => r.status === 'succeeded')).toBe(true);
      reference = {
        gold: await goldTables(ref.lake),
        rows: new Map(results.map((r) => [r.task, r.rows ?? undefined])),
      };
    } finally {
      await ref.cleanup();
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await lakeA?.cleanup();
    await lakeB?.cleanup();
  });

  it('each lake has its own default queue prefix; QUEUE_PREFIX overrides it', async () => {
    const a = await target(lakeA);
    const b = await target(lakeB);
    expect(a.lakeId).not.toBe(b.lakeId);
    expect(a.prefix).toMatch(/^marketlake-[0-9a-f]{12}$/);
    expect(a.prefix).toBe(lakeQueuePrefix(a.lakeId));
    expect(a.prefix).toBe(`marketlake-${a.lakeId.replace(/-/g, '').slice(0, 12)}`);
    expect(b.prefix).not.toBe(a.prefix);
    expect(a.ownPrefix && b.ownPrefix).toBe(true);
    expect(await target(lakeA)).toEqual(a);
    const shared = [await target(lakeA, 'shared_q'), await target(lakeB, 'shared_q')];
    expect(shared.map((t) => t.prefix)).toEqual(['shared_q', 'shared_q']);
    expect(shared.map((t) => t.ownPrefix)).toEqual([false, false]);
  });

  it('a job without a lake id is taken only under the lake’s own default prefix', async () => {
    const own = await target(lakeA);
    const shared = await target(lakeA, 'shared_q');
    expect(ownsJob({}, own)).toBe(true);
    expect(ownsJob({}, shared)).toBe(false);
    expect(ownsJob({ lakeId: own.lakeId }, shared)).toBe(true);
    expect(ownsJob({ lakeId: (await target(lakeB)).lakeId }, own)).toBe(false);
  });

  it('a bad QUEUE_PREFIX is a configuration error: exit 2 and a clear message', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'bad:prefix' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUEUE_PREFIX: 'x'.repeat(65) })).toThrow(/QUEUE_PREFIX/);
    expect(loadConfig({ QUEUE_PREFIX: 'ok_Prefix-1' }).queuePrefix).toBe('ok_Prefix-1');
    expect(loadConfig({ QUEUE_PREFIX: ' ' }).queuePrefix).toBeUndefined();
    for (const args of [['worker'], ['run', '--queue', '--detach']]) {
      const r = cli(args, { LAKE_URL: lakeB.dir, QUEUE_PREFIX: 'bad:prefix' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        'marketlake: invalid configuration: QUEUE_PREFIX: must be 1 to 64 characters',
      );
    }
  }, 120_000);

  it('under one shared QUEUE_PREFIX, a run of lake A runs only on A’s worker: B’s worker refuses it and B stays empty', async () => {
    const shared = uniqueQueuePrefix('shared');
    const a = await target(lakeA, shared);
    const b = await target(lakeB, shared);
    // B's worker alone first: every job it sees is A's.
    const [workerB] = startWorkers({ LAKE_URL: lakeB.dir, QUEUE_PREFIX: shared, ...FAST_WORKER_ENV }, 1, 2);
    workers.push(workerB!);
    await eventually(
      async () => (logLines(workerB!).some((l) => l.msg === 'worker started') ? true : undefined),
      60_000,
      'B’s worker to start',
    );
    const runId = await enqueueRun(a, { pipeline: 'models' });
    const refused = await eventually(
      async () => logLines(workerB!).find((l) => String(l.msg).startsWith('job of another lake refused')),
      30_000,
      'B’s worker to refuse A’s run',
    );
    expect(refused).toMatchObject({ jobId: runId, jobLakeId: a.lakeId, workerLakeId: b.lakeId });
    expect(await lakeB.lake.runs.listRuns()).toEqual([]);
    expect(await lakeA.lake.runs.getRun(runId)).toBeUndefined();

    const [workerA] = startWorkers({ LAKE_URL: lakeA.dir, QUEUE_PREFIX: shared, ...FAST_WORKER_ENV }, 1, 1);
    workers.push(workerA!);
    const result = await waitForRun(lakeA.lake.runs, runId, logger, { timeoutMs: 180_000 });
    expect(result.status).toBe('succeeded');
    // Every task ran on A's worker, once (refusals are not attempts), with the in-process row counts.
    expect(new Set(result.tasks.map((t) => t.worker))).toEqual(new Set([`${hostname()}:${workerA!.pid}`]));
    expect(result.tasks.map((t) => t.attempts)).toEqual(result.tasks.map(() => 1));
    for (const t of result.tasks)
      expect([t.task, t.rowsOut ?? undefined]).toEqual([t.task, reference.rows.get(t.task)]);
    expect(await goldTables(lakeA.lake)).toEqual(reference.gold);

    // Lake B: no run, no table, no snapshot; its worker logged no lake URL.
    expect(await lakeB.lake.runs.listRuns()).toEqual([]);
    expect(await lakeB.lake.catalog.listTables()).toEqual([]);
    const refusals = logLines(workerB!).filter((l) =>
      String(l.msg).startsWith('job of another lake refused'),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.every((l) => l.jobLakeId === a.lakeId && l.workerLakeId === b.lakeId)).toBe(true);
    expect(workerB!.output()).not.toContain(lakeA.dir);
    expect(logLines(workerB!).filter((l) => l.msg === 'task started')).toEqual([]);
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await obliterate([shared]);
  }, 300_000);

  it('a job no worker of its lake takes fails after the refusal limit, naming its lake; a job without a lake id too', async () => {
    const shared = uniqueQueuePrefix('orphan');
    const lakeC = await tempLake('marketlake-lakes-');
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('runs', { connection, prefix: shared });
    try {
      const c = await target(lakeC, shared);
      const [workerB] = startWorkers(
        {
          LAKE_URL: lakeB.dir,
          QUEUE_PREFIX: shared,
          ...FAST_WORKER_ENV,
          MARKETLAKE_FOREIGN_RETRY_MS: '100',
          MARKETLAKE_FOREIGN_MAX_REFUSALS: '3',
          MARKETLAKE_FOREIGN_MAX_MS: '0',
        },
        1,
      );
      workers.push(workerB!);
      const runId = await enqueueRun(c, { pipeline: 'maintenance' });
      await queue.add(
        'run',
        { trigger: 'manual', params: { pipeline: 'maintenance' } },
        { jobId: 'legacy_job' },
      );
      const failed = await eventually(
        async () => {
          const jobs = [await queue.getJob(runId), await queue.getJob('legacy_job')];
          const states = await Promise.all(jobs.map((j) => j?.getState()));
          return states.every((s) => s === 'failed') ? jobs : undefined;
        },
        60_000,
        'both jobs to fail',
      );
      expect(failed[0]!.failedReason).toContain(`no worker of lake ${c.lakeId} took job ${runId}`);
      expect(failed[0]!.data).toMatchObject({ refusals: { count: 3 } });
      expect(failed[1]!.failedReason).toContain('names no lake');
      // The failure is recorded in nobody's run history: neither B's (not its run) nor C's (nobody ran it).
      expect(await lakeB.lake.runs.listRuns()).toEqual([]);
      expect(await lakeC.lake.runs.listRuns()).toEqual([]);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      connection.disconnect();
      await lakeC.cleanup();
    }
  }, 180_000);

  it('with default prefixes, each lake’s worker serves only its own queues', async () => {
    const a = await target(lakeA);
    const b = await target(lakeB);
    const pool = [
      ...startWorkers({ LAKE_URL: lakeA.dir, QUEUE_PREFIX: '', ...FAST_WORKER_ENV }, 1),
      ...startWorkers({ LAKE_URL: lakeB.dir, QUEUE_PREFIX: '', ...FAST_WORKER_ENV }, 1),
    ];
    workers.push(...pool);
    const runA = await enqueueRun(a, { pipeline: 'maintenance' });
    const runB = await enqueueRun(b, { pipeline: 'maintenance' });
    const [resultA, resultB] = await Promise.all([
      waitForRun(lakeA.lake.runs, runA, logger, { timeoutMs: 120_000 }),
      waitForRun(lakeB.lake.runs, runB, logger, { timeoutMs: 120_000 }),
    ]);
    expect([resultA.status, resultB.status]).toEqual(['succeeded', 'succeeded']);
    expect(new Set(resultA.tasks.map((t) => t.worker))).toEqual(new Set([`${hostname()}:${pool[0]!.pid}`]));
    expect(new Set(resultB.tasks.map((t) => t.worker))).toEqual(new Set([`${hostname()}:${pool[1]!.pid}`]));
    const started = pool.map((w) => logLines(w).find((l) => l.msg === 'worker started'));
    expect(started.map((l) => l?.prefix)).toEqual([a.prefix, b.prefix]);
    // Nobody saw the other lake's jobs.
    for (const w of pool) expect(logLines(w).filter((l) => String(l.msg).includes('refused'))).toEqual([]);
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await obliterate([a.prefix, b.prefix]);
  }, 240_000);
});
