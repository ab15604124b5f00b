import type { TaskState } from '../layers/index.js';
import { nextTasks, type PlannedTask, type RunParams } from './run-plan.js';
import { executeTask, type TaskContext } from './task-executor.js';

export interface InProcessTaskResult {
  task: string;
  status: Exclude<TaskState, 'pending' | 'running'>;
  rows?: number;
  partitions?: number;
  ms: number;
  error?: string;
  detail?: Record<string, unknown>;
}

/**
 * Run a plan in this process: independent tasks run concurrently (each in its own DuckDB session,
 * pinned to the snapshots committed when it starts) up to `concurrency`; a failed task's dependents
 * are skipped and everything else still runs. Every task is recorded in the run history.
 */
export async function runPlanInProcess(
  ctx: TaskContext,
  plan: readonly PlannedTask[],
  params: RunParams,
  runId: string,
  concurrency = 2,
): Promise<InProcessTaskResult[]> {
  const state = new Map<string, 'dispatched' | 'succeeded' | 'failed' | 'skipped'>();
  const results = new Map<string, InProcessTaskResult>();
  const running = new Map<string, Promise<void>>();
  const log = ctx.logger.child({ runId });

  const start = (task: PlannedTask) => {
    state.set(task.id, 'dispatched');
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const work = (async () => {
      await ctx.lake.runs.recordTask({ runId, task: task.id, status: 'running', attempts: 1, startedAt });
      try {
        const outcome = await executeTask(ctx, task, params, runId);
        const ms = Math.round(performance.now() - started);
        state.set(task.id, 'succeeded');
        results.set(task.id, { task: task.id, status: 'succeeded', ms, ...outcome });
        await ctx.lake.runs.recordTask({
          runId,
          task: task.id,
          status: 'succeeded',
          attempts: 1,
          endedAt: new Date().toISOString(),
          rowsOut: outcome.rows ?? null,
          partitions: outcome.partitions ?? null,
          detail: outcome.detail ?? null,
        });
        log.info({ task: task.id, rows: outcome.rows, ms }, 'task succeeded');
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        state.set(task.id, 'failed');
        results.set(task.id, {
          task: task.id,
          status: 'failed',
          ms: Math.round(performance.now() - started),
          error,
        });
        await ctx.lake.runs.recordTask({
          runId,
          task: task.id,
          status: 'failed',
          attempts: 1,
          endedAt: new Date().toISOString(),
          error,
        });
        log.error({ task: task.id, err }, 'task failed');
      } finally {
        running.delete(task.id);
      }
    })();
    running.set(task.id, work);
  };

  for (;;) {
    for (;;) {
      const { skipped } = nextTasks(plan, state);
      if (skipped.length === 0) break;
      for (const t of skipped) {
        const blocker = t.dependsOn.find((d) => state.get(d) === 'failed' || state.get(d) === 'skipped');
        state.set(t.id, 'skipped');
        const error = `upstream ${blocker} did not succeed`;
        results.set(t.id, { task: t.id, status: 'skipped', ms: 0, error });
        await ctx.lake.runs.recordTask({ runId, task: t.id, status: 'skipped', attempts: 0, error });
      }
    }
    const { ready } = nextTasks(plan, state);
    for (const t of ready) {
      if (running.size >= Math.max(1, concurrency)) break;
      start(t);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return plan.map((t) => results.get(t.id)!).filter(Boolean);
}
