import type { DatasetName } from '../../contracts/index.js';
import { LakeSession, UsageError } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import {
  buildDag,
  downstreamOf,
  failedTasks,
  newRunId,
  runModels,
  saveRun,
} from '../../orchestrator/index.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { enqueueRun, requeueIfLost, waitForRun } from '../../orchestrator/queue/enqueue.js';
import {
  BACKFILL_DATASETS,
  BACKFILL_INTERVALS,
  type BackfillDataset,
  type BackfillInterval,
  type BackfillPlan,
  type BackfillRequest,
  type BackfillSummary,
  DATE_PLACEHOLDERS,
  planBackfill,
  runBackfill,
  VENDORS,
  type VendorName,
  vendorSettingsFromEnv,
} from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';
import { backfillProgress } from './backfill-progress.js';
import { ingestCommand } from './ingest.js';

export interface BackfillFlags {
  from: string;
  to: string;
  files?: string[];
  dataset?: string;
  format?: string;
  source?: string;
  symbols?: string;
  interval?: string;
  feed?: string;
  rpm?: number;
  concurrency?: number;
  strict?: boolean;
  gaps?: boolean;
  force?: boolean;
  dryRun?: boolean;
  rebuild?: boolean;
  queue?: boolean;
  detach?: boolean;
}

const hasPlaceholder = (f: string) => DATE_PLACEHOLDERS.some((p) => f.includes(p));

/** The stream worker's gap log (catalog table `ml_stream_gaps`, migration 0005_stream). */
type GapLog = CommandContext['lake']['streamGaps'];

async function requestOf(ctx: CommandContext, flags: BackfillFlags): Promise<BackfillRequest> {
  const base = { from: flags.from, to: flags.to, ...(flags.force ? { force: true } : {}) };
  if (flags.gaps) {
    // Unfilled gaps that overlap [--from, --to].
    const gaps = (await ctx.lake.streamGaps.list()).filter(
      (g) => g.gapTo.slice(0, 10) >= flags.from && g.gapFrom.slice(0, 10) <= flags.to,
    );
    return { ...base, gaps: { gaps, ...(flags.symbols ? { symbols: flags.symbols.split(',') } : {}) } };
  }
  if (flags.files?.length) {
    if (flags.files.length > 1)
      throw new UsageError('--files takes one date pattern (or a list of plain files)');
    if (!flags.dataset || !flags.format) throw new UsageError('--files needs --dataset and --format');
    return {
      ...base,
      files: {
        pattern: flags.files[0] as string,
        dataset: flags.dataset as DatasetName,
        flags: { format: flags.format },
      },
    };
  }
  if (!flags.source) throw new UsageError('backfill needs --files PATTERN or --source VENDOR --symbols LIST');
  if (!(VENDORS as readonly string[]).includes(flags.source))
    throw new UsageError(`--source must be one of ${VENDORS.join(', ')}`);
  const dataset = flags.dataset ?? 'trades';
  if (!(BACKFILL_DATASETS as readonly string[]).includes(dataset))
    throw new UsageError(`--dataset with --source must be one of ${BACKFILL_DATASETS.join(', ')}`);
  if (flags.interval && !(BACKFILL_INTERVALS as readonly string[]).includes(flags.interval))
    throw new UsageError(`--interval must be one of ${BACKFILL_INTERVALS.join(', ')}`);
  if (!flags.symbols) throw new UsageError('--source needs --symbols (comma-separated)');
  return {
    ...base,
    vendor: {
      source: flags.source as VendorName,
      dataset: dataset as BackfillDataset,
      symbols: flags.symbols.split(','),
      ...(flags.interval ? { interval: flags.interval as BackfillInterval } : {}),
      ...(flags.rpm ? { requestsPerMinute: flags.rpm } : {}),
    },
  };
}

/** The models that read `bronze.<dataset>`, directly or through others, in build order. */
async function modelsFed(session: LakeSession, dataset: string): Promise<string[]> {
  const dag = await buildDag(session, MODELS);
  const direct = [...dag.nodes.entries()]
    .filter(([, n]) => n.reads.includes(`bronze.${dataset}`))
    .map(([k]) => k);
  const all = new Set(direct.flatMap((m) => [m, ...downstreamOf(dag, m)]));
  return dag.order.filter((m) => all.has(m));
}

function printPlan(plan: BackfillPlan, models: string[], days: string[]): void {
  out(
    renderTable(
      plan.items.map((i) => ({
        day: i.from === i.to ? i.from : `${i.from}..${i.to}`,
        symbol: i.symbol ?? '',
        source: i.source,
        dataset: i.dataset,
        action: i.action,
        why: i.reason,
      })),
    ),
  );
  if (plan.missingDays.length)
    out(`missing: ${plan.missingDays.length} day(s) without a file: ${plan.missingDays.join(', ')}`);
  out(
    models.length && days.length
      ? `rebuild: ${models.join(', ')} for ${days[0]}..${days.at(-1)} (partitions whose inputs change)`
      : 'rebuild: nothing (no new input)',
  );
  const e = plan.estimate;
  out(
    e.rows === null
      ? `estimate: unknown (${e.basis})`
      : `estimate: ~${e.rows.toLocaleString('en-US')} rows, ~${e.seconds} s (${e.basis})`,
  );
}

/**
 * Backfill a date range: files by a date pattern (`--files 'dir/{YYYYMMDD}_*.csv.gz'`) or a
 * vendor's history over HTTP (`--source alpaca --symbols AAPL,MSFT`), planned first (`--dry-run`
 * stops there), resumable (finished work is skipped unless --force), then the models fed by the
 * dataset rebuilt for the days that changed. A failed day does not stop the others; exit 1 lists them.
 */
export async function backfillCommand(ctx: CommandContext, flags: BackfillFlags): Promise<number> {
  if (flags.from > flags.to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  if (flags.files?.length && !flags.files.some(hasPlaceholder)) return legacyBackfill(ctx, flags);
  const settings = vendorSettingsFromEnv();
  const req = await requestOf(ctx, flags);
  // The plan's time estimate uses the rate this run will have (--rpm, else BACKFILL_RPM_<VENDOR>).
  if (req.vendor && !req.vendor.requestsPerMinute)
    req.vendor = { ...req.vendor, requestsPerMinute: settings[req.vendor.source].requestsPerMinute };
  const plan = await planBackfill(ctx.lake, req);
  const dataset = (req.files?.dataset ??
    req.vendor?.dataset ??
    req.gaps?.gaps[0]?.dataset ??
    'trades') as string;
  const session = await LakeSession.open(ctx.lake);
  try {
    const models = flags.rebuild === false ? [] : await modelsFed(session, dataset);
    const todoDays = [
      ...new Set(
        plan.items
          .filter((i) => i.action === 'fetch' || i.action === 'ingest')
          .flatMap((i) => [i.from, i.to]),
      ),
    ].sort();
    if (flags.dryRun) {
      if (ctx.config.json)
        out(
          JSON.stringify({
            plan: plan.items.map(({ flags: _f, unit: _u, ...i }) => i),
            missingDays: plan.missingDays,
            models,
            partitions: todoDays.length ? { from: todoDays[0], to: todoDays.at(-1) } : null,
            estimate: plan.estimate,
          }),
        );
      else printPlan(plan, models, todoDays);
      return flags.strict && plan.missingDays.length ? 1 : 0;
    }
    if (flags.strict && plan.missingDays.length)
      throw new UsageError(
        `--strict: no file for ${plan.missingDays.length} day(s): ${plan.missingDays.join(', ')}`,
      );
    if (flags.queue) return queuedBackfill(ctx, flags, req, todoDays);
    const progress = backfillProgress(plan.items.length, process.stderr);
    let summary: BackfillSummary;
    try {
      summary = await runBackfill(session, plan, {
        settings,
        logger: ctx.logger,
        ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
        ...(flags.rpm ? { requestsPerMinute: flags.rpm } : {}),
        ...(flags.feed ? { alpacaFeed: flags.feed } : {}),
        onProgress: progress.update,
      });
    } finally {
      progress.stop();
    }
    if (req.gaps) await markGapsFilled(ctx.lake.streamGaps, plan, summary);
    const days = summary.changedDays;
    let modelStatus: { model: string; status: string; rows: number | null; error: string }[] = [];
    let modelsFailed = 0;
    if (models.length && (days.length || flags.force)) {
      const from = days[0] ?? flags.from;
      const to = days.at(-1) ?? flags.to;
      const tasks = await rebuild(ctx, session, {
        from,
        to,
        force: flags.force === true,
        queue: false,
        detach: false,
      });
      modelStatus = tasks.map((t) => ({
        model: t.task,
        status: t.status,
        rows: t.rows ?? null,
        error: t.error ?? '',
      }));
      modelsFailed = tasks.filter((t) => t.status === 'failed').length;
    }
    const failed = summary.failed.length + modelsFailed + (flags.strict ? plan.missingDays.length : 0);
    if (ctx.config.json) {
      const { results: _r, ...rest } = summary;
      out(
        JSON.stringify({
          ...rest,
          missingDays: plan.missingDays,
          models: modelStatus,
          status: failed ? 'failed' : 'succeeded',
        }),
      );
    } else {
      if (modelStatus.length) out(renderTable(modelStatus));
      for (const f of summary.failed)
        out(
          `failed: ${f.symbol ? `${f.symbol} ` : ''}${f.from}${f.to !== f.from ? `..${f.to}` : ''}: ${f.error}`,
        );
      if (plan.missingDays.length) out(`missing: ${plan.missingDays.join(', ')}`);
      out(
        `backfill ${failed ? 'failed' : 'succeeded'}: ${summary.done} done, ${summary.skipped} skipped, ${summary.missing} missing, ${summary.failed.length} failed; ${summary.accepted} rows accepted, ${summary.quarantined} quarantined; ${summary.requests} requests (${summary.retries} retried, ${summary.throttled} throttled) in ${summary.seconds.toFixed(1)} s`,
      );
    }
    return failed ? 1 : 0;
  } finally {
    session.close();
  }
}

/**
 * `--queue`: one task per day with work on BullMQ workers (each plans its day against the ledger,
 * fetches with --concurrency parallel downloads and ingests), then the models over the range.
 */
async function queuedBackfill(
  ctx: CommandContext,
  flags: BackfillFlags,
  req: BackfillRequest,
  days: string[],
): Promise<number> {
  if (req.gaps) throw new UsageError('--gaps runs in process (without --queue)');
  const dayList = [...new Set(days)].sort();
  const params = {
    pipeline: 'models' as const,
    from: dayList[0] ?? flags.from,
    to: dayList.at(-1) ?? flags.to,
    fullRefresh: flags.force === true,
    backfill: {
      request: req,
      days: dayList,
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.rebuild === false ? { rebuild: false } : {}),
    },
  };
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
  const run = await ctx.lake.runs.getRun(runId);
  const tasks = (run?.tasks ?? []).map((t) => ({
    task: t.task,
    status: t.status,
    rows: t.rowsOut ?? null,
    error: t.error ?? '',
  }));
  if (ctx.config.json) out(JSON.stringify({ runId, status: result.status, tasks }));
  else {
    out(renderTable(tasks));
    out(`backfill ${runId} ${result.status}`);
  }
  return result.status === 'succeeded' ? 0 : 1;
}

/** A gap is filled when every symbol of it was fetched (now or by an earlier run). */
async function markGapsFilled(log: GapLog, plan: BackfillPlan, summary: BackfillSummary): Promise<void> {
  const status = new Map(summary.results.map((r) => [r.key, r.status]));
  const byGap = new Map<number, boolean>();
  for (const item of plan.items) {
    if (item.gapId === undefined) continue;
    const ok =
      status.get(item.key) === 'done' ||
      (item.action === 'skip' && item.reason.startsWith('already ingested'));
    byGap.set(item.gapId, (byGap.get(item.gapId) ?? true) && ok);
  }
  for (const [gapId, filled] of byGap) if (filled) await log.markFilled(gapId);
}

interface RebuildTask {
  task: string;
  status: string;
  rows?: number;
  error?: string;
}

/** Rebuild the models over the changed days: incrementally (nothing changed, nothing written), in process or queued. */
async function rebuild(
  ctx: CommandContext,
  session: LakeSession,
  o: { from: string; to: string; force: boolean; queue: boolean; detach: boolean },
): Promise<RebuildTask[]> {
  const params = { pipeline: 'models' as const, from: o.from, to: o.to, fullRefresh: o.force };
  if (o.queue) {
    const target = await resolveQueueTarget(ctx.config, ctx.lake);
    const runId = await enqueueRun(target, params, 'backfill');
    ctx.logger.info({ runId }, 'model rebuild queued');
    if (o.detach) return [{ task: `run ${runId}`, status: 'queued' }];
    const result = await waitForRun(ctx.lake.runs, runId, ctx.logger, {
      prefix: target.prefix,
      whileUnstarted: async () => {
        if (await requeueIfLost(target, runId, params, 'backfill'))
          ctx.logger.warn({ runId }, 'Redis lost the run: queued again');
      },
    });
    return [{ task: `run ${runId}`, status: result.status }];
  }
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const tasks = await runModels(session, ctx.logger.child({ runId }), {
    from: o.from,
    to: o.to,
    fullRefresh: o.force,
  });
  await saveRun(ctx.lake, {
    runId,
    trigger: 'backfill',
    command: 'backfill',
    status: failedTasks(tasks).length ? 'failed' : 'succeeded',
    startedAt,
    endedAt: new Date().toISOString(),
    tasks,
  });
  return tasks;
}

/** `--files a.csv b.csv` (no date pattern): ingest those files, then rebuild the range (as before). */
async function legacyBackfill(ctx: CommandContext, flags: BackfillFlags): Promise<number> {
  if (!flags.dataset || !flags.format) throw new UsageError('--files needs --dataset and --format');
  const code = await ingestCommand(ctx, flags.dataset, flags.files ?? [], { format: flags.format });
  if (code !== 0) return code;
  const session = await LakeSession.open(ctx.lake);
  try {
    const tasks = await rebuild(ctx, session, {
      from: flags.from,
      to: flags.to,
      force: true,
      queue: flags.queue === true,
      detach: flags.detach === true,
    });
    out(
      renderTable(
        tasks.map((t) => ({ model: t.task, status: t.status, rows: t.rows ?? null, error: t.error ?? '' })),
      ),
    );
    return tasks.some((t) => t.status === 'failed') ? 1 : 0;
  } finally {
    session.close();
  }
}
