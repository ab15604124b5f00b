import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Lake, Logger } from '../layers/index.js';
import type { LiveKind } from '../streaming/live-events.js';
import { API_ROUTES, type ApiSources } from './api-routes.js';
import { LivePath, LiveQuery } from './api-schemas.js';
import type { GoldReader, SilverReader } from './gold-reader.js';
import {
  AnswerCache,
  HttpError,
  parseInput,
  prepareJson,
  prepareText,
  sendJson,
  sendPrepared,
} from './http.js';
import { LiveHub } from './live.js';
import { API_PREFIX, buildOpenApi } from './openapi.js';

export interface ServerOptions {
  lake: Lake;
  /** Where gold is read: the lake (LakeReader) or the serving PostgreSQL (PostgresReader). */
  gold: GoldReader;
  /** Trades, quotes and posts: always the lake. */
  silver: SilverReader;
  /** Live events for the SSE routes; a new empty hub when absent. */
  hub?: LiveHub;
  logger?: Logger;
  /**
   * How long an answer about past sessions is kept and served again (ms), default 2000 (the lake
   * reader's refresh interval); 0 keeps nothing. Identical requests in flight always share one read.
   */
  answerCacheMs?: number;
  /** SSE keep-alive comment interval (ms), default 15 000. */
  heartbeatMs?: number;
  /**
   * More things to mount on the same port before the server starts (a queue board, metrics):
   * each is called once with the app, after the API and page routes exist.
   */
  extensions?: readonly ((app: FastifyInstance) => Promise<void> | void)[];
}

let cachedRoot: string | undefined;

/** The repository folder holding web/public (works from source and from dist/). */
export function webRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'web', 'public', 'index.html')) && existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the web/public folder of marketlake');
    dir = parent;
  }
}

/** The page may load scripts, styles and data from this server only: no CDN, no inline script. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Build the `marketlake ui` app: the REST API under /api/v1 (OpenAPI at /api/v1/openapi.json, docs
 * at /api/v1/docs), live SSE at /api/v1/live/{kind}, and the page at /. Call `listen()` on it, or
 * `inject()` in tests. The readers and the hub belong to the caller (see openUi for the whole set).
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const root = webRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  // No per-request logs (a dashboard polls); failures are logged by the API's error handler.
  // Close every connection on shutdown: SSE streams never end by themselves.
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  const log = options.logger;
  const sources: ApiSources = { gold: options.gold, silver: options.silver, lake: options.lake };
  const hub = options.hub ?? new LiveHub();
  const openapi = buildOpenApi(API_ROUTES, version);
  const answers = new AnswerCache(options.answerCacheMs ?? 2_000);

  await app.register(
    async (api) => {
      api.setErrorHandler((error, request, reply) => {
        if (error instanceof HttpError) {
          return reply.code(error.status).send({
            error: error.code,
            message: error.message,
            ...(error.issues ? { issues: error.issues } : {}),
          });
        }
        log?.error({ err: error, url: request.url }, 'api request failed');
        return reply
          .code(500)
          .send({ error: 'internal', message: 'the server could not answer this request' });
      });
      // Unknown API paths answer JSON (the page's static wildcard would answer otherwise).
      const noRoute = async (request: FastifyRequest, reply: FastifyReply) =>
        reply
          .code(404)
          .send({ error: 'not_found', message: `no API route ${request.method} ${request.url}` });
      api.setNotFoundHandler(noRoute);
      api.get('/*', noRoute);
      for (const r of API_ROUTES) {
        api.get(r.path, async (request, reply) => {
          const params = r.params ? parseInput(r.params, request.params, 'path') : {};
          const query = parseInput(r.query, request.query, 'query');
          const prepared = await answers.get(request.url, async () => {
            const result = await r.handler({ params, query, sources });
            return result.raw !== undefined
              ? prepareText(result.raw, result.cache)
              : prepareJson(result.body, result.cache);
          });
          return sendPrepared(request, reply, prepared);
        });
      }
      api.get('/openapi.json', async (request, reply) => sendJson(request, reply, openapi));
      api.get('/docs', async (_request, reply) =>
        reply.header('content-security-policy', PAGE_CSP).sendFile('docs.html', join(root, 'web', 'public')),
      );
      api.get('/live/:kind', async (request, reply) => {
        const { kind } = parseInput(LivePath, request.params, 'path');
        const { symbol } = parseInput(LiveQuery, request.query, 'query');
        reply.hijack();
        streamEvents(request.raw, reply.raw, hub, kind, symbol, options.heartbeatMs ?? 15_000);
      });
    },
    { prefix: API_PREFIX },
  );

  await app.register(fastifyStatic, {
    root: join(root, 'web', 'public'),
    prefix: '/',
    setHeaders: (reply, path) => {
      if (path.endsWith('.html')) reply.header('content-security-policy', PAGE_CSP);
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  // The chart library, served from node_modules: no CDN and no build step.
  const require = createRequire(import.meta.url);
  await app.register(fastifyStatic, {
    root: join(dirname(require.resolve('lightweight-charts/package.json')), 'dist'),
    prefix: '/vendor/lightweight-charts/',
    decorateReply: false,
  });
  for (const extend of options.extensions ?? []) await extend(app);
  return app;
}

/** One Server-Sent Events stream: every `kind` event of the hub (of one symbol when given). */
function streamEvents(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  hub: LiveHub,
  kind: LiveKind,
  symbol: string | undefined,
  heartbeatMs: number,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Tell the client how long to wait before reconnecting, and that the stream is open.
  res.write(`retry: 2000\n: subscribed to ${kind}\n\n`);
  const unsubscribe = hub.subscribe(kind, (event) => {
    if (symbol && event.symbol !== symbol) return;
    res.write(`event: ${kind}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', close);
  res.on('error', close);
}
