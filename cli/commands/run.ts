import { LakeSession, parseTableName, UsageError } from '../../layers/index.js';
import { MODELS, parsePartitionDate, planBuild } from '../../models/index.js';
import { buildDag, failedTasks, newRunId, runModels, saveRun } from '../../orchestrator/index.js';
import { loadProjectConfig, PIPELINES, type PipelineName } from '../../orchestrator/project-config.js';
import { enqueueRun, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { type PlannedTask, planRun } from '../../orchestrator/run-plan.js';
import { type CommandContext, out } from '../context.js';
import { formatMs, renderTable } from '../format.js';

export interface RunFlags {
  select?: string[];
  from?: string;
  to?: string;
  fullRefresh?: boolean;
  queue?: boolean;
  detach?: boolean;
  dryRun?: boolean;
  pipeline?: string;
  config?: string;
}

/** Waves of tasks: each wave depends only on earlier ones. */
function waves(plan: readonly PlannedTask[]): PlannedTask[][] {
  const done = new Set<string>();
  const out: PlannedTask[][] = [];
  let left = [...plan];
  while (left.length) {
    const wave = left.filter((t) => t.dependsOn.every((d) => done.has(d)));
    if (wave.length === 0) break;
    for (const t of wave) done.add(t.id);
    out.push(wave);
    left = left.filter((t) => !done.has(t.id));
  }
  return out;
}

/** `run --dry-run`: the tasks in order, and what each model would rebuild given the lake as it is now. */
async function dryRun(ctx: CommandContext, pipeline: PipelineName, flags: RunFlags): Promise<number> {
  const session = await LakeSession.open(ctx.lake);
  try {
    const dag = await buildDag(session, MODELS);
    const plan = planRun(dag, loadProjectConfig(flags.config), pipeline);
    const rows = [];
    for (const [i, wave] of waves(plan).entries()) {
      for (const t of wave) {
        let action = '';
        if (t.kind === 'model') {
          const node = dag.nodes.get(t.target!)!;
          const { plan: build } = await planBuild(
            session,
            node.model,
            node.sql,
            node.reads.map(parseTableName),
            {
              ...(flags.fullRefresh ? { fullRefresh: true } : {}),
              ...(flags.from ? { from: flags.from } : {}),
              ...(flags.to ? { to: flags.to } : {}),
            },
          );
          action =
            build.mode === 'partitions'
              ? `partitions ${build.partitions.join(', ')}`
              : `${build.mode}: ${build.reason}`;
        }
        rows.push({ wave: i + 1, task: t.id, after: t.dependsOn.join(', '), plan: action });
      }
    }
    if (ctx.config.json) out(JSON.stringify(rows, null, 2));
    else {
      out(renderTable(rows));
      out('(a model downstream of one that rebuilds may rebuild more than shown)');
    }
    return 0;
  } finally {
    session.close();
  }
}

/**
 * Build models in process, incrementally: each model recomputes only the partitions whose inputs
 * changed since its last run. `--select` takes `model`, `+model` (with upstream) and `model+`
 * (with downstream); `--from/--to` limit the partitions; `--full-refresh` rebuilds.
 */
export async function runCommand(ctx: CommandContext, flags: RunFlags): Promise<number> {
  const from = flags.from === undefined ? undefined : parsePartitionDate(flags.from, '--from');
  const to = flags.to === undefined ? undefined : parsePartitionDate(flags.to, '--to');
  const pipeline = (flags.pipeline ?? 'models') as PipelineName;
  if (!PIPELINES.includes(pipeline))
    throw new UsageError(`--pipeline must be one of ${PIPELINES.join(', ')}`);
  if (flags.dryRun) return dryRun(ctx, pipeline, flags);
  if (flags.queue) {
    if (flags.select?.length)
      throw new UsageError('--select is for in-process runs; a queued run builds its whole pipeline');
    const runId = await enqueueRun(ctx.config.redisUrl, {
      pipeline,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(flags.fullRefresh ? { fullRefresh: true } : {}),
    });
    if (flags.detach) {
      out(runId);
      return 0;
    }
    ctx.logger.info({ runId }, 'run queued: waiting for workers');
    const result = await waitForRun(ctx.lake.runs, runId, ctx.logger);
    if (ctx.config.json) out(JSON.stringify({ runId, status: result.status, tasks: result.tasks }, null, 2));
    else {
      out(
        renderTable(
          result.tasks.map((t) => ({
            task: t.task,
            status: t.status,
            attempts: t.attempts,
            rows: t.rowsOut ?? null,
            error: t.error ?? '',
          })),
        ),
      );
      out(`run ${runId} ${result.status}`);
    }
    if (result.status !== 'succeeded') {
      process.stderr.write(`marketlake: run ${runId} ${result.status}\n`);
      return 1;
    }
    return 0;
  }
  if (pipeline !== 'models')
    throw new UsageError('--pipeline daily/maintenance runs on workers: add --queue');
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
