import { Queue, Worker } from 'bullmq';
import { emitLakeEvent, QUEUES } from '../../layers/index.js';
import type { TaskContext } from '../task-executor.js';
import { type QueueTarget, queueTimings, redisConnection, resolveQueueTarget } from './connection.js';
import { ownsJob } from './lake-guard.js';
import type { RunJobData, TaskJobData } from './messages.js';
import { resumeLostRuns } from './recovery.js';
import { runCoordinator } from './run-coordinator.js';
import { reconcileSchedules } from './schedules.js';
import { taskProcessor } from './task-processor.js';

export interface WorkerHandle {
  /** The queues this worker serves and the lake it builds. */
  readonly target: QueueTarget;
  /** Stop taking jobs; wait up to `graceMs` for running ones, then hand them back (they are retried elsewhere). */
  close(graceMs?: number): Promise<void>;
}

/**
 * A marketlake worker: processes task jobs (up to `concurrency` at once) and run coordinators of its
 * lake (jobs of other lakes are handed back), every minute reconciles schedules (catch-up of missed
 * ticks), and resumes runs whose queue job Redis lost (checked every `recoverEveryMs` and as soon as
 * Redis is back after a disconnect). Any number of workers may run.
 */
export async function startWorker(
  ctx: TaskContext,
  options: { concurrency: number; catchUp?: boolean; reconcileEveryMs?: number },
): Promise<WorkerHandle> {
  const target = await resolveQueueTarget(ctx.config, ctx.lake);
  const { prefix, lakeId } = target;
  const { lockMs, stalledIntervalMs, recoverEveryMs } = queueTimings();
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
    // Redis back after an outage: retry moving a finished job within seconds, not BullMQ's 15 s.
    runRetryDelay: 2_000,
  };
  const taskWorker = new Worker<TaskJobData>(QUEUES.tasks, taskProcessor(ctx, lockRedis, target), {
    ...common,
    concurrency: options.concurrency,
  });
  const runWorker = new Worker<RunJobData>(QUEUES.runs, runCoordinator(ctx, tasksQueue, runsQueue, target), {
    ...common,
    concurrency: 20,
  });
  for (const w of [taskWorker, runWorker]) w.on('error', (err) => ctx.logger.error({ err }, 'worker error'));
  // A coordinator that fails outright (not a task) must not leave its run looking alive. Only a run
  // of this lake: a job of another lake that failed here (nobody of its lake took it) is not ours.
  runWorker.on('failed', (job, err) => {
    const runId = job?.data.runId;
    if (!job || !ownsJob(job.data, target)) return;
    ctx.logger.error({ runId, err }, 'run coordinator failed');
    emitLakeEvent({ type: 'run', status: 'failed', seconds: (Date.now() - job.timestamp) / 1000 });
    if (!runId) return;
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
      const queued = await reconcileSchedules(ctx, runsQueue, target);
      if (queued.length) ctx.logger.info({ queued }, 'missed schedule ticks queued');
    } catch (err) {
      ctx.logger.warn({ err }, 'schedule reconciliation failed');
    }
  };
  let recovering = false;
  const recover = async () => {
    if (recovering || connection.status !== 'ready') return;
    recovering = true;
    try {
      await resumeLostRuns(ctx.lake.runs, runsQueue, target, ctx.logger);
    } catch (err) {
      ctx.logger.warn({ err }, 'looking for runs Redis lost failed');
    } finally {
      recovering = false;
    }
  };
  // Redis back after a disconnect: if it came back empty, the runs in flight lost their jobs.
  let wasDown = false;
  let recoverSoon: NodeJS.Timeout | undefined;
  const onDown = () => {
    if (!wasDown) ctx.logger.warn('Redis connection lost: waiting for it to come back');
    wasDown = true;
  };
  const onReady = () => {
    if (!wasDown) return;
    wasDown = false;
    ctx.logger.info('Redis connection back');
    clearTimeout(recoverSoon);
    recoverSoon = setTimeout(() => void recover(), 1_000);
    recoverSoon.unref();
  };
  connection.on('close', onDown);
  connection.on('ready', onReady);

  await reconcile();
  await recover();
  const timer = setInterval(reconcile, options.reconcileEveryMs ?? 60_000);
  timer.unref();
  const recoverTimer = setInterval(() => void recover(), recoverEveryMs);
  recoverTimer.unref();
  ctx.logger.info(
    { concurrency: options.concurrency, prefix, lakeId, ownPrefix: target.ownPrefix },
    'worker started',
  );

  return {
    target,
    async close(graceMs = 30_000) {
      clearInterval(timer);
      clearInterval(recoverTimer);
      clearTimeout(recoverSoon);
      connection.off('close', onDown);
      connection.off('ready', onReady);
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
