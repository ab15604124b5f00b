import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Config,
  compactTable,
  emitLakeEvent,
  isTransient,
  type Lake,
  LakeSession,
  type Logger,
  MarketlakeError,
  ModelError,
  UsageError,
  vacuum,
} from '../layers/index.js';
import { MODELS, modelName } from '../models/index.js';
import { ingestFile } from '../pipelines/index.js';
import { BRONZE_CHECK_TARGETS, checkAndRecord, reportQuality, storedResults } from '../quality/index.js';
import { runBackfillTask } from './backfill-task.js';
import { buildDag } from './dag.js';
import { injectFaults } from './fault-injection.js';
import { QUALITY_TARGETS, runModels, serve } from './pipeline.js';
import type { ProjectConfig } from './project-config.js';
import { blockedByChecks } from './quality-gate.js';
import type { PlannedTask, RunParams } from './run-plan.js';

export interface TaskContext {
  config: Config;
  lake: Lake;
  logger: Logger;
  project: ProjectConfig;
  /**
   * How tasks open DuckDB: 'service' in worker processes (DuckDB may touch only the lake's folders, a
   * scratch folder and the task's input files), 'trusted' (the default) for the in-process runner.
   */
  sessionAccess?: 'trusted' | 'service';
}

/** A DuckDB session for a task; `inputs` are files or folders a 'service' session may read besides the lake. */
export function openTaskSession(ctx: TaskContext, inputs: string[] = []): Promise<LakeSession> {
  return LakeSession.open(ctx.lake, {
    ...(ctx.config.duckdbThreads ? { threads: ctx.config.duckdbThreads } : {}),
    access: ctx.sessionAccess ?? 'trusted',
    ...(inputs.length ? { allowedPaths: inputs } : {}),
  });
}

export interface TaskOutcome {
  rows?: number;
  partitions?: number;
  detail?: Record<string, unknown>;
}

/** A failed error-severity data-quality check: permanent, the data must be fixed first. */
export class QualityCheckError extends MarketlakeError {
  constructor(failed: number | string) {
    super(
      'QUALITY',
      typeof failed === 'string' ? failed : `${failed} error-severity data-quality check(s) failed`,
    );
  }
}

const scopeOf = (params: RunParams) => ({
  ...(params.from ? { from: params.from } : {}),
  ...(params.to ? { to: params.to } : {}),
});

/** `gold.a (reason); gold.b (reason)` */
const blockedText = (blocked: Record<string, string>) =>
  Object.entries(blocked)
    .map(([table, reason]) => `gold.${table} (${reason})`)
    .join('; ');

/**
 * Do one task of a run. The same function serves the in-process runner and the BullMQ workers, so
 * both produce the same tables. Writes are atomic and idempotent, so a retried task is harmless.
 */
export async function executeTask(
  ctx: TaskContext,
  task: PlannedTask,
  params: RunParams,
  runId: string,
  attempt = 1,
): Promise<TaskOutcome> {
  // Telemetry (layers/observers.ts): every attempt's duration and outcome, by kind and target.
  const started = performance.now();
  const report = (ok: boolean, permanent?: boolean) =>
    emitLakeEvent({
      type: 'task',
      kind: task.kind,
      target: task.target ?? '',
      seconds: (performance.now() - started) / 1000,
      ok,
      ...(permanent === undefined ? {} : { permanent }),
    });
  try {
    const outcome = await doTask(ctx, task, params, runId, attempt);
    report(true);
    return outcome;
  } catch (err) {
    report(false, !isTransient(err));
    throw err;
  }
}

async function doTask(
  ctx: TaskContext,
  task: PlannedTask,
  params: RunParams,
  runId: string,
  attempt: number,
): Promise<TaskOutcome> {
  await injectFaults(task.id, attempt);
  // Backfill opens its own session: it reads its spool folder and input files besides the lake.
  if (task.kind === 'backfill')
    return runBackfillTask({ ...ctx, open: (inputs) => openTaskSession(ctx, inputs) }, task, params);
  // An ingest task reads its source's landing folder: the one place outside the lake it may read.
  const landing =
    task.kind === 'ingest' ? ctx.project.sources.find((s) => s.name === task.target)?.landing : undefined;
  const session = await openTaskSession(ctx, landing ? [resolve(landing)] : []);
  try {
    switch (task.kind) {
      case 'ingest':
        return await ingestSource(ctx, session, task.target!);
      case 'model': {
        const [result] = await runModels(session, ctx.logger, {
          selectors: [task.target!],
          ...(params.fullRefresh ? { fullRefresh: true } : {}),
          ...(params.from ? { from: params.from } : {}),
          ...(params.to ? { to: params.to } : {}),
        });
        if (!result) throw new UsageError(`no model ${task.target}`);
        if (result.status !== 'succeeded') {
          // Keep the cause: a transient failure inside the model's commit is retried (isTransient).
          if (result.cause instanceof ModelError) throw result.cause;
          throw new ModelError(task.target!, result.error ?? result.status, { cause: result.cause });
        }
        // The model's checks run right after its commit, in this task's session (no second DuckDB
        // start-up per model), and are stored per partition under the run id. A failure does not fail
        // the task: downstream models still build; serving is what a failed error check stops.
        const model = MODELS.find((m) => modelName(m) === task.target);
        let checks: Record<string, number> | undefined;
        if (model && model.checks.length > 0) {
          await session.refreshView(model.ref);
          const results = await checkAndRecord(session, [model], { runId, ...scopeOf(params) });
          checks = {
            checks: results.length,
            failed: results.filter((r) => r.status !== 'pass' && r.severity === 'error').length,
            warned: results.filter((r) => r.status !== 'pass' && r.severity === 'warn').length,
          };
        }
        return {
          rows: result.rows ?? 0,
          partitions: result.partitions ?? 0,
          detail: { action: result.action, ...(checks ? { checks } : {}) },
        };
      }
      case 'quality': {
        // Bronze checks here; the models' were stored by their tasks. One report for the run.
        await checkAndRecord(session, BRONZE_CHECK_TARGETS, { runId, ...scopeOf(params) });
        const results = await storedResults(session, runId, QUALITY_TARGETS);
        const blocked = blockedByChecks(await buildDag(session, MODELS), results);
        const { report } = await reportQuality(session, results, {
          runId,
          ...scopeOf(params),
          targets: QUALITY_TARGETS,
          blocked: Object.entries(blocked).map(([table, reason]) => ({ table: `gold.${table}`, reason })),
        });
        for (const r of report.results)
          emitLakeEvent({
            type: 'check',
            model: r.model,
            check: r.check,
            severity: r.severity,
            status: r.status,
          });
        // With a serve task to follow, serving holds the blocked tables back and fails the run there.
        if (report.summary.failed > 0 && params.pipeline !== 'daily')
          throw new QualityCheckError(report.summary.failed);
        return { detail: { ...report.summary, blocked: Object.keys(blocked) } };
      }
      case 'serve': {
        const blocked = blockedByChecks(
          await buildDag(session, MODELS),
          await storedResults(session, runId, QUALITY_TARGETS),
        );
        const served = await serve(session, ctx.config, ctx.lake, { skip: blocked });
        for (const t of served.tables)
          emitLakeEvent({ type: 'serve', table: t.table, rows: t.rows, seconds: t.ms / 1000 });
        if (Object.keys(blocked).length > 0)
          throw new QualityCheckError(
            `error-severity checks failed: not served (kept at their served version): ${blockedText(blocked)}`,
          );
        return { rows: served.tables.reduce((n, t) => n + t.rows, 0), detail: { target: served.target } };
      }
      case 'compact': {
        let files = 0;
        for (const ref of await ctx.lake.catalog.listTables())
          files += (await compactTable(session, ref)).filesBefore;
        return { detail: { filesCompacted: files } };
      }
      case 'vacuum':
        return { detail: { ...(await vacuum(ctx.lake)) } };
    }
  } finally {
    session.close();
  }
}

/** Ingest every file of a source's landing folder; files ingested before are no-ops (content hash). */
async function ingestSource(ctx: TaskContext, session: LakeSession, name: string): Promise<TaskOutcome> {
  const source = ctx.project.sources.find((s) => s.name === name);
  if (!source) throw new UsageError(`no source ${name} in the project configuration`);
  if (source.format !== 'jsonl')
    throw new UsageError(`source ${name}: scheduled ingestion supports jsonl files`);
  const folder = resolve(source.landing);
  const files = (await readdir(folder)).filter((f) => f.endsWith(source.suffix)).sort();
  let rows = 0;
  let ingested = 0;
  for (const file of files) {
    const path = join(folder, file);
    const r = await ingestFile(session, source.dataset, path, { format: source.format, ...source.options });
    if (!r.duplicateBatch) ingested += 1;
    const { accepted, quarantined, skipped } = r;
    emitLakeEvent({ type: 'ingest', dataset: source.dataset, source: name, accepted, quarantined, skipped });
    rows += r.accepted;
  }
  return { rows, detail: { files: files.length, newFiles: ingested } };
}
