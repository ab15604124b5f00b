import type { DatasetName } from '../../contracts/index.js';
import { type LakeSession, tableRef } from '../../layers/index.js';
import { type DocumentFormat, readVendorRecords } from '../sources/vendors/vendor-source.js';
import { writeBronzeBatch } from './bronze-writer.js';
import { scanFile } from './file-scan.js';
import { duplicateOf, type IngestFileResult } from './ingest-file.js';

export interface IngestVendorOptions {
  format: DocumentFormat;
  dataset: DatasetName;
  /** The symbol when the file does not carry one (Polygon v3 trades, Binance REST pages). */
  symbol?: string;
  /** Constant fields (`--map field='value'`), e.g. `interval='1d'` for Alpaca daily bars. */
  constants?: Readonly<Record<string, string>>;
  force?: boolean;
}

/**
 * One vendor file (JSON documents, quoted CSV of posts) → one bronze batch, per record in JS:
 * the adapter maps each vendor record onto the contract and zod validates it. The batch is
 * identified by the sha256 of the file's content, like the bulk path.
 */
export async function ingestVendorFile(
  session: LakeSession,
  file: string,
  options: IngestVendorOptions,
): Promise<IngestFileResult> {
  const scan = await scanFile(file);
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
