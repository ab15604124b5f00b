import { type Kysely, sql } from 'kysely';
import type { CatalogDatabase } from './catalog-schema.js';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
export type RunTrigger = 'manual' | 'demo' | 'schedule' | 'backfill';

export interface RunRow {
  runId: string;
  trigger: RunTrigger;
  command: string;
  status: RunStatus;
  /** The schedule that started it and the tick it stands for (one run per tick). */
  schedule?: string | null;
  scheduledFor?: string | null;
  params?: Record<string, unknown> | null;
  startedAt: string;
  endedAt?: string | null;
  error?: string | null;
}

export interface TaskRow {
  runId: string;
  task: string;
  status: TaskState;
  attempts: number;
  startedAt?: string | null;
  endedAt?: string | null;
  rowsOut?: number | null;
  partitions?: number | null;
  worker?: string | null;
  error?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Run history: every run and task, kept in the catalog database (SQLite or the shared PostgreSQL). */
export interface RunLog {
  /** Record a new run; false when a run for the same schedule tick exists already. */
  startRun(run: RunRow): Promise<boolean>;
  finishRun(runId: string, status: RunStatus, error?: string | null): Promise<void>;
  /** Insert or update a task's row (attempts only ever grow). */
  recordTask(task: TaskRow): Promise<void>;
  listRuns(limit?: number): Promise<RunRow[]>;
  getRun(runId: string): Promise<{ run: RunRow; tasks: TaskRow[] } | undefined>;
  /** Ticks of a schedule that already have a run. */
  scheduledTicks(schedule: string, since: string): Promise<Set<string>>;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export class SqlRunLog implements RunLog {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async startRun(run: RunRow): Promise<boolean> {
    const res = await this.db
      .insertInto('ml_runs')
      .values({
        run_id: run.runId,
        trigger: run.trigger,
        command: run.command,
        status: run.status,
        schedule: run.schedule ?? null,
        scheduled_for: run.scheduledFor ?? null,
        params: json(run.params),
        started_at: run.startedAt,
        ended_at: run.endedAt ?? null,
        error: run.error ?? null,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async finishRun(runId: string, status: RunStatus, error?: string | null): Promise<void> {
    await this.db
      .updateTable('ml_runs')
      .set({ status, ended_at: new Date().toISOString(), error: error ?? null })
      .where('run_id', '=', runId)
      .execute();
  }

  async recordTask(t: TaskRow): Promise<void> {
    const values = {
      run_id: t.runId,
      task: t.task,
      status: t.status,
      attempts: t.attempts,
      started_at: t.startedAt ?? null,
      ended_at: t.endedAt ?? null,
      rows_out: t.rowsOut ?? null,
      partitions: t.partitions ?? null,
      worker: t.worker ?? null,
      error: t.error ?? null,
      detail: json(t.detail),
    };
    await this.db
      .insertInto('ml_tasks')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['run_id', 'task']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          // Portable greatest(): SQLite has no greatest(), PostgreSQL's max() is an aggregate only.
          attempts: sql<number>`case when excluded.attempts > ml_tasks.attempts then excluded.attempts else ml_tasks.attempts end`,
          started_at: eb.fn.coalesce(eb.ref('excluded.started_at'), eb.ref('ml_tasks.started_at')),
          ended_at: eb.ref('excluded.ended_at'),
          rows_out: eb.ref('excluded.rows_out'),
          partitions: eb.ref('excluded.partitions'),
          worker: eb.fn.coalesce(eb.ref('excluded.worker'), eb.ref('ml_tasks.worker')),
          error: eb.ref('excluded.error'),
          detail: eb.fn.coalesce(eb.ref('excluded.detail'), eb.ref('ml_tasks.detail')),
        })),
      )
      .execute();
  }

  async listRuns(limit = 50): Promise<RunRow[]> {
    const rows = await this.db
      .selectFrom('ml_runs')
      .selectAll()
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  async getRun(runId: string) {
    const run = await this.db
      .selectFrom('ml_runs')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (!run) return undefined;
    const tasks = await this.db
      .selectFrom('ml_tasks')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('started_at')
      .execute();
    return {
      run: toRun(run),
      tasks: tasks.map((t) => ({
        runId: t.run_id,
        task: t.task,
        status: t.status as TaskState,
        attempts: t.attempts,
        startedAt: t.started_at,
        endedAt: t.ended_at,
        rowsOut: t.rows_out === null ? null : Number(t.rows_out),
        partitions: t.partitions,
        worker: t.worker,
        error: t.error,
        detail: t.detail ? (JSON.parse(t.detail) as Record<string, unknown>) : null,
      })),
    };
  }

  async scheduledTicks(schedule: string, since: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('ml_runs')
      .select('scheduled_for')
      .where('schedule', '=', schedule)
      .where('scheduled_for', '>=', since)
      .execute();
    return new Set(rows.map((r) => r.scheduled_for).filter((s): s is string => s !== null));
  }
}

function toRun(r: CatalogDatabase['ml_runs']): RunRow {
  return {
    runId: r.run_id,
    trigger: r.trigger as RunTrigger,
    command: r.command,
    status: r.status as RunStatus,
    schedule: r.schedule,
    scheduledFor: r.scheduled_for,
    params: r.params ? (JSON.parse(r.params) as Record<string, unknown>) : null,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
  };
}
