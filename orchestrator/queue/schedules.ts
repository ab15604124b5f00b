import { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { QUEUES } from '../../layers/index.js';
import type { ScheduleConfig } from '../project-config.js';
import type { TaskContext } from '../task-executor.js';
import { queuePrefix, redisConnection } from './connection.js';
import type { RunJobData } from './messages.js';

/** How far back catch-up looks for missed ticks, and how many it queues at most per schedule. */
const CATCH_UP_WINDOW_MS = 7 * 86_400_000;
const CATCH_UP_MAX = 100;

function template(s: ScheduleConfig) {
  return {
    name: 'scheduled-run',
    data: { trigger: 'schedule', schedule: s.name, params: { pipeline: s.pipeline } } as RunJobData,
  };
}

/** Register (or update) a BullMQ job scheduler per configured schedule. Idempotent: the id is the name. */
export async function registerSchedules(
  queue: Queue<RunJobData>,
  schedules: readonly ScheduleConfig[],
): Promise<void> {
  for (const s of schedules)
    await queue.upsertJobScheduler(s.name, { pattern: s.cron, tz: s.tz }, template(s));
}

export interface ScheduleInfo {
  name: string;
  cron: string;
  tz: string;
  next: string | null;
}

export async function listSchedules(queue: Queue<RunJobData>): Promise<ScheduleInfo[]> {
  const out: ScheduleInfo[] = [];
  for (const s of await queue.getJobSchedulers(0, -1, true)) {
    out.push({
      name: s.key,
      cron: s.pattern ?? String(s.every ?? ''),
      tz: s.tz ?? 'UTC',
      next: s.next ? new Date(s.next).toISOString() : null,
    });
  }
  return out;
}

/** Ticks of `cron` strictly after `from` and not after `to`. */
export function ticksBetween(cron: string, tz: string, from: Date, to: Date, limit = 100_000): string[] {
  const it = CronExpressionParser.parse(cron, { currentDate: from, endDate: to, tz });
  const out: string[] = [];
  while (it.hasNext() && out.length < limit) out.push(it.next().toDate().toISOString());
  return out;
}

/**
 * Catch-up: for each schedule with catch-up on, queue one run for every tick that has no run yet,
 * from the schedule's first recorded tick in the last week up to `now` (at most 100 per call).
 * A schedule that never ran has missed nothing. Jobs get a deterministic id and the run history
 * refuses a second run for a tick, so reconcilers on several workers (and the job scheduler itself)
 * never run a tick twice.
 */
export async function reconcileSchedules(
  ctx: TaskContext,
  queue: Queue<RunJobData>,
  now = new Date(),
  only?: string,
): Promise<string[]> {
  const queued: string[] = [];
  for (const s of ctx.project.schedules) {
    if (!s.catchUp || (only && s.name !== only)) continue;
    const since = new Date(now.getTime() - CATCH_UP_WINDOW_MS).toISOString();
    const done = await ctx.lake.runs.scheduledTicks(s.name, since);
    if (done.size === 0) continue;
    const first = [...done].sort()[0]!;
    for (const tick of ticksBetween(s.cron, s.tz, new Date(first), now)) {
      if (done.has(tick) || Date.parse(tick) >= now.getTime()) continue;
      await queue.add(
        'catch-up-run',
        { ...template(s).data, scheduledFor: tick },
        {
          jobId: `catchup.${s.name}.${Date.parse(tick)}`,
          removeOnComplete: { age: 86_400 },
          removeOnFail: { age: 86_400 },
        },
      );
      queued.push(`${s.name}@${tick}`);
      if (queued.length >= CATCH_UP_MAX) return queued;
    }
  }
  return queued;
}

/** A short-lived queue handle for CLI commands. */
export function runsQueue(redisUrl: string): { queue: Queue<RunJobData>; close: () => Promise<void> } {
  const connection = redisConnection(redisUrl);
  const queue = new Queue<RunJobData>(QUEUES.runs, { connection, prefix: queuePrefix() });
  return {
    queue,
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}
