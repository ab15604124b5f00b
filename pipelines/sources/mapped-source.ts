import type { SourceRecord } from '../bronze/source-record.js';
import { readJsonLines } from './jsonl-source.js';
import { readLines } from './lines-source.js';
import { mapCells, mapObject } from './map-record.js';
import type { ColumnMapping } from './mapping.js';

/**
 * Records of a CSV or JSONL file mapped onto a contract, per record: the twin of the SQL fast
 * path (same line handling, same conversions), used for streams, odd files and as its proof.
 */
export async function* readMapped(
  path: string,
  mapping: ColumnMapping,
  names: readonly string[],
): AsyncGenerator<SourceRecord> {
  if (mapping.layout === 'jsonl') {
    for await (const r of readJsonLines(path)) {
      const v = r.value;
      if (r.error || typeof v !== 'object' || v === null || Array.isArray(v)) yield r;
      else yield { ...r, value: mapObject(mapping, v as Record<string, unknown>) };
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
