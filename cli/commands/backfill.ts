import { LakeSession, UsageError } from '../../layers/index.js';
import { failedTasks, newRunId, runModels, saveRun } from '../../orchestrator/index.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, requeueIfLost, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';
import { ingestCommand } from './ingest.js';

export interface BackfillFlags {
  from: string;
  to: string;
  files?: string[];
  dataset?: string;
  format?: string;
  queue?: boolean;
  detach?: boolean;
}

/**
 * One-off backfill of a date range: optionally ingest historical files, then rebuild every model's
 * partitions from `--from` to `--to` (in process, or on BullMQ workers with --queue).
 */
export async function backfillCommand(ctx: CommandContext, flags: BackfillFlags): Promise<number> {
  if (flags.from > flags.to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  if (flags.files?.length) {
    if (!flags.dataset || !flags.format) throw new UsageError('--files needs --dataset and --format');
    const code = await ingestCommand(ctx, flags.dataset, flags.files, { format: flags.format });
    if (code !== 0) return code;
  }
  const params = { pipeline: 'models' as const, from: flags.from, to: flags.to, fullRefresh: true };
  if (flags.queue) {
    const target = await resolveQueueTarget(ctx.config, ctx.lake);
    const runId = await enqueueRun(target, params, 'backfill');
    out(runId);
    if (flags.detach) return 0;
    const result = await waitForRun(ctx.lake.runs, runId, ctx.logger, {
      prefix: target.prefix,
      whileUnstarted: async () => {
        if (await requeueIfLost(target, runId, params, 'backfill'))
          ctx.logger.warn({ runId }, 'Redis lost the run: queued again');
      },
    });
    out(`backfill ${runId} ${result.status}`);
    return result.status === 'succeeded' ? 0 : 1;
  }
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const session = await LakeSession.open(ctx.lake);
  try {
    const tasks = await runModels(session, ctx.logger.child({ runId }), {
      from: flags.from,
      to: flags.to,
      fullRefresh: true,
    });
    const failed = failedTasks(tasks);
    const status = failed.length ? 'failed' : 'succeeded';
    await saveRun(ctx.lake, {
      runId,
      trigger: 'backfill',
      command: 'backfill',
      status,
      startedAt,
      endedAt: new Date().toISOString(),
      tasks,
    });
    out(
      renderTable(
        tasks.map((t) => ({ model: t.task, status: t.status, rows: t.rows ?? null, error: t.error ?? '' })),
      ),
    );
    out(`backfill ${runId} ${status}`);
    return failed.length ? 1 : 0;
  } finally {
    session.close();
  }
}
