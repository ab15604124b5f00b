import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

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

/** Read size of the scan: large reads keep sha256 near its streaming speed (hundreds of MB/s). */
const CHUNK = 4 << 20;

/** The decompressed byte stream of a file (`.gz` is gunzipped). */
function openBytes(path: string, end?: number): AsyncIterable<Buffer> {
  const input = createReadStream(path, { highWaterMark: CHUNK, ...(end !== undefined ? { end } : {}) });
  return (
    path.endsWith('.gz') ? input.pipe(createGunzip({ chunkSize: 1 << 20 })) : input
  ) as AsyncIterable<Buffer>;
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
    if (cut > 0) longestLine = Math.max(longestLine, longestLineOf(lines.subarray(0, cut - 1), 0));
    checkLines(lines);
    carry = Buffer.from(buf.subarray(cut));
    // A line this long: stop checking (the SQL reader could not take it anyway).
    if (carry.length > 64 << 20) {
      sqlSafe = false;
      longestLine = Math.max(longestLine, carry.length);
      carry = Buffer.alloc(0);
    }
  }
  if (validUtf8 && carry.length && !isUtf8(carry)) validUtf8 = false;
  if (carry.length) {
    longestLine = Math.max(longestLine, longestLineOf(carry, 0));
    checkLines(carry);
  }
  if (pendingCr) sqlSafe = false;
  if (!validUtf8) sqlSafe = false;
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
