import type { Queue } from 'bullmq';
import { metrics } from './metrics.js';

/** BullMQ job states reported as `marketlake_queue_jobs{state=...}`. */
export const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;

/** The oldest job of a list/zset state, oldest first (BullMQ returns `asc` = oldest first). */
async function oldestTimestamp(queue: Queue): Promise<number | undefined> {
  const jobs = await queue.getJobs(['wait', 'prioritized'], 0, 0, true);
  const times = jobs.filter((j) => j).map((j) => j.timestamp);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * Refresh the queue gauges from Redis: job counts per state and the age of the oldest waiting job.
 * Called before each scrape; on a Redis error the gauges are cleared (no stale depth is reported)
 * and the error is thrown for the caller to log.
 */
export async function refreshQueueMetrics(
  queues: Record<string, Queue>,
  options: { now?: number; timeoutMs?: number } = {},
): Promise<void> {
  const now = options.now ?? Date.now();
  const timeoutMs = options.timeoutMs ?? 1_500;
  let timer: NodeJS.Timeout | undefined;
  try {
    // While Redis is away BullMQ's commands wait for it: a scrape gives up instead.
    const read = Promise.all(
      Object.entries(queues).map(async ([name, queue]) => ({
        name,
        counts: await queue.getJobCounts(...QUEUE_STATES),
        oldest: await oldestTimestamp(queue),
      })),
    );
    read.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue depth not read within ${timeoutMs} ms`)), timeoutMs);
    });
    for (const { name, counts, oldest } of await Promise.race([read, timeout])) {
      for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
      metrics.queueOldestWaiting.set(
        { queue: name },
        oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
      );
    }
  } catch (err) {
    metrics.queueJobs.reset();
    metrics.queueOldestWaiting.reset();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
