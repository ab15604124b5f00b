import type { LakeSession, Layer, TableRef } from '../layers/index.js';

export type Severity = 'error' | 'warn';

/** What a check tests: a closed set, so reports and history can group by it. */
export const CHECK_KINDS = [
  'not_null',
  'unique',
  'accepted_values',
  'range',
  'relationships',
  'freshness',
  'row_count',
  'row_count_anomaly',
  'expression',
  'market_rule',
  'custom_sql',
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Row-count anomaly settings (see `rowCountAnomaly` in models/checks.ts). */
export interface AnomalySettings {
  /** Trailing partitions compared against (default 20); fewer than `minHistory` (5) = not judged. */
  trailing: number;
  minHistory: number;
  /** `nyse`: counts are per minute of the NYSE regular session, so early closes and holidays are normal. */
  calendar: 'nyse' | 'daily';
  /** Flag when |robust z| > maxZ and the change from the median is more than maxChange (a share). */
  maxZ: number;
  maxChange: number;
}

/**
 * A data-quality check: a query returning the rows that break a rule (none = pass).
 * Row-level checks also carry `failWhen`: the runner then evaluates every such check of a table in
 * one shared scan (one `count(*) FILTER (WHERE ...)` per check) and reads `sql` only for samples.
 */
export interface ModelCheck {
  name: string;
  severity: Severity;
  description: string;
  /** SELECT returning offending rows, over the model's own view. */
  sql: string;
  /** Rows the report shows (default the runner's, 5): more for checks whose rows are a list to read. */
  sampleSize?: number;
  /** Defaults to `custom_sql`. */
  kind?: CheckKind;
  /** Boolean SQL over one row of the table: true for an offending row (enables the shared scan). */
  failWhen?: string;
  /** Share of rows (0..1) allowed to fail before the check fails; default 0. */
  threshold?: number;
  /** Set for `row_count_anomaly`: judged from the catalog's per-partition row counts, `sql` unused. */
  anomaly?: AnomalySettings;
}

export interface ModelColumn {
  name: string;
  description: string;
}

/**
 * How a run rebuilds a table.
 * - `full_refresh`: the whole table is replaced when any input changed (small dimensions).
 * - `partitions`: only the partitions whose inputs changed are recomputed, each overwritten
 *   atomically. Output partition `p` reads input partitions `[p - lookbackDays, p + lookaheadDays]`
 *   (trailing windows look back; a New York session spills into the next UTC day, so it looks
 *   ahead); conversely a changed input partition `d` invalidates outputs
 *   `[d - lookaheadDays, d + lookbackDays]`. Partition values are dates (`YYYY-MM-DD`).
 *   The SQL reads only `[getvariable('input_from'), getvariable('input_to')]` of its partitioned
 *   inputs; the runner sets both (to the whole range on a full refresh).
 */
export type IncrementalStrategy =
  | { kind: 'full_refresh' }
  | { kind: 'partitions'; lookbackDays: number; lookaheadDays: number };

/**
 * A TypeScript step for what DuckDB cannot do (e.g. scoring text with an npm package). It gets the
 * rows of the model's SQL (already limited to the input range) in a temporary table and returns
 * the SELECT whose rows become the model's output.
 */
export interface ModelStep {
  /** What the step does, e.g. `vader-sentiment 1.1.3 compound score`. */
  describe(): string;
  run(session: LakeSession, inputSql: string): Promise<{ sql: string; cleanup(): Promise<void> }>;
}

/**
 * One silver or gold table: what it holds and how it is built. Its SQL is `sql/<layer>/<table>.sql`;
 * its upstream tables are read from that SQL, never listed by hand.
 */
export interface ModelDefinition {
  ref: TableRef & { layer: Extract<Layer, 'silver' | 'gold'> };
  description: string;
  /** "one row per ..." */
  grain: string;
  uniqueKey: readonly string[];
  /** Partition column, or null for a small unpartitioned table. */
  partitionColumn: string | null;
  incremental: IncrementalStrategy;
  columns: readonly ModelColumn[];
  checks: readonly ModelCheck[];
  /** Optional TypeScript step between the SQL and the table (see ModelStep). */
  step?: ModelStep;
}

/** `silver.trades` */
export function modelName(model: Pick<ModelDefinition, 'ref'>): string {
  return `${model.ref.layer}.${model.ref.name}`;
}

/** Path of the model's SQL relative to the `sql/` folder. */
export function modelSqlPath(model: Pick<ModelDefinition, 'ref'>): string {
  return `${model.ref.layer}/${model.ref.name}.sql`;
}

/** Incremental strategy of a small table rebuilt whole. */
export const FULL_REFRESH: IncrementalStrategy = Object.freeze({ kind: 'full_refresh' });

/** Partition-incremental strategy with the given input window in days. */
export function byPartition(lookbackDays = 0, lookaheadDays = 0): IncrementalStrategy {
  return Object.freeze({ kind: 'partitions', lookbackDays, lookaheadDays });
}
