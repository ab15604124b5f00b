import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { readLines } from '../lines-source.js';
import { parseJsonExact } from './exact-json.js';

/** Largest single-document JSON file read whole (REST responses, exports); JSON Lines stream. */
export const MAX_DOCUMENT_BYTES = 512 << 20;

/** One JSON document of a vendor file: its line (JSON Lines) or 1, raw text, parsed value. */
export interface JsonDocument {
  line: number;
  raw: string;
  value?: unknown;
  error?: string;
}

/** Is this a JSON Lines file (one document per line) rather than one JSON document? */
export function isJsonLinesFile(path: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path);
}

/**
 * The JSON documents of a file: each line of a `.jsonl`/`.ndjson` file (streamed), or the whole
 * file as one document (REST responses, exports; at most MAX_DOCUMENT_BYTES). Integers beyond
 * 2^53 come back as text (parseJsonExact). `.gz` is decompressed.
 */
export async function* readJsonDocuments(path: string): AsyncGenerator<JsonDocument> {
  if (isJsonLinesFile(path)) {
    for await (const l of readLines(path)) {
      if (l.error) {
        yield { line: l.line, raw: l.text, error: l.error };
        continue;
      }
      try {
        yield { line: l.line, raw: l.text, value: parseJsonExact(l.text) };
      } catch (err) {
        yield { line: l.line, raw: l.text, error: `malformed JSON: ${(err as Error).message}` };
      }
    }
    return;
  }
  const { size } = await stat(path);
  if (!path.endsWith('.gz') && size > MAX_DOCUMENT_BYTES) {
    yield {
      line: 1,
      raw: '',
      error: `JSON document larger than ${MAX_DOCUMENT_BYTES} bytes: use JSON Lines`,
    };
    return;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  const input = createReadStream(path);
  for await (const chunk of (path.endsWith('.gz')
    ? input.pipe(createGunzip())
    : input) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_DOCUMENT_BYTES) {
      input.destroy();
      yield {
        line: 1,
        raw: '',
        error: `JSON document larger than ${MAX_DOCUMENT_BYTES} bytes: use JSON Lines`,
      };
      return;
    }
    chunks.push(chunk);
  }
  const whole = Buffer.concat(chunks);
  const text = whole.toString('utf8').replace(/^\uFEFF/, '');
  if (!isUtf8(whole)) {
    // Decoding would replace the bad bytes silently: the document is refused, not altered.
    yield { line: 1, raw: text.slice(0, 4096), error: 'invalid UTF-8 in the document' };
    return;
  }
  try {
    yield {
      line: 1,
      raw: text.length > 4096 ? `${text.slice(0, 4096)}…` : text,
      value: parseJsonExact(text),
    };
  } catch (err) {
    yield { line: 1, raw: text.slice(0, 4096), error: `malformed JSON: ${(err as Error).message}` };
  }
}
