import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../layers/index.js';

/** Default limit: a gzip file may inflate to this many times its size... */
export const INFLATE_RATIO = 100;
/** ...and always to at least this much (4 GiB), so ordinary files never meet the limit. */
export const INFLATE_FLOOR = 4 * 1024 ** 3;

/**
 * How many bytes a `.gz` input of `compressedBytes` may inflate to: MARKETLAKE_MAX_INFLATE_BYTES
 * when set (an absolute limit in bytes, raising or lowering the default), else 100× the
 * compressed size with a floor of 4 GiB. Market data compresses 5-20×; a gzip bomb (zeros or
 * one repeated line) 1,000× and more.
 */
export function maxInflatedBytes(compressedBytes: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MARKETLAKE_MAX_INFLATE_BYTES?.trim();
  if (raw) {
    const n = Number(raw);
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return Math.max(INFLATE_FLOOR, INFLATE_RATIO * compressedBytes);
}

const size = (n: number) =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(1)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : `${n} bytes`;

/** A `.gz` input that inflates past maxInflatedBytes (a gzip bomb): the file is refused as a whole. */
export class InflateLimitError extends InputError {
  constructor(file: string, limit: number, compressed: number) {
    const why = process.env.MARKETLAKE_MAX_INFLATE_BYTES?.trim()
      ? 'MARKETLAKE_MAX_INFLATE_BYTES'
      : `${INFLATE_RATIO}× its ${size(compressed)}, at least ${size(INFLATE_FLOOR)}; MARKETLAKE_MAX_INFLATE_BYTES raises it`;
    super(
      `${file}: gzip data inflates to more than ${size(limit)} (limit: ${why}); nothing from this file was written`,
    );
  }
}

/**
 * The decompressed bytes of a `.gz` file, stopped with an InflateLimitError as soon as they pass
 * maxInflatedBytes (counted as they come, so a bomb costs at most the limit in time, never in
 * memory or disk). Stopping early (`break`) closes the file.
 */
export async function* gunzipBounded(
  path: string,
  options: { highWaterMark?: number; chunkSize?: number } = {},
): AsyncGenerator<Buffer> {
  const compressed = (await stat(path)).size;
  const limit = maxInflatedBytes(compressed);
  const input = createReadStream(path, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  const gunzip = createGunzip({ chunkSize: options.chunkSize ?? 1 << 20 });
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw new InflateLimitError(path, limit, compressed);
      yield chunk;
    }
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/** The bytes of a file: gunzipped (bounded) when it ends in `.gz`, else as they are. */
export function openInputBytes(
  path: string,
  options: { highWaterMark?: number; chunkSize?: number; end?: number } = {},
): AsyncIterable<Buffer> {
  if (path.endsWith('.gz')) return gunzipBounded(path, options);
  return createReadStream(path, {
    highWaterMark: options.highWaterMark ?? 1 << 20,
    ...(options.end !== undefined ? { end: options.end } : {}),
  }) as AsyncIterable<Buffer>;
}
