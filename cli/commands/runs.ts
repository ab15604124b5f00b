import { UsageError } from '../../layers/index.js';
import { getRun, listRuns } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

export async function runsCommand(ctx: CommandContext, runId: string | undefined): Promise<number> {
  if (runId) {
    const run = await getRun(ctx.lake.store, runId);
    if (!run) throw new UsageError(`no run ${runId}`);
    if (ctx.config.json) out(JSON.stringify(run, null, 2));
    else {
      out(`${run.runId}  ${run.trigger}  ${run.status}  ${run.startedAt} .. ${run.endedAt ?? ''}`);
      if (run.error) out(`error: ${run.error}`);
      if (run.tasks.length > 0) out(renderTable(run.tasks.map((t) => ({ ...t }))));
    }
    return 0;
  }
  const runs = await listRuns(ctx.lake.store);
  const rows = runs.map((r) => ({
    run_id: r.runId,
    trigger: r.trigger,
    status: r.status,
    started_at: r.startedAt,
    ended_at: r.endedAt ?? null,
    tasks: r.tasks.length,
  }));
  if (ctx.config.json) out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) out('no runs yet');
  else out(renderTable(rows));
  return 0;
}
