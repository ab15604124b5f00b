import { LakeSession, NotImplementedError } from '../../layers/index.js';
import { parsePartitionDate } from '../../models/index.js';
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

/**
 * Build models in process, incrementally: each model recomputes only the partitions whose inputs
 * changed since its last run. `--select` takes `model`, `+model` (with upstream) and `model+`
 * (with downstream); `--from/--to` limit the partitions; `--full-refresh` rebuilds.
 */
export async function runCommand(ctx: CommandContext, flags: RunFlags): Promise<number> {
  if (flags.queue) throw new NotImplementedError('run --queue (BullMQ)', 'issue #6');
  const from = flags.from === undefined ? undefined : parsePartitionDate(flags.from, '--from');
  const to = flags.to === undefined ? undefined : parsePartitionDate(flags.to, '--to');
  const runId = newRunId();
  const logger = ctx.logger.child({ runId });
  const startedAt = new Date().toISOString();
  const session = await LakeSession.open(
    ctx.lake,
    ctx.config.duckdbThreads ? { threads: ctx.config.duckdbThreads } : {},
  );
  try {
    const tasks = await runModels(session, logger, {
      selectors: flags.select ?? [],
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(flags.fullRefresh ? { fullRefresh: true } : {}),
    });
    const failed = failedTasks(tasks);
    const status = failed.length ? 'failed' : 'succeeded';
    await saveRun(ctx.lake, {
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
            action: t.action ?? '',
            partitions: t.partitions ?? null,
            rows: t.rows ?? null,
            time: formatMs(t.ms),
            note: t.error ?? t.reason ?? '',
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
