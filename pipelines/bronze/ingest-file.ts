import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS } from '../../contracts/index.js';
import { ident, type LakeSession, literal, tableRef, writeTable } from '../../layers/index.js';
import { columnNames } from '../sources/map-record.js';
import { readMapped } from '../sources/mapped-source.js';
import type { ColumnMapping } from '../sources/mapping.js';
import { type BronzeBatchResult, writeBronzeBatch } from './bronze-writer.js';
import { stageWithSql } from './bulk-sql.js';
import { scanFile } from './file-scan.js';

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

/**
 * One file → one bronze batch (+ quarantine), identified by the sha256 of its content.
 * accepted + quarantined = records read; a file already ingested is a no-op unless `force`.
 */
export async function ingestMappedFile(
  session: LakeSession,
  file: string,
  options: IngestFileOptions,
): Promise<IngestFileResult> {
  const { mapping } = options;
  const scan = await scanFile(file);
  const names =
    mapping.layout === 'csv'
      ? columnNames(
          mapping.header ? scan.firstLine.replace(/\r$/, '').split(mapping.delimiter) : null,
          scan.firstLine.replace(/\r$/, '').split(mapping.delimiter).length,
        )
      : [];
  const engine = options.engine === 'js' || (options.engine !== 'sql' && !scan.sqlSafe) ? 'js' : 'sql';
  if (engine === 'js') {
    const r = await writeBronzeBatch(session, mapping.dataset, readMapped(file, mapping, names), {
      source: file,
      contentHash: scan.contentHash,
      ...(options.force ? { force: true } : {}),
    });
    return { ...r, engine };
  }
  const bronze = tableRef('bronze', mapping.dataset);
  const quarantine = tableRef('quarantine', mapping.dataset);
  const base = {
    dataset: mapping.dataset,
    batchId: randomUUID(),
    contentHash: scan.contentHash,
    partitions: [] as string[],
    engine,
  } as const;
  if (!options.force && (await session.lake.catalog.findBatch(bronze, scan.contentHash))) {
    return { ...base, read: 0, accepted: 0, quarantined: 0, duplicateBatch: true };
  }
  const staging = await session.lake.store.createStagingDir();
  try {
    const staged = join(staging, 'staged.parquet');
    await stageWithSql(session, { file, mapping, names, target: staged });
    const from = `read_parquet(${literal(staged)})`;
    const [counts] = await session.all<{ accepted: string; quarantined: string }>(
      `SELECT count(*) FILTER (WHERE reason IS NULL) AS accepted, count(*) FILTER (WHERE reason IS NOT NULL) AS quarantined FROM ${from}`,
    );
    const batch = { batchId: base.batchId, contentHash: scan.contentHash, source: file };
    const lineage = `${literal(base.batchId)} AS batch_id, ${literal(new Date().toISOString())}::TIMESTAMPTZ AS ingested_at`;
    if (options.force || !(await session.lake.catalog.findBatch(quarantine, scan.contentHash))) {
      await writeTable(
        session,
        quarantine,
        `SELECT raw, reason, contract_version, ${literal(file)} AS source_file, source_line, ${lineage}, CAST(current_date AS DATE) AS dt FROM ${from} WHERE reason IS NOT NULL ORDER BY source_line`,
        { operation: 'append', partitionColumn: 'dt', batch },
      );
    }
    const contract = DATASETS[mapping.dataset];
    const cols = contract.columns.map((c) => ident(c.name)).join(', ');
    const written = await writeTable(
      session,
      bronze,
      `SELECT ${cols}, ${lineage}, CAST(${ident(contract.partitionField)} AS DATE) AS dt FROM ${from} WHERE reason IS NULL`,
      { operation: 'append', partitionColumn: 'dt', batch },
    );
    const accepted = Number(counts?.accepted ?? 0);
    const quarantined = Number(counts?.quarantined ?? 0);
    return {
      ...base,
      read: accepted + quarantined,
      accepted,
      quarantined,
      duplicateBatch: false,
      partitions: [...new Set(written.files.map((f) => f.partition ?? ''))].sort(),
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
