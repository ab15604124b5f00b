import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { SourceRecord } from '../bronze/source-record.js';

/** Longest line accepted; a longer one is quarantined (its first bytes kept), never buffered whole. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Records of a JSON Lines file (`.gz` is decompressed), streamed in bounded memory.
 * A line that is not valid JSON becomes a record with `error` set: the writer quarantines it.
 * Blank lines are skipped (they are not records).
 */
export async function* readJsonLines(path: string): AsyncGenerator<SourceRecord> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  let carry = '';
  let line = 0;
  let oversized = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = carry + chunk.toString('utf8');
    if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      line += 1;
      const record = oversized
        ? tooLong(line, text.slice(start, Math.min(nl, start + 256)))
        : parseLine(line, text.slice(start, nl));
      oversized = false;
      start = nl + 1;
      if (record) yield record;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_BYTES) {
      // Keep only a prefix of an oversized line; the rest is dropped up to its newline.
      carry = carry.slice(0, 256);
      oversized = true;
    }
  }
  if (carry.length > 0 || oversized) {
    line += 1;
    const record = oversized ? tooLong(line, carry.slice(0, 256)) : parseLine(line, carry);
    if (record) yield record;
  }
}

function parseLine(line: number, raw: string): SourceRecord | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return undefined;
  try {
    return { line, raw: text, value: JSON.parse(text) };
  } catch (err) {
    return { line, raw: text, error: `malformed JSON: ${(err as Error).message}` };
  }
}

function tooLong(line: number, prefix: string): SourceRecord {
  return { line, raw: prefix, error: `line longer than ${MAX_LINE_BYTES} bytes` };
}
