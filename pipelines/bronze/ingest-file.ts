import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { DATASETS, EXTRA_COLUMN, patternViolationsSql } from '../../contracts/index.js';
import {
  commitStagedTables,
  DuplicateBatchError,
  ident,
  type LakeSession,
  literal,
  type StagedRows,
  stageRows,
  tableRef,
  UsageError,
  type WriteResult,
} from '../../layers/index.js';
import { batchHash } from '../mapping-check.js';
import { headerNames } from '../sources/csv-records.js';
import { MAX_LINE_BYTES } from '../sources/jsonl-source.js';
import { columnNames, unmappedRequiredFields } from '../sources/map-record.js';
import { readMapped } from '../sources/mapped-source.js';
import type { ColumnMapping } from '../sources/mapping.js';
import { type BronzeBatchResult, partitionDateSql, writeBronzeBatch } from './bronze-writer.js';
import { firstRecordKeys, quarantineRowsSql, quotedCsvDoubtsSql, validatedRowsSql } from './bulk-sql.js';
import { readFirstLine, readHead, SQL_MAX_LINE, scanFile } from './file-scan.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export type IngestEngine = 'auto' | 'sql' | 'js';

export interface IngestFileOptions {
  mapping: ColumnMapping;
  /** auto: SQL inside DuckDB when the file is line-safe, per record otherwise. */
  engine?: IngestEngine;
  force?: boolean;
  /** SQL engine: try DuckDB's own reader of the layout first (stageStrict). Default true; false forces the line reader. */
  strictReader?: boolean;
  /**
   * DuckDB's own reader only, for a file it accepts whole: when that declines (a record it
   * would refuse, a line it could read otherwise) nothing is written and StrictDeclined is
   * thrown. A vendor adapter's fast path: its caller then reads the file per record.
   */
  strictOnly?: boolean;
  /**
   * How the file is read (format, mapping, contract version; see readIdentityOf): part of the batch
   * key with the content hash, so the same file read with a corrected mapping is a new batch.
   */
  readIdentity?: string;
}

/** ingestMappedFile with `strictOnly`: the file needs a reader other than DuckDB's own. */
export class StrictDeclined extends Error {
  constructor() {
    super('the strict reader declined the file');
  }
}

/** How the SQL engine read a file: DuckDB's JSON/CSV reader, the line reader, or the CSV reader with quoting. */
export type SqlReader = 'strict' | 'lines' | 'quoted';

export interface IngestFileResult extends BronzeBatchResult {
  engine: 'sql' | 'js';
  /** SQL engine only: which reader the accepted rows came through. */
  reader?: SqlReader;
  /** Required fields the file has no column for (see unmappedRequiredFields): why everything may be refused. */
  unmapped?: string[];
}

/** Column names of a delimited file: its header (quoted names allowed) or column1..N. */
function delimitedNames(mapping: ColumnMapping, firstLine: string): string[] {
  const header = headerNames(firstLine, mapping.delimiter);
  return columnNames(mapping.header ? header : null, header.length);
}

/** Lineage columns every bronze and quarantine row of a batch carries. */
function lineageSql(batchId: string): string {
  return `${literal(batchId)} AS batch_id, ${literal(new Date().toISOString())}::TIMESTAMPTZ AS ingested_at`;
}

/**
 * The bronze rows of a file, validated, for stageRows: valid records with their UTC event date
 * as `dt`; a refused record gets `dt` NULL (DuckDB writes it to a partition of its own, which
 * is never committed) and carries its raw text, reason and line in `extra` as JSON, so the one
 * pass that writes bronze also hands over what the quarantine needs.
 */
async function bronzeRowsSql(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  batchId: string,
  longLines: boolean,
  reader: 'lines' | 'quoted' | 'strict' = 'lines',
): Promise<string> {
  const contract = DATASETS[mapping.dataset];
  const validated = await validatedRowsSql(session, {
    file,
    mapping,
    names,
    longLines,
    quoted: reader === 'quoted',
    // The quoted reader has no raw text or line either: it accepts whole files only.
    strict: reader !== 'lines',
  });
  const cols = contract.columns
    .map((c) =>
      c.name === EXTRA_COLUMN
        ? `CASE WHEN reason IS NULL THEN ${ident(c.name)} ELSE to_json({raw: raw, reason: reason, contract_version: contract_version, source_line: source_line})::VARCHAR END AS ${ident(c.name)}`
        : ident(c.name),
    )
    .join(', ');
  const dt = `CASE WHEN reason IS NULL THEN ${partitionDateSql(mapping.dataset)} END AS dt`;
  return `SELECT ${cols}, ${lineageSql(batchId)}, ${dt} FROM (${validated})`;
}

/**
 * A file through DuckDB's own reader of its layout (validatedRowsSql's `strict`), written as
 * one file when it holds one day: about twice as fast as the line reader, but it can only
 * accept a whole file. Undefined when some record needs the line reader (refused, or read
 * differently: see STRICT_REFUSED) or the reader fails on the file; the caller then stages
 * the file line by line.
 */
async function stageStrict(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  batchId: string,
  reader: 'strict' | 'quoted' = 'strict',
): Promise<StagedRows | undefined> {
  let staged: StagedRows | undefined;
  try {
    const sql = await bronzeRowsSql(session, file, mapping, names, batchId, false, reader);
    staged = await stageRows(session, sql, 'dt', { onePartition: true });
    // The text patterns this pass leaves out of its row checks (patternsPerValue).
    const files = staged.files.map((f) => f.path);
    const [bad] = files.length
      ? await session.all<{ n: string }>(patternViolationsSql(mapping.dataset, files))
      : [{ n: '0' }];
    if (Number(bad?.n ?? 1) === 0) return staged;
  } catch {
    // STRICT_REFUSED, or a line DuckDB's reader cannot read at all: the line reader explains both.
  }
  if (staged) await rm(staged.dir, { recursive: true, force: true });
  return undefined;
}

/**
 * Stage a file's validated bronze rows; a line longer than the small buffers allow is read
 * again with 64 MiB ones (it is refused). `cancelled()` true means the caller interrupted the
 * pass (the file is a duplicate): no second attempt. `longestLine`, when given, is the scan's
 * longest line: a line too long even for the 64 MiB buffers (which cost about 0.9 GB) skips
 * that attempt (the per-record engine takes such a file).
 */
async function stageBronze(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  batchId: string,
  cancelled: () => boolean,
  longestLine?: Promise<number>,
): Promise<StagedRows> {
  try {
    return await stageRows(session, await bronzeRowsSql(session, file, mapping, names, batchId, false), 'dt');
  } catch (err) {
    if (cancelled()) throw err;
    if (longestLine && (await longestLine) >= SQL_MAX_LINE - 2) throw err;
    return await stageRows(session, await bronzeRowsSql(session, file, mapping, names, batchId, true), 'dt');
  }
}

/** The file's scan, its content hash made the batch key (content and, when given, how it is read). */
async function scanKeyed(file: string, mapping: ColumnMapping, readIdentity: string | undefined) {
  const scan = await scanFile(file, { json: mapping.layout === 'jsonl' });
  return { ...scan, contentHash: batchHash(scan.contentHash, readIdentity) };
}

/**
 * One file → one bronze batch (+ quarantine), identified by the sha256 of its content.
 * accepted + quarantined = records read; a file already ingested is a no-op unless `force`.
 *
 * The SQL engine validates the file and writes its bronze partitions in one DuckDB pass while
 * Node hashes and scans it (both run at once: DuckDB on its threads, the hash on the main
 * thread): DuckDB's own reader first (stageStrict), the line reader when that declines. A CSV
 * with quotes goes through DuckDB's CSV reader with quoting instead (stageQuotedCsv). If the
 * scan finds the file unsafe for the SQL readers (invalid UTF-8, a lone CR), or a quoted CSV
 * cannot be read exactly, auto falls back to the per-record engine and staged files are dropped.
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
  const batchId = randomUUID();
  const wantSql = options.engine !== 'js';
  const head = await readHead(file);
  // A CSV whose head has quotes goes to DuckDB's CSV reader with quoting (stageQuotedCsv), not
  // to the line reader; either runs beside the scan.
  const quotedHead = mapping.layout === 'csv' && head.includes(0x22);
  const lineStage = wantSql && !quotedHead;
  let duplicate = false;
  // The scan failed (a gzip bomb past its limit, a corrupt file): DuckDB's pass is stopped too.
  let scanFailed = false;
  // The scan's longest line, once known (the line pass waits for it only before a 64 MiB retry).
  let resolveLongest: (n: number) => void = () => {};
  const longestLine = new Promise<number>((resolve) => {
    resolveLongest = resolve;
  });
  // DuckDB's own reader first (stageStrict); its JSON reader refuses a BOM outright.
  const strict =
    lineStage &&
    options.strictReader !== false &&
    (mapping.layout === 'csv' || (mapping.layout === 'jsonl' && !head.subarray(0, 3).equals(BOM)));
  const stageLines = async () => {
    const rows = strict ? await stageStrict(session, file, mapping, names, batchId) : undefined;
    if (rows) return { rows, reader: 'strict' as const };
    if (options.strictOnly) throw new StrictDeclined();
    if (duplicate || scanFailed) throw new Error('interrupted: the file is a duplicate or unreadable');
    return {
      rows: await stageBronze(
        session,
        file,
        mapping,
        names,
        batchId,
        () => duplicate || scanFailed,
        longestLine,
      ),
      reader: 'lines' as const,
    };
  };
  const stageQuoted = async () => {
    const rows = await stageQuotedCsv(session, file, mapping, names, batchId);
    return rows ? { rows, reader: 'quoted' as const } : new Error('quoted reader declined');
  };
  const stage: Promise<{ rows: StagedRows; reader: SqlReader } | Error> = lineStage
    ? stageLines().catch(asError)
    : wantSql
      ? stageQuoted().catch(asError)
      : Promise.resolve(new Error('not staged'));
  // The pass may be between two statements (describe, COPY): interrupt until it gives up.
  const interruptStage = () => {
    if (!wantSql) return;
    session.connection.interrupt();
    const again = setInterval(() => session.connection.interrupt(), 10);
    void stage.finally(() => clearInterval(again));
  };
  // The hash is known long before DuckDB's pass ends: a file already ingested stops that pass,
  // and so does a file the scan cannot read (DuckDB inflates a .gz on its own, without a limit).
  const scanned = scanKeyed(file, mapping, options.readIdentity).then(
    async (scan) => {
      resolveLongest(scan.longestLine);
      if (
        !options.force &&
        (await session.lake.catalog.findBatch(tableRef('bronze', mapping.dataset), scan.contentHash))
      ) {
        duplicate = true;
        interruptStage();
      }
      return scan;
    },
    (error: unknown) => {
      resolveLongest(Number.POSITIVE_INFINITY);
      scanFailed = true;
      interruptStage();
      throw error;
    },
  );
  // Both settle before anything is decided, so the staged files are always cleaned up below.
  const [scanOutcome, stageOutcome] = await Promise.all([
    scanned.then(
      (scan) => ({ scan }),
      (error: unknown) => ({ error }),
    ),
    stage,
  ]);
  let stagedRows = stageOutcome instanceof Error ? stageOutcome : stageOutcome.rows;
  try {
    if ('error' in scanOutcome) throw scanOutcome.error;
    const { scan } = scanOutcome;
    // What only the scan sees: a line too long for a record, or a trailing comma (DuckDB's
    // readers take both), or text that may hold U+0000 (the strict pass does not test for it).
    // The line reader then decides per line.
    const strictMissed = scan.trailingComma || scan.longestLine > MAX_LINE_BYTES || scan.mayHoldNul;
    let reader = stageOutcome instanceof Error ? undefined : stageOutcome.reader;
    if (reader === 'strict' && !duplicate && strictMissed && !(stagedRows instanceof Error)) {
      reader = 'lines';
      await rm(stagedRows.dir, { recursive: true, force: true });
      stagedRows = options.strictOnly
        ? new StrictDeclined()
        : await stageBronze(session, file, mapping, names, batchId, () => false).catch(asError);
    }
    const quotedCsv = mapping.layout === 'csv' && scan.hasQuotes;
    // Forced `sql` still needs UTF-8: DuckDB cannot hold other bytes in text.
    const sqlOk = options.engine === 'sql' ? !quotedCsv && scan.validUtf8 : scan.sqlSafe && !quotedCsv;
    const engine = parquet || (wantSql && sqlOk) ? 'sql' : 'js';
    if (duplicate) return { ...duplicateOf(mapping.dataset, scan.contentHash), engine };
    if (options.strictOnly && (reader !== 'strict' || engine !== 'sql' || stagedRows instanceof Error))
      throw new StrictDeclined();
    const batch = { batchId, contentHash: scan.contentHash, source: file };
    // The quoted reader does not test for U+0000 either: such a file goes per record.
    if (quotedCsv && options.engine !== 'js' && scan.sqlSafe && !scan.mayHoldNul) {
      // Quotes past the head: the lines staged beside the scan are of no use.
      if (reader !== 'quoted' && !(stagedRows instanceof Error)) {
        await rm(stagedRows.dir, { recursive: true, force: true });
        stagedRows = await stageQuotedCsv(session, file, mapping, names, batchId).then(
          (rows) => rows ?? new Error('quoted reader declined'),
        );
      }
      if (!(stagedRows instanceof Error)) {
        const result = await commitBronze(session, file, stagedRows, batch, options);
        return { ...result, engine: 'sql', reader: 'quoted' };
      }
    }
    if (engine === 'js') {
      const r = await writeBronzeBatch(
        session,
        mapping.dataset,
        readMapped(file, mapping, names, { quoted: scan.hasQuotes, validUtf8: scan.validUtf8 }),
        {
          source: file,
          contentHash: scan.contentHash,
          ...(options.force ? { force: true } : {}),
        },
      );
      return { ...r, engine, ...(await unmappedOf(session, file, mapping, names, r)) };
    }
    if (stagedRows instanceof Error) throw stagedRows;
    const result = await commitBronze(session, file, stagedRows, batch, options);
    return {
      ...result,
      engine,
      reader: reader === 'strict' ? 'strict' : 'lines',
      ...(await unmappedOf(session, file, mapping, names, result)),
    };
  } finally {
    if (!(stagedRows instanceof Error)) await rm(stagedRows.dir, { recursive: true, force: true });
  }
}

/**
 * A quoted CSV through DuckDB's CSV reader, when that gives exactly what the per-record engine
 * would: no blanks between a quote and a delimiter (the readers differ there), every row
 * readable in strict mode, and every record valid (this reader has no raw text or line for the
 * quarantine). Otherwise undefined, and the per-record engine takes the file.
 */
async function stageQuotedCsv(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  batchId: string,
): Promise<StagedRows | undefined> {
  const [doubts] = await session.all<{ n: string }>(quotedCsvDoubtsSql(file, mapping));
  if (Number(doubts?.n ?? 1) > 0) return undefined;
  return await stageStrict(session, file, mapping, names, batchId, 'quoted');
}

/** `{ unmapped }` when records were refused and some required field had no column to come from. */
async function unmappedOf(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  result: BronzeBatchResult,
): Promise<{ unmapped?: string[] }> {
  if (result.quarantined === 0) return {};
  // Column names (CSV), or the first record's keys (JSON Lines) or columns (Parquet).
  const columns = mapping.layout === 'csv' ? names : await firstRecordKeys(session, file, mapping);
  const unmapped = columns ? unmappedRequiredFields(mapping, columns) : [];
  return unmapped.length ? { unmapped } : {};
}

/** The result for a file whose content is already in bronze: nothing read, nothing written. */
export function duplicateOf(dataset: ColumnMapping['dataset'], contentHash: string): IngestFileResult {
  const base = { dataset, batchId: randomUUID(), contentHash, partitions: [] as string[] };
  return {
    ...base,
    read: 0,
    accepted: 0,
    quarantined: 0,
    skipped: 0,
    skippedReasons: {},
    duplicateBatch: true,
    engine: 'js',
  };
}

/**
 * Commit a staged file's refused records to quarantine and its valid ones to bronze, both with
 * the batch's content hash, in one catalog transaction: they appear together or not at all. The
 * batch must be new to bronze (unless forced), checked inside that transaction, so of two
 * processes ingesting the same file at once one commits and the other reports a duplicate.
 */
async function commitBronze(
  session: LakeSession,
  file: string,
  staged: StagedRows,
  batch: { batchId: string; contentHash: string; source: string },
  options: IngestFileOptions,
): Promise<BronzeBatchResult> {
  const { dataset } = options.mapping;
  const quarantine = tableRef('quarantine', dataset);
  const refusedFiles = staged.files.filter((f) => f.partition === null);
  const quarantined = refusedFiles.reduce((n, f) => n + f.rows, 0);
  let refusedRows: StagedRows | undefined;
  try {
    const extra = ident(EXTRA_COLUMN);
    const refused =
      quarantined > 0
        ? `SELECT ${['raw', 'reason', 'contract_version'].map((k) => `json_extract_string(${extra}, '$.${k}') AS ${k}`).join(', ')}, json_extract(${extra}, '$.source_line')::BIGINT AS source_line FROM read_parquet([${refusedFiles.map((f) => literal(f.path)).join(', ')}])`
        : `SELECT NULL::VARCHAR AS raw, NULL::VARCHAR AS reason, NULL::VARCHAR AS contract_version, NULL::BIGINT AS source_line WHERE false`;
    // No refused records: an empty set of the same shape (the numbering pass would still scan).
    let rows = refused;
    if (quarantined > 0) {
      const [longest] = await session.all<{ n: number }>(
        `SELECT max(strlen(raw))::BIGINT AS n FROM (${refused})`,
      );
      rows = quarantineRowsSql(file, options.mapping, refused, Number(longest?.n ?? 0));
    }
    // DuckDB cannot estimate the line scan and builds its hash table on it (about 0.2 GB per
    // million lines): the refused set must be the build side, so that optimizer is off meanwhile.
    await session.run(`SET disabled_optimizers = 'build_side_probe_side'`);
    refusedRows = await stageRows(
      session,
      `SELECT raw, reason, contract_version, ${literal(file)} AS source_file, source_line, ${lineageSql(batch.batchId)}, CAST(current_date AS DATE) AS dt FROM (${rows}) ORDER BY source_line`,
      'dt',
    ).finally(() => session.run('RESET disabled_optimizers'));
    const refusedCount = refusedRows.files.reduce((n, f) => n + f.rows, 0);
    if (refusedCount !== quarantined)
      throw new Error(`quarantine of ${file}: ${refusedCount} rows for ${quarantined} refused records`);
    const accepted = { ...staged, files: staged.files.filter((f) => f.partition !== null) };
    // The batch's identity lives in bronze; the quarantine part is committed with it.
    const [written] = await commitStagedTables(session, [
      {
        ref: tableRef('bronze', dataset),
        staged: accepted,
        options: { operation: 'append', batch, uniqueBatch: !options.force },
      },
      { ref: quarantine, staged: refusedRows, options: { operation: 'append', batch } },
    ]);
    return resultOf(dataset, batch, written!, quarantined);
  } catch (err) {
    // Another process committed the same content while this one read it.
    if (err instanceof DuplicateBatchError) return duplicateOf(dataset, batch.contentHash);
    throw err;
  } finally {
    if (refusedRows) await rm(refusedRows.dir, { recursive: true, force: true });
  }
}

function resultOf(
  dataset: ColumnMapping['dataset'],
  batch: { batchId: string; contentHash: string },
  written: WriteResult,
  quarantined: number,
): BronzeBatchResult {
  return {
    dataset,
    batchId: batch.batchId,
    contentHash: batch.contentHash,
    read: written.rows + quarantined,
    accepted: written.rows,
    quarantined,
    // Generic CSV/JSONL/Parquet: every record read is accepted or quarantined (blank lines are not records).
    skipped: 0,
    skippedReasons: {},
    duplicateBatch: false,
    partitions: [...new Set(written.files.map((f) => f.partition ?? ''))].sort(),
  };
}
