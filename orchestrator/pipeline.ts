import {
  type Config,
  type Lake,
  type LakeSession,
  type Logger,
  qualifiedName,
  UsageError,
} from '../layers/index.js';
import { MODELS } from '../models/index.js';
import { defaultPgliteDir, openServingTarget, type ServedTable, serveGold } from '../pipelines/index.js';
import {
  BRONZE_CHECK_TARGETS,
  type CheckTarget,
  checkAndRecord,
  type QualityReport,
  reportQuality,
} from '../quality/index.js';
import { buildDag } from './dag.js';
import { type RunOptions, runModelsInProcess, type TaskResult } from './model-runner.js';
import { blockedByChecks } from './quality-gate.js';
import { newRunId } from './run-id.js';
import { selectModels } from './selectors.js';

/** What `marketlake run` asks for: selectors (`model`, `+model`, `model+`) and partition options. */
export interface ModelRunRequest extends Omit<RunOptions, 'select'> {
  selectors?: readonly string[];
}

/**
 * Build every model (or the selected ones) in process, incrementally: each model rebuilds only
 * what changed since its last run (see planBuild), `fullRefresh` rebuilds, `from`/`to` limit the
 * partitions.
 */
export async function runModels(session: LakeSession, logger: Logger, request: ModelRunRequest = {}) {
  const dag = await buildDag(session, MODELS);
  const { selectors, ...options } = request;
  if (options.from && options.to && options.from > options.to)
    throw new UsageError(`--from ${options.from} is after --to ${options.to}`);
  const select = selectors && selectors.length > 0 ? selectModels(dag, selectors) : undefined;
  return runModelsInProcess(session, dag, logger, { ...options, ...(select ? { select } : {}) });
}

/** Every table with checks: the bronze datasets, then the models in definition order. */
export const QUALITY_TARGETS: readonly CheckTarget[] = [...BRONZE_CHECK_TARGETS, ...MODELS];

/** What `dq` and the demo may ask of a data-quality run. */
export interface QualityRequest {
  /** Partition range checked (inclusive dates). */
  from?: string;
  to?: string;
  /** Tables to check (default QUALITY_TARGETS). */
  targets?: readonly CheckTarget[];
  /** Freshness is judged against this instant (default now). */
  referenceAt?: Date;
}

/**
 * Run the data-quality checks, store each result in the catalog (per check, partition and run),
 * and save the report under `_reports/`. `blocked`: the gold tables that must not be served (an
 * error-severity check of theirs or of something upstream failed), with the reason.
 */
export async function runQuality(
  session: LakeSession,
  runId: string = newRunId(),
  request: QualityRequest = {},
): Promise<{ report: QualityReport; reportKeys: string[]; blocked: Record<string, string> }> {
  const targets = request.targets ?? QUALITY_TARGETS;
  const scope = {
    ...(request.from ? { from: request.from } : {}),
    ...(request.to ? { to: request.to } : {}),
  };
  const results = await checkAndRecord(session, targets, {
    runId,
    ...scope,
    ...(request.referenceAt ? { referenceAt: request.referenceAt } : {}),
  });
  const blocked = blockedByChecks(await buildDag(session, MODELS), results);
  const { report, reportKeys } = await reportQuality(session, results, {
    runId,
    ...scope,
    targets,
    blocked: Object.entries(blocked).map(([table, reason]) => ({ table: `gold.${table}`, reason })),
  });
  return { report, reportKeys, blocked };
}

/** Gold tables that are served to PostgreSQL. */
export const SERVED_TABLES = MODELS.filter((m) => m.ref.layer === 'gold').map((m) => m.ref.name);

/** What `serve` may be asked besides the defaults. */
export interface ServeRequest {
  /** Serve to these PostgreSQL URLs, one after the other (default: DATABASE_URL, else the embedded PGlite). */
  targets?: readonly string[];
  /** Reload every table in full. */
  full?: boolean;
  /** Tables kept at their served version this time, with the reason (e.g. failed error checks). */
  skip?: Readonly<Record<string, string>>;
}

/** The first database's tables (`target`, `tables`) and every database's (`targets`). */
export interface ServeOutcome {
  target: string;
  tables: ServedTable[];
  targets: { target: string; tables: ServedTable[] }[];
}

/** Table and column comments for the served tables, from the model definitions. */
const SERVED_DESCRIPTIONS = Object.fromEntries(
  MODELS.filter((m) => m.ref.layer === 'gold').map((m) => [
    m.ref.name,
    {
      description: m.description,
      columns: Object.fromEntries(m.columns.map((c) => [c.name, c.description])),
    },
  ]),
);

/**
 * Load gold into PostgreSQL (DATABASE_URL, or each of `request.targets`) or the embedded PGlite under
 * the lake: incremental, all tables in one transaction per database (see serveGold).
 */
export async function serve(
  session: LakeSession,
  config: Config,
  lake: Lake,
  request: ServeRequest = {},
): Promise<ServeOutcome> {
  const urls = request.targets?.length
    ? request.targets
    : config.databaseUrl
      ? [config.databaseUrl]
      : [undefined];
  const done: { target: string; tables: ServedTable[] }[] = [];
  for (const databaseUrl of urls) {
    const target = await openServingTarget(
      databaseUrl ? { databaseUrl, pgliteDir: '' } : { pgliteDir: defaultPgliteDir(lake) },
    );
    try {
      // Named pipes go to the session's scratch folder when it has one ('service': DuckDB may write nowhere else).
      const tables = await serveGold(session, target, SERVED_TABLES, {
        ...(session.scratchDir ? { tmpDir: session.scratchDir } : {}),
        ...(request.full ? { full: true } : {}),
        ...(request.skip ? { skip: request.skip } : {}),
        descriptions: SERVED_DESCRIPTIONS,
      });
      done.push({ target: target.description, tables });
    } finally {
      await target.close();
    }
  }
  return { ...done[0]!, targets: done };
}

/** Row counts of every table in the catalog, as the session sees them. */
export async function tableRowCounts(session: LakeSession): Promise<{ table: string; rows: number }[]> {
  const out: { table: string; rows: number }[] = [];
  for (const ref of await session.lake.catalog.listTables()) {
    const snap = session.snapshotOf(ref);
    out.push({ table: qualifiedName(ref), rows: snap ? snap.files.reduce((n, f) => n + f.rows, 0) : 0 });
  }
  return out;
}

export function failedTasks(tasks: readonly TaskResult[]): TaskResult[] {
  return tasks.filter((t) => t.status !== 'succeeded');
}
