import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DATASETS,
  type DatasetName,
  jsonText,
  type Validation,
  validateRecord,
} from '../../contracts/index.js';
import {
  bronzeColumns,
  type ColumnDef,
  ident,
  type LakeSession,
  literal,
  QUARANTINE_COLUMNS,
  tableRef,
  utcDateSql,
  writeTable,
} from '../../layers/index.js';
import { NdjsonSpool } from './ndjson-spool.js';
import type { SourceRecord } from './source-record.js';

/** SQL: the bronze partition `dt` of a valid record, the UTC date of its partition field. */
export function partitionDateSql(dataset: DatasetName): string {
  const { partitionField, columns } = DATASETS[dataset];
  const type = columns.find((c) => c.name === partitionField)?.sqlType ?? 'DATE';
  return utcDateSql(ident(partitionField), type);
}

export interface BronzeBatchOptions {
  /** Where the records came from (file path or feed name); kept in the quarantine. */
  source: string;
  /** Re-ingest even if a batch with the same content was already committed. */
  force?: boolean;
  /** Identity of the batch when the caller hashed the input itself (e.g. the file's bytes). */
  contentHash?: string;
}

export interface BronzeBatchResult {
  dataset: DatasetName;
  batchId: string;
  contentHash: string;
  read: number;
  accepted: number;
  quarantined: number;
  /** True when the same content was already ingested: nothing was written. */
  duplicateBatch: boolean;
  /** Bronze partitions (`dt` values) the batch wrote to. */
  partitions: string[];
}

/** The DuckDB `columns={...}` struct for read_json over staged NDJSON. */
function jsonColumns(columns: readonly ColumnDef[]): string {
  return `{${columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}}`;
}

/**
 * Validate records against the dataset's contract and land them: valid ones in
 * `bronze.<dataset>` partitioned by UTC event date, refused ones in `quarantine.<dataset>`
 * with the raw record and every error. accepted + quarantined = read, always.
 * A batch whose content was committed before is reported as a duplicate and not written again.
 */
export async function writeBronzeBatch(
  session: LakeSession,
  dataset: DatasetName,
  records: Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
  options: BronzeBatchOptions,
): Promise<BronzeBatchResult> {
  const contract = DATASETS[dataset];
  const staging = await session.lake.store.createStagingDir();
  const good = new NdjsonSpool(join(staging, 'good.ndjson'));
  const bad = new NdjsonSpool(join(staging, 'bad.ndjson'));
  const hash = createHash('sha256');
  let read = 0;
  try {
    for await (const record of records) {
      read += 1;
      // The content hash of records without a file behind them (a file's batch is its bytes' hash).
      if (options.contentHash === undefined) {
        hash.update(rawText(record));
        hash.update('\n');
      }
      // A record its source could not parse is refused with the source's reason.
      const checked: Validation =
        record.error === undefined
          ? validateRecord(dataset, record.value)
          : { ok: false, reason: record.error };
      if (checked.ok) await good.write(JSON.stringify(checked.row));
      else {
        const line = quarantineLine(
          rawText(record),
          checked.reason,
          contract.contractVersion,
          options.source,
          record.line,
        );
        await bad.write(line);
      }
    }
    await good.close();
    await bad.close();

    const contentHash = options.contentHash ?? hash.digest('hex');
    const bronze = tableRef('bronze', dataset);
    const quarantine = tableRef('quarantine', dataset);
    const result: BronzeBatchResult = {
      dataset,
      batchId: randomUUID(),
      contentHash,
      read,
      accepted: good.count,
      quarantined: bad.count,
      duplicateBatch: false,
      partitions: [],
    };
    if (!options.force && (await session.lake.catalog.findBatch(bronze, contentHash))) {
      return { ...result, accepted: 0, quarantined: 0, duplicateBatch: true };
    }
    const batch = { batchId: result.batchId, contentHash, source: options.source };
    const lineage = `${literal(result.batchId)} AS batch_id, ${literal(new Date().toISOString())}::TIMESTAMPTZ AS ingested_at`;

    // Quarantine first: bronze carries the batch record that makes a rerun a no-op, so a crash
    // in between re-quarantines nothing twice (the quarantine batch is checked too).
    if (options.force || !(await session.lake.catalog.findBatch(quarantine, contentHash))) {
      const quarantineCols = QUARANTINE_COLUMNS.filter(
        (c) => !['batch_id', 'ingested_at', 'dt'].includes(c.name),
      );
      const sql = `SELECT *, ${lineage}, CAST(current_date AS DATE) AS dt FROM read_json(${literal(bad.path)}, format = 'newline_delimited', columns = ${jsonColumns(quarantineCols)})`;
      await writeTable(session, quarantine, sql, { operation: 'append', partitionColumn: 'dt', batch });
    }

    const contractCols = bronzeColumns(dataset).filter(
      (c) => !['batch_id', 'ingested_at', 'dt'].includes(c.name),
    );
    const select = contractCols.map((c) => ident(c.name)).join(', ');
    const sql = `SELECT ${select}, ${lineage}, ${partitionDateSql(dataset)} AS dt FROM read_json(${literal(good.path)}, format = 'newline_delimited', columns = ${jsonColumns(contractCols)})`;
    const written = await writeTable(session, bronze, sql, {
      operation: 'append',
      partitionColumn: 'dt',
      batch,
    });
    result.partitions = [...new Set(written.files.map((f) => f.partition ?? ''))].sort();
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function quarantineLine(raw: string, reason: string, version: string, source: string, line: number): string {
  return JSON.stringify({ raw, reason, contract_version: version, source_file: source, source_line: line });
}

/** A record's text as read, or its value as JSON (records that never were text). */
function rawText(record: SourceRecord): string {
  return record.raw ?? safeStringify(record.value);
}

function safeStringify(value: unknown): string {
  try {
    return value === undefined ? 'undefined' : jsonText(value);
  } catch {
    // A value JSON cannot write at all (a cycle).
    return String(value);
  }
}
