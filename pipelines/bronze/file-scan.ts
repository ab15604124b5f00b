import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { openInputBytes } from '../sources/gzip-limit.js';

export interface FileScan {
  /** sha256 of the (decompressed) content: the batch's identity for idempotency. */
  contentHash: string;
  bytes: number;
  /** False when the line-based SQL path could misread the file (invalid UTF-8, a CR not ending a CRLF, 0x1F bytes, a line over 64 MiB). */
  sqlSafe: boolean;
  /** True when every byte belongs to well-formed UTF-8 (checked up to each chunk's last newline). */
  validUtf8: boolean;
  /** True when the file holds a double quote: a CSV may then have quoted fields. */
  hasQuotes: boolean;
  /** First line (header of a delimited file), without BOM and line end. */
  firstLine: string;
  /** Bytes of the longest line (without its line end). */
  longestLine: number;
  /**
   * JSON scans only: a comma before a closing bracket (`,}` `, ]`), maybe inside a string.
   * DuckDB's parser takes trailing commas, JSON.parse does not: such a file needs the line
   * reader, which tells the two apart per line.
   */
  trailingComma: boolean;
  /**
   * A NUL byte, or (JSON scans) the escape `\u0000`: some text may hold U+0000, which the
   * contract refuses. False means no text can, so a strict pass may skip those row tests.
   */
  mayHoldNul: boolean;
}

/** Does a comma, then only blanks, come before some `}` or `]` in `chunk`? (Checked from each bracket backwards: brackets are rarer than commas.) */
function hasTrailingComma(chunk: Buffer): boolean {
  for (const close of [0x7d, 0x5d]) {
    for (let i = chunk.indexOf(close); i !== -1; i = chunk.indexOf(close, i + 1)) {
      let j = i - 1;
      while (j >= 0 && (chunk[j] === 0x20 || chunk[j] === 0x09 || chunk[j] === 0x0d || chunk[j] === 0x0a))
        j--;
      if (j >= 0 && chunk[j] === 0x2c) return true;
    }
  }
  return false;
}

/** Longest line of `chunk`, which ends at a line end (or the file's end); `open` is the length carried in. */
function longestLineOf(chunk: Buffer, open: number): number {
  let longest = 0;
  let start = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
    const end = i > start && chunk[i - 1] === 0x0d ? i - 1 : i;
    longest = Math.max(longest, end - start + (start === 0 ? open : 0));
    start = i + 1;
  }
  return Math.max(longest, chunk.length - start + (start === 0 ? open : 0));
}

/** A CR not followed by LF inside `chunk` (a CR in last place is judged with the next chunk). */
function hasLoneCr(chunk: Buffer): boolean {
  for (let i = chunk.indexOf(0x0d); i !== -1 && i < chunk.length - 1; i = chunk.indexOf(0x0d, i + 1)) {
    if (chunk[i + 1] !== 0x0a) return true;
  }
  return false;
}

/** Longest line the SQL line reader takes (its `max_line_size` with large buffers). */
export const SQL_MAX_LINE = 64 << 20;

/**
 * A partial line past this many bytes is checked and dropped as it comes: above the longest line a
 * record may have (MAX_LINE_BYTES characters, up to 3 bytes each), so every line that could be
 * accepted is still checked whole.
 */
const LONG_LINE_FLUSH = 8 << 20;

/** Bytes at the end of `b` that start a character whose remaining bytes are still to come (0-3). */
function incompleteUtf8Tail(b: Buffer): number {
  let i = b.length - 1;
  while (i >= 0 && i > b.length - 4 && ((b[i] as number) & 0xc0) === 0x80) i--;
  if (i < 0) return 0;
  const lead = b[i] as number;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return b.length - i < need ? b.length - i : 0;
}

/** Read size of the scan: large reads keep sha256 near its streaming speed (hundreds of MB/s). */
const CHUNK = 4 << 20;

/** The decompressed byte stream of a file (`.gz` is gunzipped, up to maxInflatedBytes: a gzip bomb fails the scan). */
function openBytes(path: string, end?: number): AsyncIterable<Buffer> {
  return openInputBytes(path, {
    highWaterMark: CHUNK,
    chunkSize: 1 << 20,
    ...(end !== undefined ? { end } : {}),
  });
}

function firstLineOf(head: string): string {
  const first = head.replace(/^\uFEFF/, '');
  const nl = first.indexOf('\n');
  return (nl < 0 ? first : first.slice(0, nl)).replace(/\r$/, '');
}

/** The first 64 KiB of a file (decompressed), or up to its first line end when `firstLine`. */
export async function readHead(path: string, firstLine = false): Promise<Buffer> {
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of openBytes(path, path.endsWith('.gz') ? undefined : 65_535)) {
      head = Buffer.concat([head, chunk]);
      if (head.length >= 65_536 || (firstLine && head.includes(0x0a))) break;
    }
  } catch (err) {
    // A truncated gzip still has a readable head; anything else is a real error.
    if (head.length === 0) throw err;
  }
  return head.subarray(0, 65_536);
}

/** The first line of a file (decompressed), read from its first 64 KiB only. */
export async function readFirstLine(path: string): Promise<string> {
  return firstLineOf((await readHead(path, true)).toString('utf8'));
}

/**
 * One streaming pass in bounded memory: content hash, size, and whether DuckDB's line reader
 * will see exactly the lines the per-record reader sees. UTF-8 is checked per chunk up to its
 * last newline, so a character split across chunks is never misjudged.
 */
export async function scanFile(path: string, options: { json?: boolean } = {}): Promise<FileScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let sqlSafe = true;
  let validUtf8 = true;
  let pendingCr = false;
  let hasQuotes = false;
  let head = '';
  let carry: Buffer = Buffer.alloc(0);
  /** Bytes of the current (unfinished) line already checked and dropped from `carry`. */
  let openLength = 0;
  let longestLine = 0;
  let trailingComma = false;
  let mayHoldNul = false;
  // Whole lines (an escape never spans two); they only matter while the file is valid UTF-8.
  const checkLines = (lines: Buffer) => {
    if (options.json && !trailingComma && hasTrailingComma(lines)) trailingComma = true;
    if (!mayHoldNul && (lines.includes(0) || (options.json === true && lines.includes('\\u0000'))))
      mayHoldNul = true;
  };
  for await (const chunk of openBytes(path)) {
    hash.update(chunk);
    bytes += chunk.length;
    if (head.length < 65_536 && !head.includes('\n')) head += chunk.subarray(0, 65_536).toString('utf8');
    if (!hasQuotes && chunk.includes(0x22)) hasQuotes = true;
    if (!validUtf8) continue;
    if (chunk.includes(0x1f)) sqlSafe = false;
    // CRLF ends a line for both readers; a lone CR does not for ours but does for DuckDB's.
    if (pendingCr && chunk[0] !== 0x0a) sqlSafe = false;
    if (hasLoneCr(chunk)) sqlSafe = false;
    pendingCr = chunk.at(-1) === 0x0d;
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = buf.lastIndexOf(0x0a) + 1;
    const lines = buf.subarray(0, cut);
    if (!isUtf8(lines)) validUtf8 = false;
    if (cut > 0) {
      longestLine = Math.max(longestLine, longestLineOf(lines.subarray(0, cut - 1), openLength));
      openLength = 0;
    }
    checkLines(lines);
    const rest = buf.subarray(cut);
    if (rest.length > LONG_LINE_FLUSH || (openLength > 0 && cut === 0)) {
      // A line longer than any record can be (it is refused whatever it holds): check its bytes
      // so far up to the last whole character and keep only that character's start, so a 1 GB
      // line costs one pass, not a growing copy per chunk.
      const keep = incompleteUtf8Tail(rest);
      const body = rest.subarray(0, rest.length - keep);
      if (!isUtf8(body)) validUtf8 = false;
      checkLines(body);
      openLength += body.length;
      carry = Buffer.from(rest.subarray(rest.length - keep));
    } else {
      carry = Buffer.from(rest);
    }
  }
  if (validUtf8 && carry.length && !isUtf8(carry)) validUtf8 = false;
  if (carry.length || openLength) {
    longestLine = Math.max(longestLine, longestLineOf(carry, openLength));
    checkLines(carry);
  }
  if (pendingCr) sqlSafe = false;
  if (!validUtf8) sqlSafe = false;
  // The SQL line reader's largest buffer (bulk-sql's 64 MiB max_line_size, which counts the line
  // end too): a longer line would fail the whole file there, so the per-record reader takes it.
  if (longestLine >= SQL_MAX_LINE - 2) sqlSafe = false;
  return {
    contentHash: hash.digest('hex'),
    bytes,
    sqlSafe,
    validUtf8,
    hasQuotes,
    firstLine: firstLineOf(head),
    longestLine,
    trailingComma,
    mayHoldNul,
  };
}
