import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS } from '../../contracts/index.js';
import { ident, type LakeSession, literal, tableRef, UsageError, writeTable } from '../../layers/index.js';
import { headerNames } from '../sources/csv-records.js';
import { columnNames } from '../sources/map-record.js';
import { readMapped } from '../sources/mapped-source.js';
import type { ColumnMapping } from '../sources/mapping.js';
import { type BronzeBatchResult, writeBronzeBatch } from './bronze-writer.js';
import { quarantineRowsSql, stageWithSql } from './bulk-sql.js';
import { type FileScan, readFirstLine, scanFile } from './file-scan.js';

export type IngestEngine = 'auto' | 'sql' | 'js';

export interface IngestFileOptions {
  mapping: ColumnMapping;
  /** auto: SQL inside DuckDB when the file is line-safe, per record otherwise. */
  engine?: IngestEngine;
  force?: boolean;
}

export interface IngestFileResult extends BronzeBatchResult {
  engine: 'sql' | 'js';
}

/** Column names of a delimited file: its header (quoted names allowed) or column1..N. */
function delimitedNames(mapping: ColumnMapping, firstLine: string): string[] {
  const header = headerNames(firstLine, mapping.delimiter);
  return columnNames(mapping.header ? header : null, header.length);
}

/**
 * One file → one bronze batch (+ quarantine), identified by the sha256 of its content.
 * accepted + quarantined = records read; a file already ingested is a no-op unless `force`.
 *
 * The SQL engine stages the file while Node hashes and scans it (both run at once: DuckDB on
 * its threads, the hash on the main thread); if the scan finds the file unsafe for the line
 * reader (invalid UTF-8, CR line ends, quoted CSV fields), auto falls back to the per-record
 * engine and the staged result is dropped.
 */
export async function ingestMappedFile(
  session: LakeSession,
  file: string,
  options: IngestFileOptions,
): Promise<IngestFileResult> {
  const { mapping } = options;
  const parquet = mapping.layout === 'parquet';
  if (parquet && options.engine === 'js') throw new UsageError('parquet input runs on the SQL engine only');
  const names = mapping.layout === 'csv' ? delimitedNames(mapping, await readFirstLine(file)) : [];
  const staging = await session.lake.store.createStagingDir();
  try {
    const staged = join(staging, 'staged.parquet');
    const wantSql = options.engine !== 'js';
    const stage = wantSql
      ? stageWithSql(session, { file, mapping, names, target: staged }).then(
          () => undefined,
          (err: unknown) => err,
        )
      : Promise.resolve(new Error('not staged'));
    const [scan, stageError] = await Promise.all([scanFile(file), stage]);
    const quotedCsv = mapping.layout === 'csv' && scan.hasQuotes;
    const sqlOk = options.engine === 'sql' ? !quotedCsv : scan.sqlSafe && !quotedCsv;
    const engine = parquet || (wantSql && sqlOk) ? 'sql' : 'js';
    if (
      !options.force &&
      (await session.lake.catalog.findBatch(tableRef('bronze', mapping.dataset), scan.contentHash))
    ) {
      return { ...duplicateOf(mapping.dataset, scan.contentHash), engine };
    }
    if (engine === 'js') {
      const r = await writeBronzeBatch(
        session,
        mapping.dataset,
        readMapped(file, mapping, names, { quoted: scan.hasQuotes }),
        {
          source: file,
          contentHash: scan.contentHash,
          ...(options.force ? { force: true } : {}),
        },
      );
      return { ...r, engine };
    }
    if (stageError) throw stageError;
    return { ...(await commitStaged(session, file, staged, scan, options)), engine };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The result for a file whose content is already in bronze: nothing read, nothing written. */
export function duplicateOf(dataset: ColumnMapping['dataset'], contentHash: string): IngestFileResult {
  const base = { dataset, batchId: randomUUID(), contentHash, partitions: [] as string[] };
  return { ...base, read: 0, accepted: 0, quarantined: 0, duplicateBatch: true, engine: 'js' };
}

/** Split a staged file into quarantine and bronze, each committed with the batch's content hash. */
async function commitStaged(
  session: LakeSession,
  file: string,
  staged: string,
  scan: FileScan,
  options: IngestFileOptions,
): Promise<BronzeBatchResult> {
  const { dataset } = options.mapping;
  const bronze = tableRef('bronze', dataset);
  const quarantine = tableRef('quarantine', dataset);
  const base = { dataset, batchId: randomUUID(), contentHash: scan.contentHash, partitions: [] as string[] };
  if (!options.force && (await session.lake.catalog.findBatch(bronze, scan.contentHash))) {
    return { ...base, read: 0, accepted: 0, quarantined: 0, duplicateBatch: true };
  }
  const from = `read_parquet(${literal(staged)})`;
  const batch = { batchId: base.batchId, contentHash: scan.contentHash, source: file };
  const lineage = `${literal(base.batchId)} AS batch_id, ${literal(new Date().toISOString())}::TIMESTAMPTZ AS ingested_at`;
  const [row] = await session.all<{ n: string }>(
    `SELECT count(*) AS n FROM ${from} WHERE reason IS NOT NULL`,
  );
  const quarantined = Number(row?.n ?? 0);
  // Quarantine first (bronze carries the batch record that makes a rerun a no-op); after a crash
  // between the two commits the quarantine batch is found and not written twice.
  if (options.force || !(await session.lake.catalog.findBatch(quarantine, scan.contentHash))) {
    // No refused records: an empty set of the same shape (the numbering pass would still scan).
    const rows =
      quarantined > 0
        ? quarantineRowsSql(file, options.mapping, staged)
        : `SELECT raw, reason, contract_version, source_line FROM ${from} WHERE false`;
    const q = await writeTable(
      session,
      quarantine,
      `SELECT raw, reason, contract_version, ${literal(file)} AS source_file, source_line, ${lineage}, CAST(current_date AS DATE) AS dt FROM (${rows}) ORDER BY source_line`,
      { operation: 'append', partitionColumn: 'dt', batch },
    );
    if (q.rows !== quarantined)
      throw new Error(`quarantine of ${file}: ${q.rows} rows for ${quarantined} refused records`);
  }
  const contract = DATASETS[dataset];
  const cols = contract.columns.map((c) => ident(c.name)).join(', ');
  const written = await writeTable(
    session,
    bronze,
    `SELECT ${cols}, ${lineage}, CAST(${ident(contract.partitionField)} AS DATE) AS dt FROM ${from} WHERE reason IS NULL`,
    { operation: 'append', partitionColumn: 'dt', batch },
  );
  return {
    ...base,
    read: written.rows + quarantined,
    accepted: written.rows,
    quarantined,
    duplicateBatch: false,
    partitions: [...new Set(written.files.map((f) => f.partition ?? ''))].sort(),
  };
}
