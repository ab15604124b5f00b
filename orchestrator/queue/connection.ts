import { Redis } from 'ioredis';
import { type Config, DEFAULT_QUEUE_PREFIX, type Lake } from '../../layers/index.js';

/**
 * A Redis connection for BullMQ (workers need `maxRetriesPerRequest: null`). While Redis is down,
 * commands wait in ioredis' offline queue and the connection retries forever (at most every 2 s).
 */
export function redisConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
}

/** Where a lake's queues live, and the identity its jobs carry. */
export interface QueueTarget {
  redisUrl: string;
  /** BullMQ key prefix: QUEUE_PREFIX, or the lake's own default (`lakeQueuePrefix`). */
  prefix: string;
  /** The lake's id (from its catalog): stamped on every run and task job. */
  lakeId: string;
  /** True when `prefix` is the lake's own default, which only this lake's workers listen on. */
  ownPrefix: boolean;
}

/** The default BullMQ prefix of a lake: `marketlake-<first 12 hex digits of its id>`. */
export function lakeQueuePrefix(lakeId: string): string {
  return `${DEFAULT_QUEUE_PREFIX}-${lakeId.replace(/-/g, '').slice(0, 12).toLowerCase()}`;
}

/** Resolve the queues of `lake`: every command that talks to BullMQ goes through here. */
export async function resolveQueueTarget(
  config: Pick<Config, 'redisUrl' | 'queuePrefix'>,
  lake: Pick<Lake, 'catalog'>,
): Promise<QueueTarget> {
  const lakeId = await lake.catalog.lakeId();
  const own = lakeQueuePrefix(lakeId);
  const prefix = config.queuePrefix ?? own;
  return { redisUrl: config.redisUrl, prefix, lakeId, ownPrefix: prefix === own };
}

/** Timing knobs (milliseconds), overridable for tests. */
export function queueTimings() {
  const n = (name: string, fallback: number, min = 1) => {
    const v = Number(process.env[name]);
    return process.env[name] !== undefined && process.env[name] !== '' && Number.isFinite(v) && v >= min
      ? v
      : fallback;
  };
  return {
    /** How long a worker's lock on a job lasts without renewal (stalled-job detection). */
    lockMs: n('MARKETLAKE_WORKER_LOCK_MS', 30_000),
    stalledIntervalMs: n('MARKETLAKE_STALLED_INTERVAL_MS', 30_000),
    /** The per-target task lock's expiry (renewed while the task runs). */
    taskLockMs: n('MARKETLAKE_TASK_LOCK_MS', 60_000),
    backoffMs: n('MARKETLAKE_RETRY_BACKOFF_MS', 2_000),
    /** A job of another lake goes back to the queue after this delay, doubling per refusal up to the cap. */
    foreignRetryMs: n('MARKETLAKE_FOREIGN_RETRY_MS', 500),
    foreignRetryMaxMs: n('MARKETLAKE_FOREIGN_RETRY_MAX_MS', 30_000),
    /** A job of another lake fails once refused this many times and for this long (no worker of its lake). */
    foreignMaxRefusals: n('MARKETLAKE_FOREIGN_MAX_REFUSALS', 50),
    foreignMaxMs: n('MARKETLAKE_FOREIGN_MAX_MS', 15 * 60_000, 0),
    /** How often a worker looks for runs whose queue job Redis lost (restart without persistence). */
    recoverEveryMs: n('MARKETLAKE_RECOVER_EVERY_MS', 30_000),
  };
}
