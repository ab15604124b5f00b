import type { Logger, RunLog, TaskRow } from '../../layers/index.js';
import { newRunId } from '../run-id.js';
import type { RunParams } from '../run-plan.js';
import type { QueueTarget } from './connection.js';
import type { RunJobData } from './messages.js';
import { runsQueue } from './schedules.js';

function runJob(runId: string, params: RunParams, trigger: 'manual' | 'backfill', lakeId: string) {
  return {
    data: { runId, trigger, params, lakeId } satisfies RunJobData,
    opts: { jobId: runId, removeOnComplete: { age: 86_400 } },
  };
}

/**
 * Queue a manual or backfill run on a lake's queues (see resolveQueueTarget); returns its run id at
 * once. The job names the lake, so only that lake's workers run it.
 */
export async function enqueueRun(
  target: QueueTarget,
  params: RunParams,
  trigger: 'manual' | 'backfill' = 'manual',
): Promise<string> {
  const runId = newRunId();
  const { queue, close } = runsQueue(target);
  try {
    const { data, opts } = runJob(runId, params, trigger, target.lakeId);
    await queue.add('run', data, opts);
  } finally {
    await close();
  }
  return runId;
}

/**
 * For a run no worker has started yet: queue its job again if Redis lost it (restarted without its
 * data). A job a worker started has a row in the run history and is the workers' to resume.
 */
export async function requeueIfLost(
  target: QueueTarget,
  runId: string,
  params: RunParams,
  trigger: 'manual' | 'backfill' = 'manual',
): Promise<boolean> {
  const { queue, close } = runsQueue(target);
  try {
    if (await queue.getJob(runId)) return false;
    const { data, opts } = runJob(runId, params, trigger, target.lakeId);
    await queue.add('run', data, opts);
    return true;
  } finally {
    await close();
  }
}

/**
 * Wait for a queued run to end, logging each task's state change; resolves with the run's final
 * status and tasks. Warns while no worker has picked the run up.
 */
export async function waitForRun(
  runs: RunLog,
  runId: string,
  logger: Logger,
  options: {
    pollMs?: number;
    timeoutMs?: number;
    /** Where the workers of the run's lake listen (named in the warning). */
    prefix?: string;
    /** Called every ~10 s while no worker has started the run (see requeueIfLost). */
    whileUnstarted?: () => Promise<void>;
  } = {},
): Promise<{ status: 'succeeded' | 'failed' | 'timeout'; tasks: TaskRow[] }> {
  const started = Date.now();
  const seen = new Map<string, string>();
  let warned = false;
  let checked = Date.now();
  for (;;) {
    const got = await runs.getRun(runId);
    for (const t of got?.tasks ?? []) {
      const key = `${t.status}/${t.attempts}`;
      if (seen.get(t.task) !== key) {
        seen.set(t.task, key);
        if (t.status !== 'pending')
          logger.info({ runId, task: t.task, status: t.status, attempts: t.attempts }, 'task progress');
      }
    }
    if (got && (got.run.status === 'succeeded' || got.run.status === 'failed')) {
      return { status: got.run.status, tasks: got.tasks };
    }
    if (!got && !warned && Date.now() - started > 10_000) {
      logger.warn(
        { runId, ...(options.prefix ? { queuePrefix: options.prefix } : {}) },
        'no worker has picked the run up yet: start one with `marketlake worker` on this lake',
      );
      warned = true;
    }
    if (!got && options.whileUnstarted && Date.now() - checked > 10_000) {
      checked = Date.now();
      await options.whileUnstarted().catch((err) => logger.warn({ err }, 'checking the queued run failed'));
    }
    if (options.timeoutMs && Date.now() - started > options.timeoutMs)
      return { status: 'timeout', tasks: got?.tasks ?? [] };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}
