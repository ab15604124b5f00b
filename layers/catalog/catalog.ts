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
  /** ETag from the object store (S3), used to key the local read cache. */
  etag?: string | null;
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
  /** Version of this table (1, 2, ...). */
  version: number;
  /** Catalog-wide snapshot id: increases with every commit to any table (`--as-of <id>`). */
  snapshotId: number;
  committedAt: string;
  operation: CommitOperation;
  columns: ColumnDef[];
  partitionColumn: string | null;
  files: DataFile[];
  /** Free-form facts a writer keeps with the snapshot, e.g. the input snapshot versions a model read. */
  properties?: Record<string, unknown>;
}

/**
 * - append: add files.
 * - overwrite_partitions: replace every file of the named partitions.
 * - replace: replace the whole table.
 * - rewrite_files: replace exactly `removeKeys` (compaction); fails if any is no longer current.
 */
export type CommitOperation = 'append' | 'overwrite_partitions' | 'replace' | 'rewrite_files';

export interface TableChange {
  operation: CommitOperation;
  columns: ColumnDef[];
  partitionColumn: string | null;
  files: DataFile[];
  /** For `overwrite_partitions`: the partitions replaced (even those that end up empty). */
  partitions?: string[];
  /** For `rewrite_files`: keys of the files the new ones replace. */
  removeKeys?: string[];
  batch?: BatchRecord;
  /**
   * The batch must be new to this table: checked inside the commit's transaction, under the
   * table's write lock, so of two writers of the same content exactly one commits and the other
   * gets a DuplicateBatchError (its files are then unreferenced). False for `--force` re-ingests.
   */
  uniqueBatch?: boolean;
  /** Stored with the new snapshot (replaces the previous snapshot's properties). */
  properties?: Record<string, unknown>;
}

/** One table's part of a multi-table commit. */
export interface TableCommit {
  ref: TableRef;
  change: TableChange;
}

export interface SnapshotSummary {
  version: number;
  snapshotId: number;
  committedAt: string;
  operation: CommitOperation;
  files: number;
  rows: number;
}

/** Read a table as of an instant or a catalog-wide snapshot id. */
export type AsOf = Date | number;

/**
 * The table catalog: which data files make up each table at each snapshot.
 * A commit is one transaction: readers see the previous snapshot or the new one, never a mix.
 */
export interface Catalog {
  /** Printable description (no secrets). */
  readonly description: string;
  listTables(): Promise<TableRef[]>;
  /** The current snapshot, or the last one at or before `asOf`. */
  snapshot(ref: TableRef, asOf?: AsOf): Promise<Snapshot | undefined>;
  /** One exact version of a table, or undefined if it does not exist. */
  snapshotVersion(ref: TableRef, version: number): Promise<Snapshot | undefined>;
  history(ref: TableRef): Promise<SnapshotSummary[]>;
  commit(ref: TableRef, change: TableChange): Promise<Snapshot>;
  /**
   * Several tables in one transaction (bronze and its quarantine, a stream batch and its offsets):
   * all snapshots appear together or none does. Snapshots come back in the order of `changes`.
   */
  commitAll(changes: readonly TableCommit[]): Promise<Snapshot[]>;
  findBatch(ref: TableRef, contentHash: string): Promise<BatchRecord | undefined>;
  /**
   * Take (or renew) the lease `name` for `owner` until now + `ttlMs`; false while another owner
   * holds an unexpired lease. Leases live in the catalog, so they work across processes and hosts.
   */
  tryLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give a lease back (no-op when `owner` no longer holds it). */
  unlock(name: string, owner: string): Promise<void>;
  /** Keys of every data file any retained snapshot references (vacuum keeps these). */
  referencedKeys(): Promise<Set<string>>;
  /**
   * Forget snapshots committed before `before` (the current one of each table stays) and return the
   * keys of files no remaining snapshot can see, for deletion.
   */
  expireSnapshots(before: Date): Promise<string[]>;
  /**
   * The lake's identity: a UUID created once, the first time any process asks, and kept in the
   * catalog (two processes opening a new lake at once get the same id). Queued jobs carry it.
   */
  lakeId(): Promise<string>;
  close(): Promise<void>;
}
