import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Lake, type LakeSession, type Logger, MarketlakeError, UsageError } from '../layers/index.js';
import { planBackfill, runBackfill, vendorSettingsFromEnv } from '../pipelines/index.js';
import type { PlannedTask, RunParams } from './run-plan.js';

/** What a backfill task needs of the task context; `open` gives a session that may read `inputs`. */
export interface BackfillTaskContext {
  lake: Lake;
  logger: Logger;
  open: (inputs: string[]) => Promise<LakeSession>;
}

/**
 * One day of a queued backfill (`backfill --queue`): plan that day (work the ledger holds is
 * skipped, so a retried task redoes only what did not finish), fetch and ingest it. A day with
 * failures fails the task with a transient error, so BullMQ retries it with backoff.
 */
export async function runBackfillTask(
  ctx: BackfillTaskContext,
  task: PlannedTask,
  params: RunParams,
): Promise<{ rows: number; detail: Record<string, unknown> }> {
  const job = params.backfill;
  const day = task.target?.replace(/^backfill:/, '');
  if (!job || !day) throw new UsageError(`${task.id}: a backfill task needs its run's backfill parameters`);
  const plan = await planBackfill(ctx.lake, { ...job.request, from: day, to: day });
  const spool = await mkdtemp(join(tmpdir(), 'marketlake-backfill-'));
  const inputs = [
    spool,
    ...new Set(plan.items.flatMap((i) => i.files ?? []).map((f) => dirname(resolve(f)))),
  ];
  const session = await ctx.open(inputs);
  try {
    const summary = await runBackfill(session, plan, {
      settings: vendorSettingsFromEnv(),
      logger: ctx.logger,
      spoolDir: spool,
      ...(job.concurrency ? { concurrency: job.concurrency } : {}),
    });
    if (summary.failed.length)
      throw new MarketlakeError(
        'BACKFILL',
        `${day}: ${summary.failed.length} failed: ${summary.failed.map((f) => `${f.symbol ?? f.key}: ${f.error}`).join('; ')}`,
        { permanent: false },
      );
    return {
      rows: summary.accepted,
      detail: {
        done: summary.done,
        skipped: summary.skipped,
        missing: summary.missing,
        quarantined: summary.quarantined,
        requests: summary.requests,
        changedDays: summary.changedDays,
      },
    };
  } finally {
    session.close();
    await rm(spool, { recursive: true, force: true });
  }
}
