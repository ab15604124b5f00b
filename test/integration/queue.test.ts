import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Lake, LakeSession, loadConfig } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import { runPlanInProcess } from '../../orchestrator/in-process-runner.js';
import { buildDag, runDemo } from '../../orchestrator/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { registerSchedules, schedulerId } from '../../orchestrator/queue/schedules.js';
import { planRun } from '../../orchestrator/run-plan.js';
import type { SimulationOptions } from '../../pipelines/index.js';
import {
  bronzeOnlyLake,
  FAST_WORKER_ENV,
  goldTables,
  REDIS_URL,
  unfinished,
  uniqueQueuePrefix,
} from '../helpers/queue-lake.js';
import { tempLake } from '../helpers/temp-lake.js';
import { eventually, startWorkers, type WorkerProcess } from '../helpers/workers.js';

const logger = createLogger({ level: 'silent', json: true });
const simulation: SimulationOptions = {
  seed: 11,
  days: 2,
  tradesPerSymbolDay: 200,
  quotesPerSymbolDay: 50,
  postsPerSymbolDay: 3,
  badRecordRate: 0.01,
};

/** The queues of a test lake: the QUEUE_PREFIX the test set, and the lake's id. */
function queueOf(env: { dir: string; lake: Lake }) {
  return resolveQueueTarget(
    loadConfig({ LAKE_URL: env.dir, REDIS_URL, QUEUE_PREFIX: process.env.QUEUE_PREFIX }),
    env.lake,
  );
}

describe('runs on BullMQ workers (real Redis)', () => {
  let reference: Record<string, unknown[]>;
  let refLake: Awaited<ReturnType<typeof tempLake>>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    refLake = await tempLake('marketlake-ref-');
    const summary = await runDemo(loadConfig({ LAKE_URL: refLake.dir }), refLake.lake, logger, {
      simulation,
      serve: false,
    });
    expect(summary.status).toBe('succeeded');
    reference = await goldTables(refLake.lake);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await refLake?.cleanup();
  });

  it('a run across two worker processes builds the same gold tables as the in-process runner', async () => {
    const env = await bronzeOnlyLake(simulation);
    try {
      const vars = { LAKE_URL: env.dir, QUEUE_PREFIX: uniqueQueuePrefix('flow'), ...FAST_WORKER_ENV };
      Object.assign(process.env, { QUEUE_PREFIX: vars.QUEUE_PREFIX });
      workers.push(...startWorkers(vars, 2));
      const runId = await enqueueRun(await queueOf(env), { pipeline: 'models' });
      const result = await waitForRun(env.lake.runs, runId, logger, { timeoutMs: 150_000 });
      expect(result.status, unfinished(result)).toBe('succeeded');
      expect(new Set(result.tasks.map((t) => t.worker)).size).toBe(2);
      expect(await goldTables(env.lake)).toEqual(reference);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await env.cleanup();
    }
  }, 240_000);

  it('a worker killed mid-task: the task is retried elsewhere, the run completes with identical output', async () => {
    const env = await bronzeOnlyLake(simulation);
    try {
      const vars = {
        LAKE_URL: env.dir,
        QUEUE_PREFIX: uniqueQueuePrefix('kill'),
        MARKETLAKE_SLOW_TASK: 'model:gold.fact_bars:4000',
        ...FAST_WORKER_ENV,
      };
      Object.assign(process.env, { QUEUE_PREFIX: vars.QUEUE_PREFIX });
      const pool = startWorkers(vars, 2);
      workers.push(...pool);
      const runId = await enqueueRun(await queueOf(env), { pipeline: 'models' });
      const running = await eventually(
        async () => {
          const got = await env.lake.runs.getRun(runId);
          const t = got?.tasks.find((x) => x.task === 'model:gold.fact_bars' && x.status === 'running');
          return t?.worker ?? undefined;
        },
        120_000,
        'gold.fact_bars to start',
      );
      const victim = pool.find((w) => running.endsWith(`:${w.pid}`))!;
      expect(victim).toBeDefined();
      victim.child.kill('SIGKILL');
      const result = await waitForRun(env.lake.runs, runId, logger, { timeoutMs: 120_000 });
      expect(result.status, unfinished(result)).toBe('succeeded');
      const bars = result.tasks.find((t) => t.task === 'model:gold.fact_bars')!;
      expect(bars.attempts).toBe(2);
      expect(bars.worker).not.toBe(running);
      expect(await goldTables(env.lake)).toEqual(reference);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await env.cleanup();
    }
  }, 240_000);

  it('SIGTERM lets the running task finish before the worker exits (graceful shutdown)', async () => {
    const env = await bronzeOnlyLake(simulation);
    try {
      const vars = {
        LAKE_URL: env.dir,
        QUEUE_PREFIX: uniqueQueuePrefix('graceful'),
        MARKETLAKE_SLOW_TASK: 'model:silver.symbol_refs:3000',
        ...FAST_WORKER_ENV,
      };
      Object.assign(process.env, { QUEUE_PREFIX: vars.QUEUE_PREFIX });
      const [first] = startWorkers(vars, 1);
      workers.push(first!);
      const runId = await enqueueRun(await queueOf(env), { pipeline: 'models' });
      await eventually(
        async () => {
          const got = await env.lake.runs.getRun(runId);
          return got?.tasks.some((t) => t.task === 'model:silver.symbol_refs' && t.status === 'running')
            ? true
            : undefined;
        },
        60_000,
        'the slow task to start',
      );
      expect(await first!.stop()).toBe(0);
      const got = await env.lake.runs.getRun(runId);
      expect(got?.tasks.find((t) => t.task === 'model:silver.symbol_refs')).toMatchObject({
        status: 'succeeded',
        attempts: 1,
      });
      // Another worker finishes the rest of the run.
      workers.push(...startWorkers({ ...vars, MARKETLAKE_SLOW_TASK: '' }, 1, 2));
      const result = await waitForRun(env.lake.runs, runId, logger, { timeoutMs: 120_000 });
      expect(result.status, unfinished(result)).toBe('succeeded');
      expect(await goldTables(env.lake)).toEqual(reference);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await env.cleanup();
    }
  }, 240_000);

  it('a transient failure injected twice succeeds on the third attempt', async () => {
    const env = await bronzeOnlyLake(simulation);
    try {
      const vars = {
        LAKE_URL: env.dir,
        QUEUE_PREFIX: uniqueQueuePrefix('transient'),
        MARKETLAKE_FAIL_TASK: 'model:silver.quotes:2:transient',
        ...FAST_WORKER_ENV,
      };
      Object.assign(process.env, { QUEUE_PREFIX: vars.QUEUE_PREFIX });
      workers.push(...startWorkers(vars, 1, 2));
      const runId = await enqueueRun(await queueOf(env), { pipeline: 'models' });
      const result = await waitForRun(env.lake.runs, runId, logger, { timeoutMs: 150_000 });
      expect(result.status, unfinished(result)).toBe('succeeded');
      expect(result.tasks.find((t) => t.task === 'model:silver.quotes')).toMatchObject({
        status: 'succeeded',
        attempts: 3,
      });
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await env.cleanup();
    }
  }, 240_000);

  it('a permanent failure is not retried; its dependents are skipped, the rest runs, the run ends failed', async () => {
    const env = await bronzeOnlyLake(simulation);
    try {
      const vars = {
        LAKE_URL: env.dir,
        QUEUE_PREFIX: uniqueQueuePrefix('permanent'),
        MARKETLAKE_FAIL_TASK: 'model:silver.trades:1:permanent',
        ...FAST_WORKER_ENV,
      };
      Object.assign(process.env, { QUEUE_PREFIX: vars.QUEUE_PREFIX });
      workers.push(...startWorkers(vars, 1, 2));
      const runId = await enqueueRun(await queueOf(env), { pipeline: 'models' });
      const result = await waitForRun(env.lake.runs, runId, logger, { timeoutMs: 150_000 });
      expect(result.status).toBe('failed');
      const byTask = Object.fromEntries(result.tasks.map((t) => [t.task, t]));
      expect(byTask['model:silver.trades']).toMatchObject({ status: 'failed', attempts: 1 });
      expect(byTask['model:gold.fact_bars']?.status).toBe('skipped');
      expect(byTask['model:gold.dim_date']?.status).toBe('skipped');
      expect(byTask.quality?.status).toBe('skipped');
      expect(byTask['model:silver.quotes']?.status).toBe('succeeded');
      expect(byTask['model:gold.dim_symbol']?.status).toBe('succeeded');
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    } finally {
      await env.cleanup();
    }
  }, 240_000);
});

describe('the in-process runner', () => {
  it('runs the same plan concurrently, skips dependents of a failed task and runs the rest', async () => {
    const env = await bronzeOnlyLake(simulation);
    const previous = process.env.MARKETLAKE_FAIL_TASK;
    process.env.MARKETLAKE_FAIL_TASK = 'model:silver.quotes:1:permanent';
    try {
      const config = loadConfig({ LAKE_URL: env.dir });
      const project = loadProjectConfig();
      const session = await LakeSession.open(env.lake);
      const plan = planRun(await buildDag(session, MODELS), project, 'models');
      session.close();
      await env.lake.runs.startRun({
        runId: 'run_inproc',
        trigger: 'manual',
        command: 'run',
        status: 'running',
        startedAt: new Date().toISOString(),
      });
      const results = await runPlanInProcess(
        { config, lake: env.lake, logger, project },
        plan,
        { pipeline: 'models' },
        'run_inproc',
        2,
      );
      const byTask = Object.fromEntries(results.map((r) => [r.task, r.status]));
      expect(byTask['model:silver.quotes']).toBe('failed');
      expect(byTask.quality).toBe('skipped');
      expect(byTask['model:gold.fact_bars']).toBe('succeeded');
      expect(byTask['model:gold.dim_date']).toBe('succeeded');
      const logged = await env.lake.runs.getRun('run_inproc');
      expect(logged?.tasks.find((t) => t.task === 'quality')?.status).toBe('skipped');
      delete process.env.MARKETLAKE_FAIL_TASK;
      // The independent branch was built.
      const gold = await goldTables(env.lake);
      expect(gold.fact_bars!.length).toBeGreaterThan(0);
      expect(gold.dim_date!.length).toBe(366);
    } finally {
      if (previous === undefined) delete process.env.MARKETLAKE_FAIL_TASK;
      else process.env.MARKETLAKE_FAIL_TASK = previous;
      await env.cleanup();
    }
  }, 120_000);
});

describe('schedules on BullMQ (real Redis)', () => {
  it('two schedulers registering one schedule make one job scheduler and one run per tick; missed ticks run once after downtime', async () => {
    const env = await tempLake('marketlake-sched-');
    const queuePrefix = uniqueQueuePrefix('sched');
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const schedule = {
      name: 'tick',
      cron: '*/2 * * * * *',
      tz: 'UTC',
      pipeline: 'maintenance' as const,
      catchUp: true,
    };
    const configFile = `${env.dir}/marketlake.yaml`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      configFile,
      `schedules:\n  - name: tick\n    cron: "*/2 * * * * *"\n    pipeline: maintenance\n`,
    );
    const vars = {
      LAKE_URL: env.dir,
      QUEUE_PREFIX: queuePrefix,
      MARKETLAKE_CONFIG: configFile,
      ...FAST_WORKER_ENV,
    };
    const queues = [0, 1].map(() => new Queue('runs', { connection, prefix: queuePrefix }));
    const pool: WorkerProcess[] = [];
    try {
      // Two schedulers register the same schedule at once.
      const target = await resolveQueueTarget(
        loadConfig({ LAKE_URL: env.dir, REDIS_URL, QUEUE_PREFIX: queuePrefix }),
        env.lake,
      );
      await Promise.all(queues.map((q) => registerSchedules(q, [schedule], target)));
      expect(await queues[0]!.getJobSchedulersCount()).toBe(1);

      pool.push(...startWorkers(vars, 2));
      const ticks = async () => (await env.lake.runs.listRuns(500)).filter((r) => r.schedule === 'tick');
      await eventually(async () => ((await ticks()).length >= 3 ? true : undefined), 60_000, 'three ticks');
      await Promise.all(pool.splice(0).map((w) => w.stop()));
      const beforeStop = (await ticks()).length;

      // All workers down for three intervals, then back.
      await new Promise((r) => setTimeout(r, 7_000));
      pool.push(...startWorkers(vars, 1));
      await eventually(
        async () => ((await ticks()).length >= beforeStop + 5 ? true : undefined),
        60_000,
        'catch-up and new ticks',
      );
      // No new ticks from here; let every started run finish before stopping.
      await queues[0]!.removeJobScheduler(schedulerId('tick', target));
      await eventually(
        async () => ((await ticks()).every((r) => r.status !== 'running') ? true : undefined),
        90_000,
        'every run to finish',
      );
      await Promise.all(pool.splice(0).map((w) => w.stop()));

      const runs = await ticks();
      const at = runs.map((r) => Date.parse(r.scheduledFor!)).sort((a, b) => a - b);
      // One run per tick, and no tick between the first and the last is missing.
      expect(new Set(at).size).toBe(at.length);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBe(2_000);
      expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    } finally {
      await Promise.all(pool.map((w) => w.stop()));
      for (const q of queues) {
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
      }
      connection.disconnect();
      await env.cleanup();
    }
  }, 180_000);
});
