import { LakeSession, NotImplementedError } from '../../layers/index.js';
import { failedTasks, newRunId, runModels, saveRun } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';
import { formatMs, renderTable } from '../format.js';

export interface RunFlags {
  select?: string[];
  from?: string;
  to?: string;
  fullRefresh?: boolean;
  queue?: boolean;
}

/** Build models in process. Every run is a full refresh until partition-incremental runs land. */
export async function runCommand(ctx: CommandContext, flags: RunFlags): Promise<number> {
  if (flags.queue) throw new NotImplementedError('run --queue (BullMQ)', 'issue #6');
  if (flags.from || flags.to) throw new NotImplementedError('run --from/--to (partition ranges)', 'issue #5');
  const selectors = (flags.select ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (selectors.some((s) => s.includes('+')))
    throw new NotImplementedError('graph selectors (+model, model+)', 'issue #5');
  const runId = newRunId();
  const logger = ctx.logger.child({ runId });
  const startedAt = new Date().toISOString();
  const session = await LakeSession.open(ctx.lake);
  try {
    const tasks = await runModels(session, logger, selectors.length ? new Set(selectors) : undefined);
    const failed = failedTasks(tasks);
    const status = failed.length ? 'failed' : 'succeeded';
    await saveRun(ctx.lake.store, {
      runId,
      trigger: 'manual',
      command: 'run',
      status,
      startedAt,
      endedAt: new Date().toISOString(),
      tasks,
    });
    if (ctx.config.json) out(JSON.stringify({ runId, status, tasks }, null, 2));
    else {
      out(
        renderTable(
          tasks.map((t) => ({
            model: t.task,
            status: t.status,
            rows: t.rows ?? null,
            time: formatMs(t.ms),
            error: t.error ?? '',
          })),
        ),
      );
      out(`run ${runId} ${status}`);
    }
    if (failed.length) {
      process.stderr.write(
        `marketlake: ${failed.length} model(s) did not succeed: ${failed.map((f) => f.task).join(', ')}\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    session.close();
  }
}
