import type { DatasetName } from '../../contracts/index.js';
import { type LakeSession, tableRef } from '../../layers/index.js';
import { batchHash } from '../mapping-check.js';
import { alpacaSqlMapping } from '../sources/vendors/alpaca-sql.js';
import { isJsonLinesFile } from '../sources/vendors/documents.js';
import { type DocumentFormat, readVendorRecords } from '../sources/vendors/vendor-source.js';
import { writeBronzeBatch } from './bronze-writer.js';
import { readFirstLine, scanFile } from './file-scan.js';
import { duplicateOf, type IngestFileResult, ingestMappedFile } from './ingest-file.js';

export interface IngestVendorOptions {
  format: DocumentFormat;
  dataset: DatasetName;
  /** The symbol when the file does not carry one (Polygon v3 trades, Binance REST pages). */
  symbol?: string;
  /** Constant fields (`--map field='value'`), e.g. `interval='1d'` for Alpaca daily bars. */
  constants?: Readonly<Record<string, string>>;
  force?: boolean;
  /** How the file is read (format, constants, symbol, contract version): part of the batch key. */
  readIdentity?: string;
}

/** The first line of a JSON Lines file as an object, when it is one. */
async function firstObject(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const first: unknown = JSON.parse(await readFirstLine(file));
    return first !== null && typeof first === 'object' && !Array.isArray(first)
      ? (first as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An Alpaca JSON Lines file of plain messages of one type through the SQL engine: DuckDB's own
 * reader, the adapter's field names mapped in SQL (alpacaSqlMapping), every record validated
 * by the contract's SQL rules, the file accepted whole. Undefined, having written nothing,
 * when any line is not a plain message of that type or any record would be refused: the
 * adapter then reads the file per record, with its own reasons and skips.
 */
async function ingestAlpacaSql(
  session: LakeSession,
  file: string,
  options: IngestVendorOptions,
): Promise<IngestFileResult | undefined> {
  // Not .gz: DuckDB would inflate the file before the adapter's scan could apply its limit.
  if (options.format !== 'alpaca' || !isJsonLinesFile(file) || /\.gz$/i.test(file)) return undefined;
  const first = await firstObject(file);
  const ctx = {
    dataset: options.dataset,
    file,
    constants: options.constants ?? {},
    ...(options.symbol ? { symbol: options.symbol } : {}),
  };
  const mapping = first && alpacaSqlMapping(ctx, first);
  if (!mapping) return undefined;
  try {
    return await ingestMappedFile(session, file, {
      mapping,
      engine: 'sql',
      strictOnly: true,
      ...(options.readIdentity ? { readIdentity: options.readIdentity } : {}),
      ...(options.force ? { force: true } : {}),
    });
  } catch (err) {
    // StrictDeclined, or DuckDB's reader failing on a line (malformed, too long): the adapter
    // reads the file and says what is wrong with it, as it always did.
    if (err instanceof Error) return undefined;
    throw err;
  }
}

/**
 * One vendor file (JSON documents, quoted CSV of posts) → one bronze batch. Alpaca JSON Lines
 * of plain messages go through the SQL engine (ingestAlpacaSql); everything else per record in
 * JS: the adapter maps each vendor record onto the contract and zod validates it. The batch is
 * identified by the sha256 of the file's content, like the bulk path.
 */
export async function ingestVendorFile(
  session: LakeSession,
  file: string,
  options: IngestVendorOptions,
): Promise<IngestFileResult> {
  const fast = await ingestAlpacaSql(session, file, options);
  if (fast) return fast;
  const content = await scanFile(file);
  const scan = { ...content, contentHash: batchHash(content.contentHash, options.readIdentity) };
  if (
    !options.force &&
    (await session.lake.catalog.findBatch(tableRef('bronze', options.dataset), scan.contentHash))
  ) {
    return duplicateOf(options.dataset, scan.contentHash);
  }
  const records = readVendorRecords(options.format, {
    dataset: options.dataset,
    file,
    constants: options.constants ?? {},
    ...(options.symbol ? { symbol: options.symbol } : {}),
  });
  const r = await writeBronzeBatch(session, options.dataset, records, {
    source: file,
    contentHash: scan.contentHash,
    ...(options.force ? { force: true } : {}),
  });
  return { ...r, engine: 'js' };
}
