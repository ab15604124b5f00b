import type { Layer, TableRef } from '../layers/index.js';

export type Severity = 'error' | 'warn';

/** A data-quality check: a query returning the rows that break a rule (none = pass). */
export interface ModelCheck {
  name: string;
  severity: Severity;
  description: string;
  /** SELECT returning offending rows, over the model's own view. */
  sql: string;
}

export interface ModelColumn {
  name: string;
  description: string;
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
  /** How a run rebuilds the table. Partition-incremental runs come with the transforms issue. */
  incremental: 'full_refresh';
  columns: readonly ModelColumn[];
  checks: readonly ModelCheck[];
}

/** `silver.trades` */
export function modelName(model: Pick<ModelDefinition, 'ref'>): string {
  return `${model.ref.layer}.${model.ref.name}`;
}

/** Path of the model's SQL relative to the `sql/` folder. */
export function modelSqlPath(model: Pick<ModelDefinition, 'ref'>): string {
  return `${model.ref.layer}/${model.ref.name}.sql`;
}
