import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** Longest line accepted; a longer one is quarantined (its first characters kept), never buffered whole. */
export const MAX_LINE_BYTES = 1 << 20;

/** One line of a text file: its 1-based number and text, or why it cannot be a record. */
export interface TextLine {
  line: number;
  text: string;
  error?: string;
}

/**
 * Lines of a text file (`.gz` is decompressed), streamed in bounded memory. A BOM is dropped,
 * `\r\n` ends a line like `\n`, blank lines are skipped (they are not records), and a line longer
 * than MAX_LINE_BYTES characters comes back with `error` and only its first 256 characters.
 */
export async function* readLines(path: string): AsyncGenerator<TextLine> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  let carry = '';
  let line = 0;
  let oversized = false;
  const emit = (raw: string): TextLine | undefined => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (oversized || text.length > MAX_LINE_BYTES) {
      oversized = false;
      return { line, text: text.slice(0, 256), error: `line longer than ${MAX_LINE_BYTES} bytes` };
    }
    return text.trim() === '' ? undefined : { line, text };
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = carry + chunk.toString('utf8');
    if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      line += 1;
      const record = emit(text.slice(start, nl));
      start = nl + 1;
      if (record) yield record;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_BYTES) {
      carry = carry.slice(0, 256);
      oversized = true;
    }
  }
  if (carry.length > 0 || oversized) {
    line += 1;
    const record = emit(carry);
    if (record) yield record;
  }
}
