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
  commitStagedTables,
  DuplicateBatchError,
  ident,
  type LakeSession,
  literal,
  QUARANTINE_COLUMNS,
  type StagedRows,
  stageRows,
  tableRef,
  utcDateSql,
  type WriteResult,
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
  /**
   * Records read that are not records of the dataset (another dataset's message, a control
   * message, an empty response: SourceRecord.skip), neither validated nor stored.
   * For every batch written, read = accepted + quarantined + skipped; a duplicate batch reports 0.
   */
  skipped: number;
  /** Skipped records per reason (empty when none were skipped). */
  skippedReasons: Record<string, number>;
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
 * with the raw record and every error; records their source marks `skip` are counted per
 * reason and not stored. accepted + quarantined + skipped = read, always.
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
  const staged: StagedRows[] = [];
  const good = new NdjsonSpool(join(staging, 'good.ndjson'));
  const bad = new NdjsonSpool(join(staging, 'bad.ndjson'));
  const hash = createHash('sha256');
  let read = 0;
  let skipped = 0;
  const skippedReasons: Record<string, number> = {};
  try {
    for await (const record of records) {
      read += 1;
      // The content hash of records without a file behind them (a file's batch is its bytes' hash).
      if (options.contentHash === undefined) {
        hash.update(rawText(record));
        hash.update('\n');
      }
      // Not a record of this dataset (its source says why): counted, not validated or stored.
      if (record.skip !== undefined) {
        skipped += 1;
        skippedReasons[record.skip] = (skippedReasons[record.skip] ?? 0) + 1;
        continue;
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
      skipped,
      skippedReasons,
      duplicateBatch: false,
      partitions: [],
    };
    // Nothing of a duplicate is written, so it reports nothing read (as a duplicate file does).
    const duplicate = {
      ...result,
      read: 0,
      accepted: 0,
      quarantined: 0,
      skipped: 0,
      skippedReasons: {},
      duplicateBatch: true,
    };
    if (!options.force && (await session.lake.catalog.findBatch(bronze, contentHash))) return duplicate;
    const batch = { batchId: result.batchId, contentHash, source: options.source };
    const lineage = `${literal(result.batchId)} AS batch_id, ${literal(new Date().toISOString())}::TIMESTAMPTZ AS ingested_at`;

    const quarantineCols = QUARANTINE_COLUMNS.filter(
      (c) => !['batch_id', 'ingested_at', 'dt'].includes(c.name),
    );
    const contractCols = bronzeColumns(dataset).filter(
      (c) => !['batch_id', 'ingested_at', 'dt'].includes(c.name),
    );
    const select = contractCols.map((c) => ident(c.name)).join(', ');
    staged.push(
      await stageRows(
        session,
        `SELECT ${select}, ${lineage}, ${partitionDateSql(dataset)} AS dt FROM read_json(${literal(good.path)}, format = 'newline_delimited', columns = ${jsonColumns(contractCols)})`,
        'dt',
      ),
      await stageRows(
        session,
        `SELECT *, ${lineage}, CAST(current_date AS DATE) AS dt FROM read_json(${literal(bad.path)}, format = 'newline_delimited', columns = ${jsonColumns(quarantineCols)})`,
        'dt',
      ),
    );
    // Bronze and quarantine in one catalog transaction; the batch's identity lives in bronze,
    // checked inside that transaction, so of two writers of the same content one commits.
    let written: WriteResult;
    try {
      [written] = (await commitStagedTables(session, [
        {
          ref: bronze,
          staged: staged[0]!,
          options: { operation: 'append', batch, uniqueBatch: !options.force },
        },
        { ref: quarantine, staged: staged[1]!, options: { operation: 'append', batch } },
      ])) as [WriteResult, WriteResult];
    } catch (err) {
      if (err instanceof DuplicateBatchError) return duplicate;
      throw err;
    }
    result.partitions = [...new Set(written.files.map((f) => f.partition ?? ''))].sort();
    return result;
  } finally {
    await Promise.all(
      [staging, ...staged.map((s) => s.dir)].map((dir) => rm(dir, { recursive: true, force: true })),
    );
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
