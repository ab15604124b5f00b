import type { Lake, RunTrigger } from '../layers/index.js';
import type { TaskResult } from './model-runner.js';

export type { RunTrigger } from '../layers/index.js';

/** An in-process run as the runners report it; stored in the catalog's run history. */
export interface RunRecord {
  runId: string;
  trigger: RunTrigger;
  command: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  endedAt?: string;
  tasks: TaskResult[];
  error?: string;
}

/** Record (or update) an in-process run and its tasks in the run history. */
export async function saveRun(lake: Lake, run: RunRecord): Promise<void> {
  await lake.runs.startRun({
    runId: run.runId,
    trigger: run.trigger,
    command: run.command,
    status: run.status,
    startedAt: run.startedAt,
  });
  for (const t of run.tasks) {
    await lake.runs.recordTask({
      runId: run.runId,
      task: t.task,
      status: t.status,
      attempts: t.status === 'skipped' ? 0 : 1,
      endedAt: run.endedAt ?? null,
      rowsOut: t.rows ?? null,
      partitions: t.partitions ?? null,
      error: t.error ?? null,
      detail: {
        ms: t.ms,
        ...(t.action ? { action: t.action } : {}),
        ...(t.reason ? { reason: t.reason } : {}),
      },
    });
  }
  if (run.status !== 'running') await lake.runs.finishRun(run.runId, run.status, run.error ?? null);
}
