import {
  ident,
  type LakeSession,
  literal,
  qualifiedName,
  type Snapshot,
  type TableRef,
  viewName,
} from '../layers/index.js';
import { type CheckKind, type ModelCheck, partitionScopeSql, type Severity } from '../models/index.js';
import { judgeAnomalies, type SessionMinutes } from './anomaly.js';

/** A table whose checks run together: a model, or a bronze dataset (see bronze-checks.ts). */
export interface CheckTarget {
  ref: TableRef;
  partitionColumn: string | null;
  checks: readonly ModelCheck[];
}

export type CheckStatus = 'pass' | 'fail' | 'error';

/** One check's outcome on one partition. */
export interface PartitionResult {
  partition: string;
  rows: number;
  failingRows: number;
  status: CheckStatus;
}

export interface CheckResult {
  model: string;
  check: string;
  kind: CheckKind;
  severity: Severity;
  description: string;
  /** pass: no offending rows (or within the threshold); fail: more; error: the check itself could not run. */
  status: CheckStatus;
  failingRows: number;
  /** Rows of the table in the checked scope (the threshold's denominator). */
  rows: number;
  threshold?: number;
  sample: Record<string, unknown>[];
  ms: number;
  error?: string;
  /** Per-partition outcome, for row-level checks and the anomaly check of a partitioned table. */
  partitions?: PartitionResult[];
}

export interface RunChecksOptions {
  /** Failing rows kept per check (default 5; a check may ask for more). */
  sampleSize?: number;
  /** Partition range checked (inclusive dates); unset = every partition. */
  from?: string;
  to?: string;
  /** Freshness is judged against this instant (default now). */
  referenceAt?: Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Run every check of every target. Row-level checks of a table share one scan (one
 * `count(*) FILTER (WHERE ...)` per check, grouped by partition); set-level checks run one query
 * each; the anomaly check reads the catalog only. A check that cannot run is reported, not thrown.
 */
export async function runChecks(
  session: LakeSession,
  targets: readonly CheckTarget[],
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  for (const d of [options.from, options.to])
    if (d !== undefined && !DATE.test(d)) throw new TypeError(`not a date: ${d}`);
  await session.run(
    `SET VARIABLE dq_from = ${options.from ? `DATE ${literal(options.from)}` : 'NULL::DATE'}`,
  );
  await session.run(`SET VARIABLE dq_to = ${options.to ? `DATE ${literal(options.to)}` : 'NULL::DATE'}`);
  const reference = options.referenceAt ?? new Date();
  await session.run(
    `SET VARIABLE dq_reference_at = CAST(${literal(reference.toISOString())} AS TIMESTAMPTZ)`,
  );
  const minutes = await sessionMinutesOf(session);
  const results: CheckResult[] = [];
  for (const target of targets) results.push(...(await runTarget(session, target, options, minutes)));
  return results;
}

interface ScanRow {
  partition: string;
  rows: number;
  failing: number[];
}

async function runTarget(
  session: LakeSession,
  target: CheckTarget,
  options: RunChecksOptions,
  minutes: SessionMinutes,
): Promise<CheckResult[]> {
  const model = qualifiedName(target.ref);
  const sampleSize = options.sampleSize ?? 5;
  const rowChecks = target.checks.filter((c) => c.failWhen && !c.anomaly);
  const started = performance.now();
  let scan: ScanRow[] | undefined;
  let scanError: string | undefined;
  try {
    scan = await sharedScan(session, target, rowChecks, options);
  } catch (err) {
    scanError = message(err);
  }
  const scanMs = Math.round(performance.now() - started);
  const scopeRows = scan?.reduce((n, r) => n + r.rows, 0) ?? 0;
  const results: CheckResult[] = [];
  for (const check of target.checks) {
    const t0 = performance.now();
    const head = {
      model,
      check: check.name,
      kind: check.kind ?? 'custom_sql',
      severity: check.severity,
      description: check.description,
      ...(check.threshold !== undefined ? { threshold: check.threshold } : {}),
    };
    const allowed = (rows: number) => (check.threshold ?? 0) * rows;
    const size = Math.trunc(check.sampleSize ?? sampleSize);
    try {
      if (check.anomaly) {
        const snap = session.snapshotOf(target.ref) ?? (await session.lake.catalog.snapshot(target.ref));
        const judged = judgeAnomalies(partitionRows(snap), check.anomaly, minutes, options);
        const flagged = judged.filter((j) => j.anomalous);
        results.push({
          ...head,
          status: flagged.length > 0 ? 'fail' : 'pass',
          failingRows: flagged.length,
          rows: judged.length,
          sample: flagged.slice(0, size).map((j) => ({ ...j.detail })),
          partitions: judged.map((j) => ({
            partition: j.partition,
            rows: j.rows,
            failingRows: j.anomalous ? 1 : 0,
            status: j.anomalous ? 'fail' : 'pass',
          })),
          ms: Math.round(performance.now() - t0),
        });
        continue;
      }
      const index = rowChecks.indexOf(check);
      if (index >= 0) {
        if (!scan) throw new Error(scanError ?? 'scan failed');
        if (scan.some((r) => Number.isNaN(r.failing[index]))) {
          // This check broke the shared scan: its own query says why.
          await session.all(`SELECT count(*) FROM (${check.sql})`);
          throw new Error('the check could not run');
        }
        let perPartition = scan.map((r) => ({
          partition: r.partition,
          rows: r.rows,
          failingRows: r.failing[index]!,
        }));
        const failingRows = perPartition.reduce((n, p) => n + p.failingRows, 0);
        const status: CheckStatus = failingRows > allowed(scopeRows) ? 'fail' : 'pass';
        const sample =
          failingRows > 0
            ? await session.all(
                `SELECT * FROM ${viewName(target.ref)} WHERE ${partitionScopeSql(target.partitionColumn ?? undefined)} AND (${check.failWhen}) LIMIT ${size}`,
              )
            : [];
        if (!target.partitionColumn) perPartition = [];
        results.push({
          ...head,
          status,
          failingRows,
          rows: scopeRows,
          sample,
          partitions: perPartition.map((p) => ({
            ...p,
            status: p.failingRows > allowed(p.rows) ? 'fail' : 'pass',
          })),
          ms: Math.round(performance.now() - t0) + Math.round(scanMs / Math.max(1, rowChecks.length)),
        });
        continue;
      }
      const [count] = await session.all<{ n: string }>(`SELECT count(*) AS n FROM (${check.sql})`);
      const failingRows = Number(count?.n ?? 0);
      const sample = failingRows > 0 ? await session.all(`SELECT * FROM (${check.sql}) LIMIT ${size}`) : [];
      results.push({
        ...head,
        status: failingRows > allowed(scopeRows) ? 'fail' : 'pass',
        failingRows,
        rows: scopeRows,
        sample,
        ms: Math.round(performance.now() - t0),
      });
    } catch (err) {
      results.push({
        ...head,
        status: 'error',
        failingRows: 0,
        rows: scopeRows,
        sample: [],
        ms: Math.round(performance.now() - t0),
        error: message(err),
      });
    }
  }
  return results;
}

/**
 * One query for all row-level checks of a table: one filtered count per check, per partition, over
 * only the rows that break at least one rule (`WHERE p1 OR p2 ...`, which lets DuckDB skip most of
 * the aggregation on clean data). Rows per partition come from the catalog's file list, not a scan.
 * When the query fails (a check names a column the table lacks), each check is scanned alone so the
 * others still report, and the broken one reports its own error.
 */
async function sharedScan(
  session: LakeSession,
  target: CheckTarget,
  checks: readonly ModelCheck[],
  scope: { from?: string; to?: string },
): Promise<ScanRow[]> {
  const snapshot = session.snapshotOf(target.ref) ?? (await session.lake.catalog.snapshot(target.ref));
  const rows = new Map<string, number>();
  for (const f of snapshot?.files ?? []) {
    const p = target.partitionColumn ? (f.partition ?? '') : '*';
    if (target.partitionColumn && ((scope.from && p < scope.from) || (scope.to && p > scope.to))) continue;
    rows.set(p, (rows.get(p) ?? 0) + f.rows);
  }
  const part = target.partitionColumn
    ? `coalesce(CAST(${ident(target.partitionColumn)} AS VARCHAR), '')`
    : `'*'`;
  const where = partitionScopeSql(target.partitionColumn ?? undefined);
  const read = async (list: readonly ModelCheck[]) => {
    const counts = new Map<string, number[]>();
    if (list.length === 0) return counts;
    const sql = `SELECT ${part} AS partition${list.map((c, i) => `, count(*) FILTER (WHERE ${c.failWhen}) AS c${i}`).join('')} FROM ${viewName(target.ref)} WHERE ${where} AND (${list.map((c) => `(${c.failWhen})`).join(' OR ')}) GROUP BY ALL`;
    for (const r of await session.all<Record<string, string | number | null>>(sql))
      counts.set(
        String(r.partition ?? ''),
        list.map((_c, i) => Number(r[`c${i}`] ?? 0)),
      );
    return counts;
  };
  const assemble = (failing: (p: string, i: number) => number) =>
    [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([partition, n]) => ({
        partition,
        rows: n,
        failing: checks.map((_c, i) => failing(partition, i)),
      }));
  try {
    const counts = await read(checks);
    return assemble((p, i) => counts.get(p)?.[i] ?? 0);
  } catch (err) {
    if (checks.length <= 1) throw err;
  }
  // One check broke the shared query: scan each alone; a broken one gets NaN (reported as an error).
  const each: (Map<string, number[]> | undefined)[] = [];
  for (const check of checks) each.push(await read([check]).catch(() => undefined));
  return assemble((p, i) => {
    const counts = each[i];
    return counts ? (counts.get(p)?.[0] ?? 0) : Number.NaN;
  });
}

/** Rows per partition from the catalog's file list (no scan). */
function partitionRows(snapshot: Snapshot | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of snapshot?.files ?? []) {
    if (f.partition === null) continue;
    out.set(f.partition, (out.get(f.partition) ?? 0) + f.rows);
  }
  return out;
}

/**
 * Regular-session minutes per date from gold.dim_date where it exists (holidays and unscheduled
 * closures known there); other dates follow the weekday and early-close rule (see anomaly.ts).
 */
async function sessionMinutesOf(session: LakeSession): Promise<SessionMinutes> {
  const known = new Map<string, number>();
  if (session.snapshotOf({ layer: 'gold', name: 'dim_date' })) {
    try {
      const rows = await session.all<{ d: string; m: number | null }>(
        `SELECT CAST("date" AS VARCHAR) AS d, CAST(date_diff('minute', nyse_open_local_time, nyse_close_local_time) AS INTEGER) AS m FROM gold.dim_date`,
      );
      for (const r of rows) known.set(r.d, r.m ?? 0);
    } catch {
      // An older dim_date without session times: the weekday rule applies.
    }
  }
  return known;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
