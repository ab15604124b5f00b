import { checkParsedLine } from '../../contracts/index.js';
import type { SourceRecord } from '../bronze/source-record.js';
import { MAX_LINE_BYTES, readLines } from './lines-source.js';

export { MAX_LINE_BYTES };

/**
 * Records of a JSON Lines file (`.gz` is decompressed), streamed in bounded memory.
 * A line that is not valid JSON becomes a record with `error` set: the writer quarantines it.
 * Blank lines are skipped (they are not records).
 */
export async function* readJsonLines(path: string): AsyncGenerator<SourceRecord> {
  for await (const l of readLines(path)) {
    if (l.error) {
      yield { line: l.line, raw: l.text, error: l.error };
      continue;
    }
    try {
      yield { line: l.line, raw: l.text, ...checkParsedLine(l.text, JSON.parse(l.text)) };
    } catch (err) {
      yield { line: l.line, raw: l.text, error: `malformed JSON: ${(err as Error).message}` };
    }
  }
}
