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
export async function refreshQueueMetrics(queues: Record<string, Queue>, now = Date.now()): Promise<void> {
  try {
    for (const [name, queue] of Object.entries(queues)) {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
      const oldest = await oldestTimestamp(queue);
      metrics.queueOldestWaiting.set(
        { queue: name },
        oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
      );
    }
  } catch (err) {
    metrics.queueJobs.reset();
    metrics.queueOldestWaiting.reset();
    throw err;
  }
}
