import type { TableRef } from '../names.js';

export interface ColumnDef {
  name: string;
  /** DuckDB type, e.g. VARCHAR, DOUBLE, TIMESTAMP WITH TIME ZONE. */
  type: string;
}

export interface DataFile {
  /** Object key inside the lake. */
  key: string;
  /** Partition value (e.g. `2024-03-04`), or null for an unpartitioned table. */
  partition: string | null;
  rows: number;
  bytes: number;
}

/** One ingested batch: lets a re-ingest of the same content be a no-op. */
export interface BatchRecord {
  batchId: string;
  contentHash: string;
  rows: number;
  source: string;
  committedAt: string;
}

export interface Snapshot {
  layer: TableRef['layer'];
  table: string;
  version: number;
  committedAt: string;
  operation: CommitOperation;
  columns: ColumnDef[];
  partitionColumn: string | null;
  files: DataFile[];
  batches: BatchRecord[];
  /** Free-form facts a writer keeps with the snapshot, e.g. the input snapshot versions a model read. */
  properties?: Record<string, unknown>;
}

export type CommitOperation = 'append' | 'overwrite_partitions' | 'replace';

export interface TableChange {
  operation: CommitOperation;
  columns: ColumnDef[];
  partitionColumn: string | null;
  files: DataFile[];
  /** For `overwrite_partitions`: the partitions replaced (even those that end up empty). */
  partitions?: string[];
  batch?: BatchRecord;
  /** Stored with the new snapshot (replaces the previous snapshot's properties). */
  properties?: Record<string, unknown>;
}

export interface SnapshotSummary {
  version: number;
  committedAt: string;
  operation: CommitOperation;
  files: number;
  rows: number;
}

/**
 * The table catalog: which data files make up each table at each snapshot.
 * A commit is atomic: readers see the previous snapshot or the new one, never a mix.
 */
export interface Catalog {
  listTables(): Promise<TableRef[]>;
  /** The current snapshot, or the last one committed at or before `asOf`. */
  snapshot(ref: TableRef, asOf?: Date): Promise<Snapshot | undefined>;
  /** One exact version of a table, or undefined if it does not exist. */
  snapshotVersion(ref: TableRef, version: number): Promise<Snapshot | undefined>;
  history(ref: TableRef): Promise<SnapshotSummary[]>;
  commit(ref: TableRef, change: TableChange): Promise<Snapshot>;
  findBatch(ref: TableRef, contentHash: string): Promise<BatchRecord | undefined>;
}
