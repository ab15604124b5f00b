import { isUtf8 } from 'node:buffer';
import { openInputBytes } from './gzip-limit.js';

/** Longest line accepted; a longer one is quarantined (its first characters kept), never buffered whole. */
export const MAX_LINE_BYTES = 1 << 20;

/** One line of a text file: its 1-based number and text, or why it cannot be a record. */
export interface TextLine {
  line: number;
  text: string;
  error?: string;
}

/**
 * Byte offset of the first byte that is not part of well-formed UTF-8, or -1. Only called for
 * lines `isUtf8` refused, so its speed does not matter.
 */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i] as number;
    const n =
      c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0 || !isUtf8(b.subarray(i, i + n)) || i + n > b.length) return i;
    i += n;
  }
  return -1;
}

/** Bytes past which a line must have more than MAX_LINE_BYTES characters (UTF-8 uses at most 3 bytes per UTF-16 unit). */
const CARRY_LIMIT = 3 * MAX_LINE_BYTES + 3;

/**
 * Lines of a text file (`.gz` is decompressed), streamed in bounded memory. Lines are split on
 * bytes and each is decoded on its own, so a character is never cut at a chunk boundary. A BOM
 * is dropped, `\r\n` ends a line like `\n`, blank lines (empty, or only spaces and tabs, as the
 * SQL line reader has them) are skipped: they are not records, and no reader counts them. A
 * line longer than MAX_LINE_BYTES characters comes back with `error` and only its first 256
 * characters, and a line that is not valid UTF-8 comes back with `error` (its text decoded with
 * U+FFFD in place of the bad bytes) instead of silently altered.
 */
export async function* readLines(path: string): AsyncGenerator<TextLine> {
  // A .gz inflates through gunzipBounded: a gzip bomb stops at its limit (InflateLimitError).
  const stream = openInputBytes(path);
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  let oversized = false;
  let atStart = true;
  const emit = (raw: Buffer): TextLine | undefined => {
    const bytes = raw.at(-1) === 0x0d ? raw.subarray(0, -1) : raw;
    if (oversized) {
      oversized = false;
      return tooLong(line, bytes);
    }
    if (!isUtf8(bytes)) {
      const at = firstInvalidUtf8(bytes);
      return { line, text: bytes.toString('utf8'), error: `invalid UTF-8 at byte ${at + 1} of the line` };
    }
    const text = bytes.toString('utf8');
    if (text.length > MAX_LINE_BYTES) return tooLong(line, bytes);
    return isBlank(text) ? undefined : { line, text };
  };
  for await (const chunk of stream) {
    // Inside a line already too long: its bytes are dropped until it ends, without copying them.
    if (oversized && !chunk.includes(0x0a)) continue;
    let bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (atStart && bytes.length >= 3) {
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      atStart = false;
    }
    let start = 0;
    for (let nl = bytes.indexOf(0x0a, start); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
      line += 1;
      const record = emit(bytes.subarray(start, nl));
      start = nl + 1;
      if (record) yield record;
    }
    carry = Buffer.from(bytes.subarray(start));
    if (carry.length > CARRY_LIMIT) {
      // Keep only what the quarantine shows; the rest of the line is read and dropped.
      carry = carry.subarray(0, 1024);
      oversized = true;
    }
  }
  if (carry.length > 0 || oversized) {
    line += 1;
    const record = emit(carry);
    if (record) yield record;
  }
}

/**
 * A line of only spaces and tabs (or nothing). Not String.trim: that also takes NBSP, a BOM,
 * form feeds and line separators, which the SQL engine reads (and refuses) as a record.
 */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

function tooLong(line: number, bytes: Buffer): TextLine {
  return {
    line,
    text: bytes.subarray(0, 1024).toString('utf8').slice(0, 256),
    error: `line longer than ${MAX_LINE_BYTES} bytes`,
  };
}
