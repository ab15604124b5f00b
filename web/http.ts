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

/** A JSON answer ready to send: its bytes, their ETag and its Cache-Control. */
export interface PreparedJson {
  text: string;
  etag: string;
  cacheControl: string;
  /** It may be kept and served again (a past session's data). */
  reusable: boolean;
}

/** Serialise once: the ETag is a hash of the bytes; without a max-age clients revalidate (`no-cache`). */
export function prepareJson(body: unknown, policy: CachePolicy = {}): PreparedJson {
  return prepareText(JSON.stringify(body), policy);
}

/** As prepareJson, for an answer that is JSON text already. */
export function prepareText(text: string, policy: CachePolicy = {}): PreparedJson {
  return {
    text,
    etag: `"${createHash('sha1').update(text).digest('base64url')}"`,
    cacheControl: policy.maxAgeSeconds ? `public, max-age=${policy.maxAgeSeconds}` : 'no-cache',
    reusable: Boolean(policy.maxAgeSeconds),
  };
}

/** Send a prepared answer; a request whose If-None-Match matches its ETag gets 304 without a body. */
export function sendPrepared(request: FastifyRequest, reply: FastifyReply, prepared: PreparedJson) {
  reply.header('etag', prepared.etag);
  reply.header('cache-control', prepared.cacheControl);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((t) => t.trim() === prepared.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(prepared.text);
}

export function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  policy: CachePolicy = {},
) {
  return sendPrepared(request, reply, prepareJson(body, policy));
}

/**
 * Answers by request URL: identical requests in flight share one read (no staleness: they are
 * concurrent), and answers marked reusable (past sessions) are kept `ttlMs`, the same lag the lake
 * reader's views already have, in at most `maxEntries` entries.
 */
export class AnswerCache {
  private readonly inFlight = new Map<string, Promise<PreparedJson>>();
  private readonly kept = new Map<string, { prepared: PreparedJson; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  async get(key: string, compute: () => Promise<PreparedJson>): Promise<PreparedJson> {
    const hit = this.kept.get(key);
    if (hit && hit.until > Date.now()) return hit.prepared;
    const running = this.inFlight.get(key);
    if (running) return running;
    const next = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, next);
    const prepared = await next;
    if (prepared.reusable && this.ttlMs > 0) {
      this.kept.delete(key);
      this.kept.set(key, { prepared, until: Date.now() + this.ttlMs });
      // Oldest first: Map keeps insertion order.
      while (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
    }
    return prepared;
  }
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
