import type { RunTrigger } from '../../layers/index.js';
import type { PlannedTask, RunParams } from '../run-plan.js';

/** Bookkeeping of a job refused by workers of other lakes (see lake-guard.ts). */
export interface Refusals {
  /** How many times workers of other lakes handed the job back. */
  count: number;
  /** When the first refusal happened (epoch ms). */
  since: number;
}

/** Data of a run-coordinator job (queue `runs`). Scheduler-made jobs carry only schedule + params (+ lakeId). */
export interface RunJobData {
  runId?: string;
  trigger: RunTrigger;
  params: RunParams;
  /**
   * The lake the run belongs to: only that lake's workers run it. Absent on jobs of older versions
   * and of job schedulers registered before lake ids existed (see lake-guard.ts for those).
   */
  lakeId?: string;
  schedule?: string;
  scheduledFor?: string;
  /**
   * Set on a job re-created for a run whose coordinator job Redis lost: the id of that lost job
   * (the run history's `coordinator`), so the new job may resume the run.
   */
  resumeOf?: string;
  refusals?: Refusals;
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
  /** The lake the task builds: only that lake's workers run it. */
  lakeId?: string;
  refusals?: Refusals;
}

/** What a run coordinator returns when the run ends. */
export interface RunJobResult {
  runId: string;
  status: 'succeeded' | 'failed';
  duplicate?: boolean;
}
