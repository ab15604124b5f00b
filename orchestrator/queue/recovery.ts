import type { Queue } from 'bullmq';
import type { Logger, RunLog } from '../../layers/index.js';
import type { RunParams } from '../run-plan.js';
import type { QueueTarget } from './connection.js';
import type { RunJobData } from './messages.js';

/** Runs older than this are history, not something to resume. */
const RESUME_WINDOW_MS = 7 * 86_400_000;

/** Job id of the job that resumes a run whose coordinator job Redis lost. */
export function resumeJobId(runId: string): string {
  return `resume.${runId}`;
}

/**
 * Find this lake's runs that are still running in the run history but whose coordinator job no
 * longer exists in Redis (Redis restarted without persistence, or its data was flushed), and queue
 * a job that resumes each: the coordinator re-plans, keeps the tasks the history settled and runs
 * the rest. Any number of workers may do this at once: the resume job's id is fixed per run, so
 * BullMQ keeps one. Returns the run ids resumed.
 */
export async function resumeLostRuns(
  runs: RunLog,
  queue: Queue<RunJobData>,
  me: QueueTarget,
  logger: Logger,
  now = Date.now(),
): Promise<string[]> {
  const resumed: string[] = [];
  for (const run of await runs.listRuns(200)) {
    if (run.status !== 'running' && run.status !== 'queued') continue;
    const { coordinator, queue: prefix, ...params } = run.params ?? {};
    // Only runs queued on these queues (in-process runs have no coordinator job).
    if (typeof coordinator !== 'string' || prefix !== me.prefix) continue;
    if (now - Date.parse(run.startedAt) > RESUME_WINDOW_MS) continue;
    const jobId = resumeJobId(run.runId);
    if ((await queue.getJob(coordinator)) || (await queue.getJob(jobId))) continue;
    await queue.add(
      'resume-run',
      {
        runId: run.runId,
        trigger: run.trigger,
        params: params as unknown as RunParams,
        lakeId: me.lakeId,
        resumeOf: coordinator,
        ...(run.schedule ? { schedule: run.schedule } : {}),
        ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
      },
      { jobId, removeOnComplete: { age: 86_400 } },
    );
    logger.warn(
      { runId: run.runId, lostJob: coordinator, jobId },
      'run lost its queue job (Redis restarted without its data?): resumed from the run history',
    );
    resumed.push(run.runId);
  }
  return resumed;
}
