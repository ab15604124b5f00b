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
import { ingestFile } from '../pipelines/index.js';
import { runBackfillTask } from './backfill-task.js';
import { injectFaults } from './fault-injection.js';
import { runModels, runQuality, serve } from './pipeline.js';
import type { ProjectConfig } from './project-config.js';
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
  constructor(failed: number) {
    super('QUALITY', `${failed} error-severity data-quality check(s) failed`);
  }
}

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
        return {
          rows: result.rows ?? 0,
          partitions: result.partitions ?? 0,
          detail: { action: result.action },
        };
      }
      case 'quality': {
        const { report } = await runQuality(session, runId);
        for (const r of report.results)
          emitLakeEvent({
            type: 'check',
            model: r.model,
            check: r.check,
            severity: r.severity,
            status: r.status,
          });
        if (report.summary.failed > 0) throw new QualityCheckError(report.summary.failed);
        return { detail: { ...report.summary } };
      }
      case 'serve': {
        const served = await serve(session, ctx.config, ctx.lake);
        for (const t of served.tables)
          emitLakeEvent({ type: 'serve', table: t.table, rows: t.rows, seconds: t.ms / 1000 });
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
