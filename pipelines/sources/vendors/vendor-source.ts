import type { DatasetName } from '../../../contracts/index.js';
import { UsageError } from '../../../layers/index.js';
import type { SourceRecord } from '../../bronze/source-record.js';
import { readCsvRecords } from '../csv-records.js';
import { alpacaRecords } from './alpaca.js';
import { binanceAggTradeRecords } from './binance-json.js';
import { isJsonLinesFile, readJsonDocuments } from './documents.js';
import { polygonTradeRecords } from './polygon-json.js';
import { csvPost } from './social-csv.js';
import { redditRecords, stocktwitsRecords } from './social-json.js';
import type { VendorContext, VendorRecord } from './vendor-record.js';

/** Formats read per record in JS by a vendor adapter (JSON documents, quoted CSV of posts). */
export const DOCUMENT_FORMATS = [
  'alpaca',
  'binance-aggtrades-json',
  'polygon-trades-json',
  'reddit',
  'stocktwits',
  'headlines',
] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

type JsonAdapter = (doc: unknown, ctx: VendorContext) => Iterable<VendorRecord>;

const JSON_ADAPTERS: Partial<
  Record<DocumentFormat, { adapter: JsonAdapter; datasets: readonly DatasetName[] }>
> = {
  alpaca: { adapter: alpacaRecords, datasets: ['trades', 'quotes', 'bars'] },
  'binance-aggtrades-json': { adapter: binanceAggTradeRecords, datasets: ['trades'] },
  'polygon-trades-json': { adapter: polygonTradeRecords, datasets: ['trades'] },
  reddit: { adapter: redditRecords, datasets: ['sentiment_posts'] },
  stocktwits: { adapter: stocktwitsRecords, datasets: ['sentiment_posts'] },
};

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // JSON.stringify recurses: a document nested 100k levels deep overflows the stack.
    return '(raw value not kept: nested too deeply to serialize)';
  }
}

/** A vendor item as the bronze writer takes it: a value to validate, a refusal or a skip. */
function sourceRecord(line: number, r: VendorRecord): SourceRecord {
  const raw = safeStringify(r.raw);
  if ('skip' in r) return { line, raw, skip: r.skip };
  if ('error' in r) return { line, raw, error: r.error };
  return { line, raw, value: r.value };
}

/**
 * Records of a vendor file, each mapped onto the dataset's contract (the bronze writer then
 * validates them with zod). Record numbers: the line of a JSON Lines document or of a CSV row;
 * within one JSON document, the record's 1-based position. `stocktwits` also reads the CSV
 * layout of StockTwits exports (`id,date,ticker,...`), `headlines` any CSV of headlines.
 *
 * Every item read comes out as one record: a value, a refusal (quarantined) or a skip (counted
 * with its reason); a JSON document of which the adapter makes nothing at all (`[]`, a Listing
 * without children) is one skipped record. Only blank lines and a CSV's header are not records.
 */
export async function* readVendorRecords(
  format: DocumentFormat,
  ctx: VendorContext,
): AsyncGenerator<SourceRecord> {
  const csv = format === 'headlines' || (format === 'stocktwits' && /\.(csv|tsv)(\.gz)?$/i.test(ctx.file));
  if (csv) {
    if (ctx.dataset !== 'sentiment_posts') throw new UsageError(`--format ${format} loads sentiment_posts`);
    const delimiter = /\.tsv(\.gz)?$/i.test(ctx.file) ? '\t' : ',';
    let names: string[] | undefined;
    for await (const r of readCsvRecords(ctx.file, delimiter)) {
      if (r.error || !r.cells) {
        yield { line: r.line, raw: r.raw, error: r.error ?? 'malformed CSV' };
      } else if (!names) {
        names = r.cells.map((n) => n.trim());
      } else if (r.cells.length !== names.length) {
        yield { line: r.line, raw: r.raw, error: `expected ${names.length} fields, found ${r.cells.length}` };
      } else {
        const source = format === 'headlines' ? 'headlines' : 'stocktwits';
        yield { line: r.line, raw: r.raw, value: csvPost(names, r.cells, source, ctx).value };
      }
    }
    return;
  }
  const spec = JSON_ADAPTERS[format];
  if (!spec) throw new UsageError(`no adapter for ${format}`);
  if (!spec.datasets.includes(ctx.dataset))
    throw new UsageError(
      `--format ${format.replace(/-json$/, '')} loads ${spec.datasets.join(', ')}, not ${ctx.dataset}`,
    );
  const perLine = isJsonLinesFile(ctx.file);
  for await (const doc of readJsonDocuments(ctx.file)) {
    if (doc.error !== undefined) {
      yield { line: doc.line, raw: doc.raw, error: doc.error };
      continue;
    }
    let position = 0;
    for (const r of spec.adapter(doc.value, ctx)) {
      position += 1;
      yield sourceRecord(perLine ? doc.line : position, r);
    }
    // Nothing in it for any dataset: the document is accounted for as one skipped record.
    if (position === 0)
      yield {
        line: doc.line,
        raw: doc.raw,
        skip: `${format.replace(/-json$/, '')} document with no records`,
      };
  }
}
