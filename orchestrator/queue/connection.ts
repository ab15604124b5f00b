import { Redis } from 'ioredis';
import { DEFAULT_QUEUE_PREFIX } from '../../layers/index.js';

/** A Redis connection for BullMQ (workers need `maxRetriesPerRequest: null`). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** BullMQ key prefix: QUEUE_PREFIX lets deployments (and tests) share one Redis. */
export function queuePrefix(): string {
  const p = process.env.QUEUE_PREFIX;
  return p && /^[A-Za-z0-9_-]{1,64}$/.test(p) ? p : DEFAULT_QUEUE_PREFIX;
}

/** Timing knobs (milliseconds), overridable for tests. */
export function queueTimings() {
  const n = (name: string, fallback: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    /** How long a worker's lock on a job lasts without renewal (stalled-job detection). */
    lockMs: n('MARKETLAKE_WORKER_LOCK_MS', 30_000),
    stalledIntervalMs: n('MARKETLAKE_STALLED_INTERVAL_MS', 30_000),
    /** The per-target task lock's expiry (renewed while the task runs). */
    taskLockMs: n('MARKETLAKE_TASK_LOCK_MS', 60_000),
    backoffMs: n('MARKETLAKE_RETRY_BACKOFF_MS', 2_000),
  };
}
