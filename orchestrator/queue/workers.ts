import { Queue, Worker } from 'bullmq';
import { QUEUES } from '../../layers/index.js';
import type { TaskContext } from '../task-executor.js';
import { queuePrefix, queueTimings, redisConnection } from './connection.js';
import type { RunJobData, TaskJobData } from './messages.js';
import { runCoordinator } from './run-coordinator.js';
import { reconcileSchedules } from './schedules.js';
import { taskProcessor } from './task-processor.js';

export interface WorkerHandle {
  /** Stop taking jobs; wait up to `graceMs` for running ones, then hand them back (they are retried elsewhere). */
  close(graceMs?: number): Promise<void>;
}

/**
 * A marketlake worker: processes task jobs (up to `concurrency` at once) and run coordinators, and
 * every minute reconciles schedules (catch-up of missed ticks). Any number of workers may run.
 */
export async function startWorker(
  ctx: TaskContext,
  options: { concurrency: number; catchUp?: boolean; reconcileEveryMs?: number },
): Promise<WorkerHandle> {
  const prefix = queuePrefix();
  const { lockMs, stalledIntervalMs } = queueTimings();
  const connection = redisConnection(ctx.config.redisUrl);
  const lockRedis = redisConnection(ctx.config.redisUrl);
  const tasksQueue = new Queue<TaskJobData>(QUEUES.tasks, { connection, prefix });
  const runsQueue = new Queue<RunJobData>(QUEUES.runs, { connection, prefix });
  const common = {
    connection,
    prefix,
    lockDuration: lockMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount: 3,
  };
  const taskWorker = new Worker<TaskJobData>(QUEUES.tasks, taskProcessor(ctx, lockRedis), {
    ...common,
    concurrency: options.concurrency,
  });
  const runWorker = new Worker<RunJobData>(QUEUES.runs, runCoordinator(ctx, tasksQueue, runsQueue), {
    ...common,
    concurrency: 20,
  });
  for (const w of [taskWorker, runWorker]) w.on('error', (err) => ctx.logger.error({ err }, 'worker error'));
  // A coordinator that fails outright (not a task) must not leave its run looking alive.
  runWorker.on('failed', (job, err) => {
    const runId = job?.data.runId;
    ctx.logger.error({ runId, err }, 'run coordinator failed');
    if (!runId || !job) return;
    const now = new Date().toISOString();
    ctx.lake.runs
      .startRun({
        runId,
        trigger: job.data.trigger,
        command: 'run --queue',
        status: 'failed',
        startedAt: now,
      })
      .then(() => ctx.lake.runs.finishRun(runId, 'failed', err.message))
      .catch(() => {});
  });

  const reconcile = async () => {
    if (options.catchUp === false) return;
    try {
      const queued = await reconcileSchedules(ctx, runsQueue);
      if (queued.length) ctx.logger.info({ queued }, 'missed schedule ticks queued');
    } catch (err) {
      ctx.logger.warn({ err }, 'schedule reconciliation failed');
    }
  };
  await reconcile();
  const timer = setInterval(reconcile, options.reconcileEveryMs ?? 60_000);
  timer.unref();
  ctx.logger.info({ concurrency: options.concurrency, prefix }, 'worker started');

  return {
    async close(graceMs = 30_000) {
      clearInterval(timer);
      const closing = Promise.all([taskWorker.close(), runWorker.close()]);
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) await Promise.all([taskWorker.close(true), runWorker.close(true)]);
      await Promise.all([tasksQueue.close(), runsQueue.close()]);
      connection.disconnect();
      lockRedis.disconnect();
    },
  };
}
