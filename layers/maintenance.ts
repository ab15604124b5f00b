import { crashPoint } from './catalog/sql-catalog.js';
import type { LakeSession } from './duckdb/session.js';
import { ident, literal } from './duckdb/sql.js';
import type { Lake } from './lake.js';
import { LAYERS, layerFolder, qualifiedName, STAGING_PREFIX, type TableRef } from './names.js';
import { writeTable } from './table-writer.js';

export interface VacuumOptions {
  /** Files not referenced by the catalog are removed only once older than this (a writer may be
   * between upload and commit). Default 1 hour. */
  orphanGraceMs?: number;
  /** Snapshots older than this are expired (the current one always stays). Default 7 days. */
  retainSnapshotsMs?: number;
}

export interface VacuumResult {
  expiredFiles: number;
  orphanFiles: number;
  bytesFreed: number;
}

const HOUR = 3_600_000;

/**
 * Expire old snapshots and delete the files no remaining snapshot sees, then delete orphans:
 * data files a crashed writer uploaded but never committed, and stale staging folders.
 */
export async function vacuum(lake: Lake, options: VacuumOptions = {}): Promise<VacuumResult> {
  const now = Date.now();
  const grace = options.orphanGraceMs ?? HOUR;
  const retain = options.retainSnapshotsMs ?? 7 * 24 * HOUR;
  const result: VacuumResult = { expiredFiles: 0, orphanFiles: 0, bytesFreed: 0 };

  const expired = await lake.catalog.expireSnapshots(new Date(now - retain));
  crashPoint('vacuum-after-expire');
  for (const key of expired) {
    await lake.store.delete(key);
    result.expiredFiles += 1;
    crashPoint('vacuum-after-first-delete');
  }
  const referenced = await lake.catalog.referencedKeys();
  const prefixes = [...LAYERS.map(layerFolder), STAGING_PREFIX];
  for (const prefix of prefixes) {
    for (const obj of await lake.store.list(prefix)) {
      if (referenced.has(obj.key) || now - obj.lastModified.getTime() < grace) continue;
      await lake.store.delete(obj.key);
      result.orphanFiles += 1;
      result.bytesFreed += obj.size;
    }
  }
  return result;
}

export interface CompactResult {
  table: string;
  partitions: number;
  filesBefore: number;
  filesAfter: number;
}

/**
 * Merge the small files of each partition into one, as a `rewrite_files` commit: the new file
 * replaces exactly the files it was made from, so rows appended meanwhile are kept, and query
 * results do not change. Partitions with fewer than `minFiles` files are left alone.
 */
export async function compactTable(
  session: LakeSession,
  ref: TableRef,
  minFiles = 2,
): Promise<CompactResult> {
  const snap = await session.lake.catalog.snapshot(ref);
  const result = { table: qualifiedName(ref), partitions: 0, filesBefore: 0, filesAfter: 0 };
  if (!snap) return result;
  const byPartition = new Map<string | null, typeof snap.files>();
  for (const f of snap.files) byPartition.set(f.partition, [...(byPartition.get(f.partition) ?? []), f]);
  for (const files of byPartition.values()) {
    if (files.length < minFiles) continue;
    const paths = await Promise.all(files.map((f) => session.lake.store.localPathForRead(f.key, f.etag)));
    const source = `read_parquet([${paths.map(literal).join(', ')}], union_by_name = true)`;
    const present = new Set((await session.describe(`SELECT * FROM ${source}`)).map((c) => c.name));
    const projection = snap.columns
      .map((c) => (present.has(c.name) ? ident(c.name) : `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`))
      .join(', ');
    await writeTable(session, ref, `SELECT ${projection} FROM ${source}`, {
      operation: 'rewrite_files',
      partitionColumn: snap.partitionColumn,
      removeKeys: files.map((f) => f.key),
    });
    result.partitions += 1;
    result.filesBefore += files.length;
    result.filesAfter += 1;
    crashPoint('compact-after-first-partition');
  }
  return result;
}
