import type { RunTrigger } from '../../layers/index.js';
import type { PlannedTask, RunParams } from '../run-plan.js';

/** Data of a run-coordinator job (queue `runs`). Scheduler-made jobs carry only schedule + params. */
export interface RunJobData {
  runId?: string;
  trigger: RunTrigger;
  params: RunParams;
  schedule?: string;
  scheduledFor?: string;
  /** Persisted progress, so a coordinator picked up by another worker resumes where it was. */
  step?: 'dispatch';
  plan?: PlannedTask[];
  state?: Record<string, 'dispatched' | 'succeeded' | 'failed' | 'skipped'>;
  /** Task job id → task id. */
  jobs?: Record<string, string>;
}

/** Data of a task job (queue `tasks`). */
export interface TaskJobData {
  runId: string;
  task: PlannedTask;
  params: RunParams;
}

/** What a run coordinator returns when the run ends. */
export interface RunJobResult {
  runId: string;
  status: 'succeeded' | 'failed';
  duplicate?: boolean;
}
