import { UsageError } from '../../layers/errors.js';
import { type CommandContext, out } from '../context.js';
import { formatMs, renderTable } from '../format.js';

const duration = (a?: string | null, b?: string | null) =>
  a && b ? formatMs(Date.parse(b) - Date.parse(a)) : '';

/** Run history from the catalog database; with a run id, that run and its tasks. */
export async function runsCommand(ctx: CommandContext, runId: string | undefined): Promise<number> {
  if (runId) {
    const got = await ctx.lake.runs.getRun(runId);
    if (!got) throw new UsageError(`no run ${runId}`);
    if (ctx.config.json) out(JSON.stringify(got, null, 2));
    else {
      const r = got.run;
      out(
        `${r.runId}  ${r.trigger}  ${r.status}  ${r.startedAt} .. ${r.endedAt ?? ''}${r.schedule ? `  schedule ${r.schedule} @ ${r.scheduledFor}` : ''}`,
      );
      if (r.error) out(`error: ${r.error}`);
      out(
        renderTable(
          got.tasks.map((t) => ({
            task: t.task,
            status: t.status,
            attempts: t.attempts,
            rows: t.rowsOut ?? null,
            partitions: t.partitions ?? null,
            time: duration(t.startedAt, t.endedAt),
            worker: t.worker ?? '',
            error: t.error ?? '',
          })),
        ),
      );
    }
    return 0;
  }
  const runs = await ctx.lake.runs.listRuns(50);
  if (ctx.config.json) out(JSON.stringify(runs, null, 2));
  else if (runs.length === 0) out('no runs yet');
  else
    out(
      renderTable(
        runs.map((r) => ({
          run_id: r.runId,
          trigger: r.trigger,
          status: r.status,
          started_at: r.startedAt,
          time: duration(r.startedAt, r.endedAt),
          schedule: r.schedule ?? '',
        })),
      ),
    );
  return 0;
}
