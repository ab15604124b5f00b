import { hostname } from 'node:os';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { isTransient, taskLockKey } from '../../layers/index.js';
import { executeTask, type TaskContext, type TaskOutcome } from '../task-executor.js';
import { type QueueTarget, queueTimings } from './connection.js';
import { ownsJob, refuseJob } from './lake-guard.js';
import type { TaskJobData } from './messages.js';

const WORKER = `${hostname()}:${process.pid}`;

/**
 * Process one task job: record the attempt, take the target's lock (one model or source at a time
 * across all runs and workers), do the work, record the outcome. Permanent errors (contract, SQL,
 * configuration) become UnrecoverableError so BullMQ does not retry them; transient ones are retried
 * with exponential backoff. A task of another lake is handed back untouched (lake-guard.ts).
 */
export function taskProcessor(ctx: TaskContext, redis: Redis, me: QueueTarget) {
  return async (job: Job<TaskJobData>, token?: string): Promise<TaskOutcome> => {
    if (!ownsJob(job.data, me)) return refuseJob(job, token, me, ctx.logger);
    const { runId, task, params } = job.data;
    // Refusals by workers of other lakes started the job without attempting it.
    const attempt = Math.max(1, job.attemptsStarted - (job.data.refusals?.count ?? 0));
    const log = ctx.logger.child({ runId, task: task.id, attempt });
    const timings = queueTimings();
    const release = await acquireTarget(redis, me, task.target ?? task.id, timings.taskLockMs);
    if (!release) {
      log.info('target busy in another run: retrying shortly');
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
    const startedAt = new Date().toISOString();
    await ctx.lake.runs.recordTask({
      runId,
      task: task.id,
      status: 'running',
      attempts: attempt,
      startedAt,
      worker: WORKER,
    });
    try {
      log.info('task started');
      const outcome = await executeTask(ctx, task, params, runId, attempt);
      await ctx.lake.runs.recordTask({
        runId,
        task: task.id,
        status: 'succeeded',
        attempts: attempt,
        endedAt: new Date().toISOString(),
        rowsOut: outcome.rows ?? null,
        partitions: outcome.partitions ?? null,
        worker: WORKER,
        detail: outcome.detail ?? null,
      });
      log.info({ rows: outcome.rows }, 'task succeeded');
      return outcome;
    } catch (err) {
      const permanent = !isTransient(err);
      const message = err instanceof Error ? err.message : String(err);
      const maxAttempts = job.opts.attempts ?? 1;
      const final = permanent || job.attemptsMade + 1 >= maxAttempts;
      await ctx.lake.runs.recordTask({
        runId,
        task: task.id,
        status: final ? 'failed' : 'running',
        attempts: attempt,
        endedAt: final ? new Date().toISOString() : null,
        worker: WORKER,
        error: message,
      });
      log.warn({ err, permanent, final }, 'task failed');
      if (permanent) throw new UnrecoverableError(message);
      throw err;
    } finally {
      await release();
    }
  };
}

/** The lock of one target of one lake (lakes sharing a QUEUE_PREFIX do not block each other). */
async function acquireTarget(redis: Redis, me: QueueTarget, target: string, ttlMs: number) {
  const { acquireLock } = await import('./task-lock.js');
  return acquireLock(redis, taskLockKey(`${me.prefix}:${me.lakeId}`, target), ttlMs);
}
