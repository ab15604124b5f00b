import { type CheckResultRow, declaredSourceTables, type LakeSession } from '../layers/index.js';
import { type CheckResult, type CheckTarget, type RunChecksOptions, runChecks } from './check-runner.js';
import {
  type BlockedTable,
  buildReport,
  type CheckChange,
  type CheckTrend,
  type QualityReport,
} from './report.js';
import { quarantineSummaries, tableTrends } from './report-data.js';
import { saveReport } from './report-store.js';

export interface QualityRunOptions extends RunChecksOptions {
  /** Results are stored under this run id (a rerun of the same id replaces them). */
  runId: string;
}

/** The stored rows of results: one whole-scope row ('*') per check, plus one per partition checked. */
export function resultRows(
  results: readonly CheckResult[],
  runId: string,
  checkedAt: string,
): CheckResultRow[] {
  const rows: CheckResultRow[] = [];
  for (const r of results) {
    const common = {
      runId,
      checkedAt,
      model: r.model,
      check: r.check,
      kind: r.kind,
      severity: r.severity,
      threshold: r.threshold ?? null,
    };
    rows.push({
      ...common,
      partition: '*',
      status: r.status,
      rows: r.rows,
      failingRows: r.failingRows,
      sample: r.sample,
      error: r.error ?? null,
      ms: r.ms,
    });
    for (const p of r.partitions ?? []) {
      if (p.partition === '*') continue;
      rows.push({
        ...common,
        partition: p.partition,
        status: p.status,
        rows: p.rows,
        failingRows: p.failingRows,
        sample: null,
        error: null,
        ms: 0,
      });
    }
  }
  return rows;
}

/** Run the checks of `targets` and store every result in the catalog (ml_check_results). */
export async function checkAndRecord(
  session: LakeSession,
  targets: readonly CheckTarget[],
  options: QualityRunOptions,
): Promise<CheckResult[]> {
  const results = await runChecks(session, targets, options);
  await session.lake.checks.record(resultRows(results, options.runId, new Date().toISOString()));
  return results;
}

/** Results of one run as stored (for a report assembled after per-model check tasks). */
export async function storedResults(
  session: LakeSession,
  runId: string,
  targets: readonly CheckTarget[],
): Promise<CheckResult[]> {
  const rows = await session.lake.checks.ofRun(runId);
  const described = new Map<string, string>();
  for (const t of targets)
    for (const c of t.checks) described.set(`${t.ref.layer}.${t.ref.name}|${c.name}`, c.description);
  const parts = new Map<string, CheckResultRow[]>();
  for (const r of rows.filter((x) => x.partition !== '*')) {
    const key = `${r.model}|${r.check}`;
    parts.set(key, [...(parts.get(key) ?? []), r]);
  }
  return rows
    .filter((r) => r.partition === '*')
    .map((r) => ({
      model: r.model,
      check: r.check,
      kind: r.kind as CheckResult['kind'],
      severity: r.severity,
      description: described.get(`${r.model}|${r.check}`) ?? '',
      status: r.status,
      failingRows: r.failingRows,
      rows: r.rows,
      ...(r.threshold !== null ? { threshold: r.threshold } : {}),
      sample: r.sample ?? [],
      ms: r.ms,
      ...(r.error ? { error: r.error } : {}),
      partitions: (parts.get(`${r.model}|${r.check}`) ?? []).map((p) => ({
        partition: p.partition,
        rows: p.rows,
        failingRows: p.failingRows,
        status: p.status,
      })),
    }));
}

/**
 * The report of a run: this run's results beside the history (status changes since each check's
 * previous run, pass rate over the last `historyRuns` runs), row counts and quarantine per
 * partition; saved under `_reports/` in every format.
 */
export async function reportQuality(
  session: LakeSession,
  results: CheckResult[],
  options: {
    runId: string;
    from?: string;
    to?: string;
    blocked?: BlockedTable[];
    targets: readonly CheckTarget[];
    historyRuns?: number;
  },
): Promise<{ report: QualityReport; reportKeys: string[] }> {
  const scope = {
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
  };
  const history = await session.lake.checks.recent({ runs: options.historyRuns ?? 20 });
  const byCheck = new Map<string, CheckResultRow[]>();
  for (const row of history) {
    const key = `${row.model}|${row.check}`;
    byCheck.set(key, [...(byCheck.get(key) ?? []), row]);
  }
  const changes: CheckChange[] = [];
  const trends: CheckTrend[] = [];
  for (const r of results) {
    const rows = byCheck.get(`${r.model}|${r.check}`) ?? [];
    const previous = rows.find((x) => x.runId !== options.runId);
    if (!previous) {
      if (history.some((x) => x.runId !== options.runId))
        changes.push({ model: r.model, check: r.check, before: 'new', after: r.status });
    } else if (previous.status !== r.status) {
      changes.push({ model: r.model, check: r.check, before: previous.status, after: r.status });
    }
    const others = rows.filter((x) => x.runId !== options.runId);
    trends.push({
      model: r.model,
      check: r.check,
      runs: others.length + 1,
      passed: others.filter((x) => x.status === 'pass').length + (r.status === 'pass' ? 1 : 0),
    });
  }
  const datasets = declaredSourceTables()
    .filter((t) => t.ref.layer === 'bronze')
    .map((t) => t.ref.name);
  const report = buildReport(results, session.lake.store.displayUrl, options.runId, {
    scope,
    changes,
    trends,
    tables: tableTrends(session, options.targets, scope),
    quarantine: await quarantineSummaries(session, datasets, scope),
    blocked: options.blocked ?? [],
  });
  const { keys } = await saveReport(session.lake.store, report);
  return { report, reportKeys: keys };
}
