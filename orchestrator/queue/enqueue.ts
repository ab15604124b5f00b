import type { Logger, RunLog, TaskRow } from '../../layers/index.js';
import { newRunId } from '../run-id.js';
import type { RunParams } from '../run-plan.js';
import { runsQueue } from './schedules.js';

/** Queue a manual or backfill run; returns its run id at once. */
export async function enqueueRun(
  redisUrl: string,
  params: RunParams,
  trigger: 'manual' | 'backfill' = 'manual',
): Promise<string> {
  const runId = newRunId();
  const { queue, close } = runsQueue(redisUrl);
  try {
    await queue.add('run', { runId, trigger, params }, { jobId: runId, removeOnComplete: { age: 86_400 } });
  } finally {
    await close();
  }
  return runId;
}

/**
 * Wait for a queued run to end, logging each task's state change; resolves with the run's final
 * status and tasks. Warns while no worker has picked the run up.
 */
export async function waitForRun(
  runs: RunLog,
  runId: string,
  logger: Logger,
  options: { pollMs?: number; timeoutMs?: number } = {},
): Promise<{ status: 'succeeded' | 'failed' | 'timeout'; tasks: TaskRow[] }> {
  const started = Date.now();
  const seen = new Map<string, string>();
  let warned = false;
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
      logger.warn({ runId }, 'no worker has picked the run up yet: start one with `marketlake worker`');
      warned = true;
    }
    if (options.timeoutMs && Date.now() - started > options.timeoutMs)
      return { status: 'timeout', tasks: got?.tasks ?? [] };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}
