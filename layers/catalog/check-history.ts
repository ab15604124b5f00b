import type { Kysely } from 'kysely';
import type { CatalogDatabase } from './catalog-schema.js';

/** One stored data-quality result: a check on one partition ('*' = its whole scope) in one run. */
export interface CheckResultRow {
  runId: string;
  checkedAt: string;
  /** Table checked, e.g. `gold.fact_bars` or `bronze.trades`. */
  model: string;
  check: string;
  partition: string;
  kind: string;
  severity: 'warn' | 'error';
  status: 'pass' | 'fail' | 'error';
  rows: number;
  failingRows: number;
  threshold: number | null;
  sample: Record<string, unknown>[] | null;
  error: string | null;
  ms: number;
}

/** Data-quality history in the catalog database (table `ml_check_results`, migration 0006). */
export interface CheckHistory {
  /** Store the results of one run (a rerun of the same run id replaces its rows). */
  record(rows: readonly CheckResultRow[]): Promise<void>;
  /** Whole-scope rows ('*') of the last `runs` runs, newest first; optionally one table's or one check's. */
  recent(options?: { model?: string; check?: string; runs?: number }): Promise<CheckResultRow[]>;
  /** Every row (all partitions) of one run. */
  ofRun(runId: string): Promise<CheckResultRow[]>;
}

const CHUNK = 200;

export class SqlCheckHistory implements CheckHistory {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async record(rows: readonly CheckResultRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) => ({
      run_id: r.runId,
      checked_at: r.checkedAt,
      model: r.model,
      check_name: r.check,
      partition: r.partition,
      kind: r.kind,
      severity: r.severity,
      status: r.status,
      rows: r.rows,
      failing_rows: r.failingRows,
      threshold: r.threshold,
      sample: r.sample && r.sample.length > 0 ? JSON.stringify(r.sample, bigintAsText) : null,
      error: r.error,
      ms: r.ms,
    }));
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += CHUNK) {
        await trx
          .insertInto('ml_check_results')
          .values(values.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.columns(['run_id', 'model', 'check_name', 'partition']).doUpdateSet((eb) => ({
              checked_at: eb.ref('excluded.checked_at'),
              status: eb.ref('excluded.status'),
              rows: eb.ref('excluded.rows'),
              failing_rows: eb.ref('excluded.failing_rows'),
              sample: eb.ref('excluded.sample'),
              error: eb.ref('excluded.error'),
              ms: eb.ref('excluded.ms'),
            })),
          )
          .execute();
      }
    });
  }

  async recent(options: { model?: string; check?: string; runs?: number } = {}): Promise<CheckResultRow[]> {
    let runs = this.db
      .selectFrom('ml_check_results')
      .select('run_id')
      .select((eb) => eb.fn.max('checked_at').as('at'))
      .where('partition', '=', '*');
    if (options.model) runs = runs.where('model', '=', options.model);
    if (options.check) runs = runs.where('check_name', '=', options.check);
    const lastRuns = await runs
      .groupBy('run_id')
      .orderBy('at', 'desc')
      .limit(options.runs ?? 20)
      .execute();
    if (lastRuns.length === 0) return [];
    let q = this.db
      .selectFrom('ml_check_results')
      .selectAll()
      .where('partition', '=', '*')
      .where(
        'run_id',
        'in',
        lastRuns.map((r) => r.run_id),
      );
    if (options.model) q = q.where('model', '=', options.model);
    if (options.check) q = q.where('check_name', '=', options.check);
    const rows = await q.orderBy('checked_at', 'desc').orderBy('model').orderBy('check_name').execute();
    return rows.map(toRow);
  }

  async ofRun(runId: string): Promise<CheckResultRow[]> {
    const rows = await this.db
      .selectFrom('ml_check_results')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('model')
      .orderBy('check_name')
      .orderBy('partition')
      .execute();
    return rows.map(toRow);
  }
}

const bigintAsText = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function toRow(r: CatalogDatabase['ml_check_results']): CheckResultRow {
  return {
    runId: r.run_id,
    checkedAt: r.checked_at,
    model: r.model,
    check: r.check_name,
    partition: r.partition,
    kind: r.kind,
    severity: r.severity as CheckResultRow['severity'],
    status: r.status as CheckResultRow['status'],
    rows: Number(r.rows),
    failingRows: Number(r.failing_rows),
    threshold: r.threshold === null ? null : Number(r.threshold),
    sample: r.sample ? (JSON.parse(r.sample) as Record<string, unknown>[]) : null,
    error: r.error,
    ms: Number(r.ms),
  };
}
