import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { BatchRecord, ColumnDef, CommitOperation, DataFile, Snapshot } from './catalog/catalog.js';
import { commitAllWithRetry } from './catalog/commit-retry.js';
import { crashPoint } from './catalog/sql-catalog.js';
import type { LakeSession } from './duckdb/session.js';
import { ident, literal } from './duckdb/sql.js';
import { CommitError, DuplicateBatchError } from './errors.js';
import { assertName, dataFileKey, qualifiedName, type TableRef } from './names.js';
import { emitLakeEvent } from './observers.js';

export interface WriteOptions {
  operation: CommitOperation;
  /** Column whose value names the partition folder (`dt=2024-03-04`); null = unpartitioned. */
  partitionColumn: string | null;
  /** For overwrite_partitions: partitions to replace even when the query yields no rows for them. */
  partitions?: string[];
  /** For rewrite_files: keys of the files the output replaces (compaction). */
  removeKeys?: string[];
  batch?: Omit<BatchRecord, 'rows' | 'committedAt'>;
  /** Refuse the commit (DuplicateBatchError) when the table already holds this batch's content. */
  uniqueBatch?: boolean;
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

/** One Parquet file a staging COPY wrote, not yet in the lake. */
export interface StagedFile {
  path: string;
  /** Partition value; null for an unpartitioned table, or for rows whose partition value was NULL. */
  partition: string | null;
  rows: number;
}

/** Rows of a query written as Parquet into a staging folder: the first half of writeTable. */
export interface StagedRows {
  dir: string;
  columns: ColumnDef[];
  partitionColumn: string | null;
  files: StagedFile[];
}

/** DuckDB's folder name for a NULL partition value. */
const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

interface ColumnStats {
  key: string;
  value: Array<{ key: string; value: string | null }>;
}

/** Min, max and null count of `column` in a COPY's RETURN_STATS row. */
function statsOf(row: CopyStat & { column_statistics?: ColumnStats[] }, column: string) {
  const entry = row.column_statistics?.find((c) => c.key === ident(column) || c.key === column);
  const get = (k: string) => entry?.value.find((v) => v.key === k)?.value ?? null;
  return { min: get('min'), max: get('max'), nulls: Number(get('null_count') ?? Number.NaN) };
}

export interface StageOptions {
  /**
   * Expect one partition (an input file of one day): write one file without DuckDB's
   * partitioning sink, which costs about a third of a plain write, and split it by partition
   * afterwards only when its statistics show more than one value (or NULLs).
   */
  onePartition?: boolean;
}

/**
 * Run `sql` and write its rows as zstd Parquet into a new staging folder (partition folders
 * when `partitionColumn` is set). Nothing is visible to readers; the caller commits the files
 * with commitStagedRows (or discards them) and removes `dir`.
 */
export async function stageRows(
  session: LakeSession,
  sql: string,
  partitionColumn: string | null,
  options: StageOptions = {},
): Promise<StagedRows> {
  const columns = await session.describe(sql);
  const column = partitionColumn === null ? null : assertName('column', partitionColumn);
  if (column && !columns.some((c) => c.name === column)) {
    throw new CommitError(`query has no partition column ${column}`);
  }
  const dir = await session.lake.store.createStagingDir();
  try {
    const copy = async (source: string, partitioned: boolean, folder = dir) => {
      const target = partitioned ? folder : `${folder}/part_${randomUUID()}.parquet`;
      const partitionOptions = partitioned
        ? `, PARTITION_BY (${ident(column as string)}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part_{uuid}'`
        : '';
      // describe() above already staged the views `sql` reads.
      const reader = await session.connection.runAndReadAll(
        `COPY (${source}) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd${partitionOptions}, RETURN_STATS true)`,
      );
      return reader.getRowObjectsJson() as unknown as Array<CopyStat & { column_statistics?: ColumnStats[] }>;
    };
    if (column && options.onePartition) {
      const [stat] = await copy(sql, false);
      if (!stat) throw new CommitError('COPY returned no file');
      const rows = Number(stat.count);
      const { min, max, nulls } = statsOf(stat, column);
      if (rows === 0) return { dir, columns, partitionColumn: column, files: [] };
      if (min !== null && min === max && nulls === 0) {
        return {
          dir,
          columns,
          partitionColumn: column,
          files: [{ path: stat.filename, partition: min, rows }],
        };
      }
      // More than one partition after all: split the file (a fraction of the first pass).
      const stats = await copy(`SELECT * FROM read_parquet(${literal(stat.filename)})`, true, `${dir}/split`);
      await rm(stat.filename, { force: true });
      return { dir, columns, partitionColumn: column, files: filesOf(stats, column) };
    }
    const stats = await copy(sql, column !== null);
    return { dir, columns, partitionColumn: column, files: filesOf(stats, column) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function filesOf(stats: CopyStat[], column: string | null): StagedFile[] {
  return stats
    .map((stat) => ({
      path: stat.filename,
      partition: column ? partitionValueOf(stat.filename, column) : null,
      rows: Number(stat.count),
    }))
    .filter((f) => f.rows > 0);
}

/** One table's staged rows and how to commit them, for commitStagedTables. */
export interface StagedCommit {
  ref: TableRef;
  staged: StagedRows;
  options: Omit<WriteOptions, 'partitionColumn'>;
}

/**
 * Move staged files to their final (unique) keys, then commit one catalog snapshot that
 * references them. Until the commit, readers see nothing of it; a crash leaves only
 * unreferenced files that vacuum removes.
 */
export async function commitStagedRows(
  session: LakeSession,
  ref: TableRef,
  staged: StagedRows,
  options: Omit<WriteOptions, 'partitionColumn'>,
): Promise<WriteResult> {
  const [result] = await commitStagedTables(session, [{ ref, staged, options }]);
  return result!;
}

/**
 * commitStagedRows for several tables at once: every file of every table is put in place, then
 * one catalog transaction commits all their snapshots (bronze and its quarantine appear
 * together or not at all). When the commit is refused (a duplicate batch, a conflict), the
 * files it would have referenced are removed again.
 */
export async function commitStagedTables(
  session: LakeSession,
  items: readonly StagedCommit[],
): Promise<WriteResult[]> {
  const { store, catalog } = session.lake;
  crashPoint('after-staging');
  const placed: DataFile[][] = [];
  let snapshots: Snapshot[];
  let committing = false;
  let commitStarted = 0;
  try {
    for (const { ref, staged } of items) {
      const files: DataFile[] = [];
      placed.push(files);
      for (const file of staged.files) {
        if (staged.partitionColumn && file.partition === null) {
          throw new CommitError(
            `${qualifiedName(ref)}: ${file.rows} rows have no ${staged.partitionColumn} value`,
          );
        }
        const key = dataFileKey(ref, staged.partitionColumn, file.partition, basename(file.path));
        const { bytes, etag } = await store.putFile(key, file.path);
        files.push({ key, partition: file.partition, rows: file.rows, bytes, etag });
        crashPoint('after-first-upload');
      }
    }
    crashPoint('before-commit');
    const committedAt = new Date().toISOString();
    committing = true;
    commitStarted = performance.now();
    // A catalog database restarting mid-commit is ridden out: retried with backoff, never applied twice.
    snapshots = await commitAllWithRetry(
      catalog,
      items.map(({ ref, staged, options }, i) => {
        const files = placed[i]!;
        const { batch, uniqueBatch, operation, partitions, removeKeys, properties } = options;
        return {
          ref,
          change: {
            operation,
            columns: staged.columns,
            partitionColumn: staged.partitionColumn,
            files,
            ...(partitions ? { partitions } : {}),
            ...(removeKeys ? { removeKeys } : {}),
            ...(batch ? { batch: { ...batch, rows: rowsOf(files), committedAt } } : {}),
            ...(uniqueBatch ? { uniqueBatch } : {}),
            ...(properties ? { properties } : {}),
          },
        };
      }),
    );
    reportCommit(items, commitStarted, 'committed');
  } catch (err) {
    if (committing) {
      const refused = err instanceof CommitError || err instanceof DuplicateBatchError;
      reportCommit(items, commitStarted, refused ? 'refused' : 'failed');
    }
    // Files not committed yet, or refused by the catalog, are referenced by nothing: remove them
    // now rather than leave them to vacuum. After any other failure of the commit (a lost
    // connection) it may have happened, so the files stay and vacuum decides.
    if (!committing || err instanceof CommitError || err instanceof DuplicateBatchError) {
      await Promise.all(placed.flat().map((f) => store.delete(f.key).catch(() => {})));
    }
    throw err;
  }
  for (const { ref } of items) await session.refreshView(ref);
  return items.map((_, i) => ({ snapshot: snapshots[i]!, rows: rowsOf(placed[i]!), files: placed[i]! }));
}

/** Telemetry: the catalog transaction's latency, per table it committed (see observers.ts). */
function reportCommit(
  items: readonly StagedCommit[],
  started: number,
  status: 'committed' | 'refused' | 'failed',
): void {
  const seconds = (performance.now() - started) / 1000;
  emitLakeEvent({ type: 'commit', tables: items.map((i) => qualifiedName(i.ref)), seconds, status });
}

const rowsOf = (files: readonly DataFile[]) => files.reduce((n, f) => n + f.rows, 0);

/**
 * The one way anything is written to the lake: run `sql`, write its rows as Parquet into a
 * staging folder (stageRows), move the files to their final keys and commit one catalog
 * snapshot that references them (commitStagedRows).
 */
export async function writeTable(
  session: LakeSession,
  ref: TableRef,
  sql: string,
  options: WriteOptions,
): Promise<WriteResult> {
  let staged: StagedRows;
  try {
    staged = await stageRows(session, sql, options.partitionColumn);
  } catch (err) {
    if (err instanceof CommitError) throw new CommitError(`${qualifiedName(ref)}: ${err.message}`);
    throw err;
  }
  try {
    return await commitStagedRows(session, ref, staged, options);
  } finally {
    await rm(staged.dir, { recursive: true, force: true });
  }
}

function partitionValueOf(filename: string, column: string): string | null {
  const folder = basename(dirname(filename));
  const prefix = `${column}=`;
  if (!folder.startsWith(prefix)) throw new CommitError(`unexpected partition folder ${folder}`);
  const value = folder.slice(prefix.length);
  return value === NULL_PARTITION ? null : decodeURIComponent(value);
}
