import type { SourceRecord } from '../bronze/source-record.js';
import { readCsvRecords } from './csv-records.js';
import { readJsonLines } from './jsonl-source.js';
import { readLines } from './lines-source.js';
import { mapCells, mapObject } from './map-record.js';
import type { ColumnMapping } from './mapping.js';

/**
 * Records of a CSV or JSONL file mapped onto a contract, per record (quoted CSV through
 * csv-parse): the twin of the SQL fast
 * path (same line handling, same conversions), used for streams, odd files and as its proof.
 */
export async function* readMapped(
  path: string,
  mapping: ColumnMapping,
  names: readonly string[],
  options: { quoted?: boolean; validUtf8?: boolean } = {},
): AsyncGenerator<SourceRecord> {
  if (mapping.layout === 'jsonl') {
    for await (const r of readJsonLines(path)) {
      const v = r.value;
      if (r.error || typeof v !== 'object' || v === null || Array.isArray(v)) yield r;
      else yield { ...r, value: mapObject(mapping, v as Record<string, unknown>) };
    }
    return;
  }
  if (options.quoted) {
    let first = true;
    for await (const r of readCsvRecords(path, mapping.delimiter, {
      validUtf8: options.validUtf8 ?? false,
    })) {
      if (first && mapping.header && !r.error) {
        first = false;
        continue;
      }
      first = false;
      if (r.error || !r.cells) yield { line: r.line, raw: r.raw, error: r.error ?? 'malformed CSV' };
      else if (r.cells.length !== names.length)
        yield { line: r.line, raw: r.raw, error: `expected ${names.length} fields, found ${r.cells.length}` };
      else yield { line: r.line, raw: r.raw, value: mapCells(mapping, names, r.cells) };
    }
    return;
  }
  for await (const l of readLines(path)) {
    if (mapping.header && l.line === 1) continue;
    if (l.error) {
      yield { line: l.line, raw: l.text, error: l.error };
      continue;
    }
    const cells = l.text.split(mapping.delimiter);
    if (cells.length !== names.length) {
      yield { line: l.line, raw: l.text, error: `expected ${names.length} fields, found ${cells.length}` };
      continue;
    }
    yield { line: l.line, raw: l.text, value: mapCells(mapping, names, cells) };
  }
}
