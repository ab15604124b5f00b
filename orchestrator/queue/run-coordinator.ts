import { type Job, type Queue, WaitingChildrenError } from 'bullmq';
import { emitLakeEvent, type TaskState, taskJobId } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import { buildDag } from '../dag.js';
import type { ProjectConfig } from '../project-config.js';
import { newRunId } from '../run-id.js';
import { nextTasks, type PlannedTask, planRun } from '../run-plan.js';
import { selectModels } from '../selectors.js';
import { openTaskSession, type TaskContext } from '../task-executor.js';
import { type QueueTarget, queueTimings } from './connection.js';
import { ownsJob, refuseJob } from './lake-guard.js';
import type { RunJobData, RunJobResult, TaskJobData } from './messages.js';
import { reconcileSchedules } from './schedules.js';

/** The tick a job-scheduler job stands for: BullMQ names them `repeat:<scheduler>:<millis>`. */
export function tickOf(job: Job<RunJobData>): string | undefined {
  if (job.data.scheduledFor) return job.data.scheduledFor;
  const m = /^repeat:.+:(\d+)$/.exec(job.id ?? '');
  return m?.[1] ? new Date(Number(m[1])).toISOString() : undefined;
}

function attemptsFor(project: ProjectConfig, task: PlannedTask): number {
  if (task.kind === 'ingest') return project.retries.ingest;
  if (task.kind === 'model') return project.retries.model;
  return project.retries.other;
}

/**
 * The coordinator of one run, as a BullMQ job that adds its tasks as child jobs and waits for
 * them (BullMQ's parent/child dependencies), one wave of ready tasks at a time. A child that fails
 * for good is recorded (ignoreDependencyOnFailure) and its dependents are skipped; the others run.
 * Progress lives in the job's data, so a coordinator taken over by another worker resumes; a run
 * whose job Redis lost is resumed from the run history by a new job (`resumeOf`, see recovery.ts).
 * A run of another lake is handed back untouched (lake-guard.ts).
 */
export function runCoordinator(
  ctx: TaskContext,
  tasks: Queue<TaskJobData>,
  runs: Queue<RunJobData>,
  me: QueueTarget,
) {
  return async (job: Job<RunJobData>, token?: string): Promise<RunJobResult> => {
    if (!ownsJob(job.data, me)) return refuseJob(job, token, me, ctx.logger);
    let data: RunJobData = { ...job.data, lakeId: me.lakeId };
    if (!data.step) {
      const scheduledFor = data.trigger === 'schedule' ? tickOf(job) : undefined;
      const runId =
        data.runId ??
        (scheduledFor && data.schedule
          ? `run_${data.schedule}_${scheduledFor.replace(/[-:.]/g, '')}`
          : newRunId());
      const inserted = await ctx.lake.runs.startRun({
        runId,
        trigger: data.trigger,
        command: `run --queue (${data.params.pipeline})`,
        status: 'running',
        schedule: data.schedule ?? null,
        scheduledFor: scheduledFor ?? null,
        // Where the coordinator job lives, so a run whose job Redis lost can be found and resumed.
        params: { ...data.params, coordinator: job.id, queue: me.prefix },
        startedAt: new Date().toISOString(),
      });
      if (inserted && scheduledFor && data.schedule) {
        // A tick ran: fill any hole before it at once (ticks the scheduler skipped while no worker ran).
        await reconcileSchedules(ctx, runs, me, new Date(scheduledFor), data.schedule).catch((err) =>
          ctx.logger.warn({ err }, 'catch-up after a scheduled run failed'),
        );
      }
      const existing = inserted ? undefined : await ctx.lake.runs.getRun(runId);
      const holder = existing?.run.params?.coordinator;
      const sameJob = holder === job.id || (data.resumeOf !== undefined && holder === data.resumeOf);
      if (!inserted && !sameJob) {
        // Another job already holds this schedule tick (or run id): never start it twice.
        ctx.logger.info({ runId, schedule: data.schedule, scheduledFor }, 'run already exists: skipped');
        return { runId, status: 'succeeded', duplicate: true };
      }
      const session = await openTaskSession(ctx);
      let plan: PlannedTask[];
      try {
        const dag = await buildDag(session, MODELS);
        const select = data.params.selectors?.length
          ? selectModels(dag, data.params.selectors)
          : data.params.backfill?.rebuild === false
            ? new Set<string>()
            : undefined;
        plan = planRun(dag, ctx.project, data.params.pipeline, select, data.params.backfill?.days);
      } finally {
        session.close();
      }
      // Resuming (this job retried before it saved its progress, or re-created after Redis lost it):
      // tasks the run history has settled stay settled; the others run (again: writes are atomic).
      const settled = new Map<string, TaskState>();
      for (const t of existing?.tasks ?? [])
        if (t.status === 'succeeded' || t.status === 'failed' || t.status === 'skipped')
          settled.set(t.task, t.status);
      const state: NonNullable<RunJobData['state']> = {};
      for (const t of plan) {
        const s = settled.get(t.id);
        if (s === 'succeeded' || s === 'failed' || s === 'skipped') state[t.id] = s;
        else await ctx.lake.runs.recordTask({ runId, task: t.id, status: 'pending', attempts: 0 });
      }
      if (settled.size) ctx.logger.info({ runId, settled: settled.size }, 'run resumed from its history');
      data = {
        ...data,
        runId,
        step: 'dispatch',
        plan,
        state,
        jobs: {},
        ...(scheduledFor ? { scheduledFor } : {}),
      };
      await job.updateData(data);
    }
    const runId = data.runId!;
    const plan = data.plan!;
    const state = { ...data.state! };
    const jobs = { ...data.jobs! };

    for (;;) {
      // Collect finished children.
      const values = await job.getChildrenValues();
      for (const key of Object.keys(values)) {
        const task = jobs[key.slice(key.lastIndexOf(':') + 1)];
        if (task) state[task] = 'succeeded';
      }
      const failures = await job.getIgnoredChildrenFailures();
      for (const key of Object.keys(failures)) {
        const task = jobs[key.slice(key.lastIndexOf(':') + 1)];
        if (task) state[task] = 'failed';
      }
      await skipUnreachable(ctx, runId, plan, state);
      const { ready } = nextTasks(plan, new Map(Object.entries(state)));
      const { backoffMs } = queueTimings();
      for (const t of ready) {
        const jobId = taskJobId(runId, t.id);
        jobs[jobId] = t.id;
        state[t.id] = 'dispatched';
        await tasks.add(
          t.kind,
          { runId, task: t, params: data.params, lakeId: me.lakeId },
          {
            jobId,
            parent: { id: job.id!, queue: job.queueQualifiedName },
            attempts: attemptsFor(ctx.project, t),
            backoff: { type: 'exponential', delay: backoffMs },
            ignoreDependencyOnFailure: true,
            removeOnComplete: { age: 86_400 },
            removeOnFail: { age: 7 * 86_400 },
          },
        );
      }
      if (!Object.values(state).includes('dispatched')) break;
      await job.updateData({ ...data, state, jobs });
      // Wait for this wave; if it already finished, go round again.
      if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
    }
    const failed = Object.values(state).some((s) => s === 'failed' || s === 'skipped');
    await ctx.lake.runs.finishRun(
      runId,
      failed ? 'failed' : 'succeeded',
      failed ? 'some tasks failed or were skipped' : null,
    );
    ctx.logger.info({ runId, status: failed ? 'failed' : 'succeeded' }, 'run finished');
    emitLakeEvent({
      type: 'run',
      status: failed ? 'failed' : 'succeeded',
      seconds: (Date.now() - job.timestamp) / 1000,
    });
    return { runId, status: failed ? 'failed' : 'succeeded' };
  };
}

/** Mark tasks whose upstream failed or was skipped as skipped, until nothing changes. */
async function skipUnreachable(
  ctx: TaskContext,
  runId: string,
  plan: readonly PlannedTask[],
  state: Record<string, 'dispatched' | 'succeeded' | 'failed' | 'skipped'>,
): Promise<void> {
  for (;;) {
    const { skipped } = nextTasks(plan, new Map(Object.entries(state)));
    if (skipped.length === 0) return;
    for (const t of skipped) {
      state[t.id] = 'skipped';
      const blocker = t.dependsOn.find((d) => state[d] === 'failed' || state[d] === 'skipped');
      await ctx.lake.runs.recordTask({
        runId,
        task: t.id,
        status: 'skipped',
        attempts: 0,
        error: `upstream ${blocker} did not succeed`,
      });
    }
  }
}
