import { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { QUEUES } from '../../layers/index.js';
import type { ScheduleConfig } from '../project-config.js';
import type { TaskContext } from '../task-executor.js';
import { type QueueTarget, redisConnection } from './connection.js';
import type { RunJobData } from './messages.js';

/** How far back catch-up looks for missed ticks, and how many it queues at most per schedule. */
const CATCH_UP_WINDOW_MS = 7 * 86_400_000;
const CATCH_UP_MAX = 100;

type LakeQueue = Pick<QueueTarget, 'lakeId' | 'ownPrefix'>;

/**
 * The BullMQ job-scheduler id of a schedule: its name under the lake's own queue prefix; under a
 * QUEUE_PREFIX that lakes may share, the name plus the lake id's first 12 hex digits, so two lakes
 * with a schedule of the same name do not overwrite each other's scheduler.
 */
export function schedulerId(name: string, me: LakeQueue): string {
  return me.ownPrefix ? name : `${name}.${me.lakeId.replace(/-/g, '').slice(0, 12)}`;
}

/** The job a scheduler makes at each tick: its data names the lake, so only that lake's workers run it. */
function template(s: ScheduleConfig, lakeId: string) {
  return {
    name: 'scheduled-run',
    data: { trigger: 'schedule', schedule: s.name, params: { pipeline: s.pipeline }, lakeId } as RunJobData,
  };
}

/**
 * Register (or update) a BullMQ job scheduler per configured schedule. Idempotent: the id is the
 * name. Re-registering updates the template (schedulers registered before lake ids get `lakeId`).
 */
export async function registerSchedules(
  queue: Queue<RunJobData>,
  schedules: readonly ScheduleConfig[],
  me: LakeQueue,
): Promise<void> {
  for (const s of schedules)
    await queue.upsertJobScheduler(
      schedulerId(s.name, me),
      { pattern: s.cron, tz: s.tz },
      template(s, me.lakeId),
    );
}

export interface ScheduleInfo {
  name: string;
  cron: string;
  tz: string;
  next: string | null;
}

/** This lake's job schedulers (under a shared prefix, other lakes' are left out). */
export async function listSchedules(queue: Queue<RunJobData>, me: LakeQueue): Promise<ScheduleInfo[]> {
  const out: ScheduleInfo[] = [];
  for (const s of await queue.getJobSchedulers(0, -1, true)) {
    const data = s.template?.data as RunJobData | undefined;
    if (data?.lakeId !== undefined ? data.lakeId !== me.lakeId : !me.ownPrefix) continue;
    out.push({
      name: data?.schedule ?? s.key,
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
  me: LakeQueue,
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
        { ...template(s, me.lakeId).data, scheduledFor: tick },
        {
          jobId: `catchup.${schedulerId(s.name, me)}.${Date.parse(tick)}`,
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

/** A short-lived handle on a lake's runs queue for CLI commands. */
export function runsQueue(target: Pick<QueueTarget, 'redisUrl' | 'prefix'>): {
  queue: Queue<RunJobData>;
  close: () => Promise<void>;
} {
  const connection = redisConnection(target.redisUrl);
  const queue = new Queue<RunJobData>(QUEUES.runs, { connection, prefix: target.prefix });
  return {
    queue,
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}
