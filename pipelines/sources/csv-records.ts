import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { gunzipBounded, InflateLimitError } from './gzip-limit.js';

/** One record of a quoted CSV file: its cells, raw text and the line it starts on. */
export interface CsvRecord {
  line: number;
  raw: string;
  cells?: string[];
  /** Set when the parser gave up (e.g. an unclosed quote): the rest of the file is this record. */
  error?: string;
}

/** Column names of a header line, quoted names allowed (`"Stock Ticker",Sentiment`). */
export function headerNames(firstLine: string, delimiter: string): string[] {
  if (!firstLine.includes('"')) return firstLine.split(delimiter);
  try {
    const [row] = parseSync(firstLine, { delimiter, relax_column_count: true, bom: true }) as string[][];
    return row ?? [];
  } catch {
    return firstLine.split(delimiter);
  }
}

/**
 * Records of a CSV file with RFC 4180 quoting (embedded delimiters, quotes and newlines),
 * streamed in bounded memory with csv-parse. Rows keep their own field count (the caller
 * refuses a wrong one); blank lines are skipped; a record with bytes that are not UTF-8 is
 * refused; a fatal parse error ends the file as one refused record, so counts still reconcile.
 */
export async function* readCsvRecords(
  path: string,
  delimiter: string,
  options: { validUtf8?: boolean } = {},
): AsyncGenerator<CsvRecord> {
  // A .gz inflates through gunzipBounded; pipeline() hands its errors (a gzip bomb) to the parser.
  const bytes = path.endsWith('.gz')
    ? Readable.from(gunzipBounded(path))
    : createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    raw: true,
    max_record_size: 1 << 20,
  });
  pipeline(bytes, parser, () => {});
  let line = 1;
  try {
    for await (const r of parser as AsyncIterable<{
      record: string[];
      raw: string;
      info: { lines: number };
    }>) {
      const raw = r.raw.replace(/(?:\r\n|\r|\n)$/, '');
      const start = line;
      // csv-parse counts a CRLF inside quotes as two lines: count breaks in the raw text instead.
      line += r.raw.match(/\r\n|\r|\n/g)?.length ?? 0;
      if (r.record.length === 1 && r.record[0] === '') continue;
      // csv-parse decodes bad bytes to U+FFFD silently: unless the file is known to be valid
      // UTF-8 (then U+FFFD is a real character), such a record is refused, not altered.
      if (!options.validUtf8 && raw.includes('\uFFFD')) yield { line: start, raw, error: 'invalid UTF-8' };
      else yield { line: start, raw, cells: r.record };
    }
  } catch (err) {
    if (err instanceof InflateLimitError) throw err;
    yield { line, raw: '', error: `malformed CSV: ${(err as Error).message}` };
  }
}
