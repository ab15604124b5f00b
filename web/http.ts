import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

/** An error the API answers with its own status and a JSON body `{ error, message, issues? }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Parse request input with a zod schema; a 400 that names every bad parameter otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys: string[] }).keys.join(', ') : '';
    const path = i.path.length ? i.path.join('.') : keys;
    const message = i.code === 'unrecognized_keys' ? `unknown ${where} parameter` : i.message;
    return { path, message };
  });
  const text = issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
  throw new HttpError(400, 'bad_request', `invalid ${where}: ${text}`, issues);
}

export interface CachePolicy {
  /** The answer cannot change any more (a past session's bars): clients may keep it this many seconds. */
  maxAgeSeconds?: number;
}

/**
 * Send `body` as JSON with a strong ETag (hash of the bytes); a request whose If-None-Match matches
 * gets 304 without a body. Without a max-age the client must revalidate (`no-cache`).
 */
export function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  policy: CachePolicy = {},
) {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
  reply.header('etag', etag);
  reply.header(
    'cache-control',
    policy.maxAgeSeconds ? `public, max-age=${policy.maxAgeSeconds}` : 'no-cache',
  );
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((t) => t.trim() === etag)) {
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(text);
}

/** Opaque cursors: base64url of the JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string')) return key;
  } catch {
    // Falls through to the 400 below.
  }
  throw new HttpError(400, 'bad_request', 'invalid query: cursor: is not a cursor returned by this API', [
    { path: 'cursor', message: 'is not a cursor returned by this API' },
  ]);
}
