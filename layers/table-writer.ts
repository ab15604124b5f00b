import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { BatchRecord, CommitOperation, DataFile, Snapshot } from './catalog/catalog.js';
import { crashPoint } from './catalog/sql-catalog.js';
import type { LakeSession } from './duckdb/session.js';
import { ident, literal } from './duckdb/sql.js';
import { CommitError } from './errors.js';
import { assertName, dataFileKey, qualifiedName, type TableRef } from './names.js';

export interface WriteOptions {
  operation: CommitOperation;
  /** Column whose value names the partition folder (`dt=2024-03-04`); null = unpartitioned. */
  partitionColumn: string | null;
  /** For overwrite_partitions: partitions to replace even when the query yields no rows for them. */
  partitions?: string[];
  /** For rewrite_files: keys of the files the output replaces (compaction). */
  removeKeys?: string[];
  batch?: Omit<BatchRecord, 'rows' | 'committedAt'>;
  /** Kept with the snapshot (see Snapshot.properties). */
  properties?: Record<string, unknown>;
}

export interface WriteResult {
  snapshot: Snapshot;
  rows: number;
  files: DataFile[];
}

interface CopyStat {
  filename: string;
  count: string | number;
  file_size_bytes: string | number;
}

/**
 * The one way anything is written to the lake: run `sql`, write its rows as Parquet into a
 * staging folder, move the files to their final (unique) keys, then commit one catalog snapshot
 * that references them. Until the commit, readers see nothing of it; a crash leaves only
 * unreferenced files that vacuum removes.
 */
export async function writeTable(
  session: LakeSession,
  ref: TableRef,
  sql: string,
  options: WriteOptions,
): Promise<WriteResult> {
  const { store, catalog } = session.lake;
  const columns = await session.describe(sql);
  const partitionColumn =
    options.partitionColumn === null ? null : assertName('column', options.partitionColumn);
  if (partitionColumn && !columns.some((c) => c.name === partitionColumn)) {
    throw new CommitError(`${qualifiedName(ref)}: query has no partition column ${partitionColumn}`);
  }
  const staging = await store.createStagingDir();
  try {
    const target = partitionColumn ? staging : `${staging}/part_${randomUUID()}.parquet`;
    const partitionOptions = partitionColumn
      ? `, PARTITION_BY (${ident(partitionColumn)}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part_{uuid}'`
      : '';
    // describe() above already staged the views `sql` reads.
    const reader = await session.connection.runAndReadAll(
      `COPY (${sql}) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd${partitionOptions}, RETURN_STATS true)`,
    );
    const stats = reader.getRowObjectsJson() as unknown as CopyStat[];
    crashPoint('after-staging');
    const files: DataFile[] = [];
    for (const stat of stats) {
      const rows = Number(stat.count);
      if (rows === 0) continue;
      const partition = partitionColumn ? partitionValueOf(stat.filename, partitionColumn) : null;
      const key = dataFileKey(ref, partitionColumn, partition, basename(stat.filename));
      const { bytes, etag } = await store.putFile(key, stat.filename);
      files.push({ key, partition, rows, bytes, etag });
      crashPoint('after-first-upload');
    }
    crashPoint('before-commit');
    const rows = files.reduce((n, f) => n + f.rows, 0);
    const batch = options.batch
      ? { ...options.batch, rows, committedAt: new Date().toISOString() }
      : undefined;
    const snapshot = await catalog.commit(ref, {
      operation: options.operation,
      columns,
      partitionColumn,
      files,
      ...(options.partitions ? { partitions: options.partitions } : {}),
      ...(options.removeKeys ? { removeKeys: options.removeKeys } : {}),
      ...(batch ? { batch } : {}),
      ...(options.properties ? { properties: options.properties } : {}),
    });
    await session.refreshView(ref);
    return { snapshot, rows, files };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function partitionValueOf(filename: string, column: string): string {
  const folder = basename(dirname(filename));
  const prefix = `${column}=`;
  if (!folder.startsWith(prefix)) throw new CommitError(`unexpected partition folder ${folder}`);
  return decodeURIComponent(folder.slice(prefix.length));
}
