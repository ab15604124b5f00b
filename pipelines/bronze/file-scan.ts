import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface FileScan {
  /** sha256 of the (decompressed) content: the batch's identity for idempotency. */
  contentHash: string;
  bytes: number;
  /** False when the line-based SQL path could misread the file (invalid UTF-8, CR, 0x1F bytes). */
  sqlSafe: boolean;
  /** First line (header of a delimited file), without BOM and line end. */
  firstLine: string;
}

/**
 * One streaming pass in bounded memory: content hash, size, and whether DuckDB's line reader
 * will see exactly the lines the per-record reader sees.
 */
export async function scanFile(path: string): Promise<FileScan> {
  const hash = createHash('sha256');
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  let bytes = 0;
  let sqlSafe = true;
  let head = '';
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (head.length < 65_536 && !head.includes('\n')) head += chunk.subarray(0, 65_536).toString('utf8');
    if (!sqlSafe) continue;
    if (chunk.includes(0x0d) || chunk.includes(0x1f)) sqlSafe = false;
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = buf.lastIndexOf(0x0a) + 1;
    if (!isUtf8(buf.subarray(0, cut))) sqlSafe = false;
    carry = Buffer.from(buf.subarray(cut));
    if (carry.length > 64 << 20) sqlSafe = false;
  }
  if (sqlSafe && carry.length && !isUtf8(carry)) sqlSafe = false;
  const first = head.replace(/^\uFEFF/, '');
  const nl = first.indexOf('\n');
  return { contentHash: hash.digest('hex'), bytes, sqlSafe, firstLine: nl < 0 ? first : first.slice(0, nl) };
}
