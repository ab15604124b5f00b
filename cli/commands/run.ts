import { LakeSession, parseTableName, UsageError } from '../../layers/index.js';
import { MODELS, parsePartitionDate, planBuild } from '../../models/index.js';
import { runPlanInProcess } from '../../orchestrator/in-process-runner.js';
import { buildDag, newRunId } from '../../orchestrator/index.js';
import { loadProjectConfig, PIPELINES, type PipelineName } from '../../orchestrator/project-config.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, requeueIfLost, waitForRun } from '../../orchestrator/queue/enqueue.js';
import { type PlannedTask, planRun, type RunParams } from '../../orchestrator/run-plan.js';
import { selectModels } from '../../orchestrator/selectors.js';
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
  concurrency?: number;
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
    const select = flags.select?.length ? selectModels(dag, flags.select) : undefined;
    const plan = planRun(dag, loadProjectConfig(flags.config), pipeline, select);
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
        const after = t.dependsOn.length > 3 ? `${t.dependsOn.length} tasks` : t.dependsOn.join(', ');
        rows.push({ wave: i + 1, task: t.id, after, plan: action });
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
  const params: RunParams = {
    pipeline,
    ...(flags.select?.length ? { selectors: flags.select } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(flags.fullRefresh ? { fullRefresh: true } : {}),
  };
  let runId: string;
  let status: string;
  let tasks: {
    task: string;
    status: string;
    attempts?: number;
    rows?: number | null;
    partitions?: number | null;
    ms?: number;
    error?: string | null;
  }[];
  if (flags.queue) {
    const target = await resolveQueueTarget(ctx.config, ctx.lake);
    runId = await enqueueRun(target, params);
    if (flags.detach) {
      out(runId);
      return 0;
    }
    ctx.logger.info({ runId, queuePrefix: target.prefix }, 'run queued: waiting for workers');
    const queued = runId;
    const result = await waitForRun(ctx.lake.runs, runId, ctx.logger, {
      prefix: target.prefix,
      whileUnstarted: async () => {
        if (await requeueIfLost(target, queued, params))
          ctx.logger.warn({ runId }, 'Redis lost the run: queued again');
      },
    });
    status = result.status;
    tasks = result.tasks.map((t) => ({
      task: t.task,
      status: t.status,
      attempts: t.attempts,
      rows: t.rowsOut ?? null,
      partitions: t.partitions ?? null,
      error: t.error ?? null,
    }));
  } else {
    runId = newRunId();
    const project = loadProjectConfig(flags.config);
    const session = await LakeSession.open(ctx.lake);
    let plan: PlannedTask[];
    try {
      const dag = await buildDag(session, MODELS);
      plan = planRun(
        dag,
        project,
        pipeline,
        params.selectors ? selectModels(dag, params.selectors) : undefined,
      );
    } finally {
      session.close();
    }
    await ctx.lake.runs.startRun({
      runId,
      trigger: 'manual',
      command: 'run',
      status: 'running',
      params: { ...params },
      startedAt: new Date().toISOString(),
    });
    const results = await runPlanInProcess({ ...ctx, project }, plan, params, runId, flags.concurrency ?? 2);
    const failed = results.filter((t) => t.status !== 'succeeded');
    status = failed.length ? 'failed' : 'succeeded';
    await ctx.lake.runs.finishRun(
      runId,
      status as 'failed' | 'succeeded',
      failed.length ? `${failed.length} task(s) did not succeed` : null,
    );
    tasks = results.map((t) => ({
      task: t.task,
      status: t.status,
      rows: t.rows ?? null,
      partitions: t.partitions ?? null,
      ms: t.ms,
      error: t.error ?? null,
    }));
  }
  if (ctx.config.json) out(JSON.stringify({ runId, status, tasks }, null, 2));
  else {
    out(
      renderTable(
        tasks.map((t) => ({
          task: t.task,
          status: t.status,
          ...(t.attempts !== undefined ? { attempts: t.attempts } : {}),
          partitions: t.partitions ?? null,
          rows: t.rows ?? null,
          ...(t.ms !== undefined ? { time: formatMs(t.ms) } : {}),
          note: t.error ?? '',
        })),
      ),
    );
    out(`run ${runId} ${status}`);
  }
  const bad = tasks.filter((t) => t.status !== 'succeeded');
  if (status !== 'succeeded') {
    process.stderr.write(
      `marketlake: run ${runId} ${status}: ${bad.map((f) => `${f.task} ${f.status}`).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}
