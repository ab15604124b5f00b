import type { z } from 'zod';
import { type Lake, parseTableName, qualifiedName, REPORTS_PREFIX } from '../layers/index.js';
import {
  AlertsQuery,
  BarsQuery,
  EmptyQuery,
  isInstant,
  MarketSummaryQuery,
  PostsQuery,
  RunPath,
  RunsQuery,
  SymbolPath,
  SymbolsQuery,
  TablePath,
  TradesQuery,
} from './api-schemas.js';
import type { GoldReader, Row, SilverReader, TimeRange } from './gold-reader.js';
import { type CachePolicy, decodeCursor, encodeCursor, HttpError } from './http.js';

/** What the route handlers read. */
export interface ApiSources {
  gold: GoldReader;
  silver: SilverReader;
  lake: Lake;
}

export interface ApiResult {
  body?: unknown;
  /** The answer already as JSON text (a page the database serialised itself); wins over `body`. */
  raw?: string;
  cache?: CachePolicy;
}

/** One GET route of /api/v1: its parameters as zod schemas (validated and documented) and its handler. */
export interface ApiRoute<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject> {
  /** Fastify path under /api/v1, e.g. `/bars/:symbol`. */
  path: string;
  summary: string;
  tag: 'market' | 'pipeline';
  params?: P;
  query: Q;
  handler(input: { params: z.output<P>; query: z.output<Q>; sources: ApiSources }): Promise<ApiResult>;
  /** For the OpenAPI document: a short description of the 200 body. */
  returns: string;
}

function route<P extends z.ZodObject, Q extends z.ZodObject>(r: ApiRoute<P, Q>): ApiRoute {
  return r as unknown as ApiRoute;
}

/** A past session's bars do not change: clients may keep them an hour (a backfill may still correct them). */
const PAST_SESSION_CACHE: CachePolicy = { maxAgeSeconds: 3600 };

function splitRange(from: string | undefined, to: string | undefined): TimeRange {
  const range: TimeRange = {};
  if (from) {
    if (from.length === 10) range.fromDate = from;
    else range.fromAt = from;
  }
  if (to) {
    if (to.length === 10) range.toDate = to;
    else range.toAt = to;
  }
  return range;
}

/** True when every bar the range can hold belongs to a session that ended well before now. */
function isPast(range: TimeRange, now = Date.now()): boolean {
  const HOUR = 3_600_000;
  // A session date's bars end by the next UTC day (New York's evening); leave a margin for late refreshes.
  if (range.toDate) return Date.parse(`${range.toDate}T00:00:00Z`) + 36 * HOUR < now;
  if (range.toAt) return Date.parse(range.toAt) + 12 * HOUR < now;
  return false;
}

function page<T extends Row>(rows: T[], limit: number, key: (row: T) => string[]) {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, next_cursor: more && last ? encodeCursor(key(last)) : null };
}

function cursorInstant(cursor: string | undefined, length: number): string[] | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor, length);
  if (!isInstant(key[0] ?? '')) decodeCursor('', -1);
  return key;
}

function notFound(what: string): never {
  throw new HttpError(404, 'not_found', what);
}

export const API_ROUTES: readonly ApiRoute[] = [
  route({
    path: '/symbols',
    summary: 'Symbols from gold.dim_symbol (current versions, or the whole history)',
    tag: 'market',
    query: SymbolsQuery,
    returns:
      '{ data: [{ symbol, name, exchange, asset_class, sector, industry, valid_from, valid_to, is_current }] }',
    handler: async ({ query, sources }) => ({
      body: { source: sources.gold.source, data: await sources.gold.symbols(query.current === 'true') },
    }),
  }),
  route({
    path: '/bars/:symbol',
    summary: "A symbol's OHLCV bars with VWAP and trade count (gold.fact_bars), oldest first, by cursor",
    tag: 'market',
    params: SymbolPath,
    query: BarsQuery,
    returns:
      '{ symbol, interval, data: [{ bar_start_at, session_date, open, high, low, close, volume, vwap, trade_count }], next_cursor }',
    handler: async ({ params, query, sources }) => {
      const range = splitRange(query.from, query.to);
      const after = cursorInstant(query.cursor, 1);
      const bars = await sources.gold.bars({
        symbol: params.symbol,
        interval: query.interval,
        ...range,
        ...(after ? { afterAt: after[0] } : {}),
        limit: query.limit,
      });
      const nextCursor = bars.hasMore && bars.lastBarStartAt ? encodeCursor([bars.lastBarStartAt]) : null;
      // The database built the array: only the envelope is serialised here.
      const head = JSON.stringify({
        symbol: params.symbol,
        interval: query.interval,
        source: sources.gold.source,
      });
      const raw = `${head.slice(0, -1)},"data":${bars.dataJson},"next_cursor":${JSON.stringify(nextCursor)}}`;
      return { raw, ...(isPast(range) ? { cache: PAST_SESSION_CACHE } : {}) };
    },
  }),
  route({
    path: '/trades/:symbol',
    summary: "A symbol's trades (silver.trades, always from the lake), oldest first, by cursor",
    tag: 'market',
    params: SymbolPath,
    query: TradesQuery,
    returns:
      '{ symbol, data: [{ event_at, price, size, exchange, trade_id, conditions, tape, source }], next_cursor }',
    handler: async ({ params, query, sources }) => {
      const range = splitRange(query.from, query.to);
      // Trades have no session filter: dates are whole UTC days.
      const fromAt = range.fromAt ?? (range.fromDate ? `${range.fromDate}T00:00:00Z` : undefined);
      const toAt =
        range.toAt ??
        (range.toDate
          ? new Date(Date.parse(`${range.toDate}T00:00:00Z`) + 86_400_000).toISOString()
          : undefined);
      const after = cursorInstant(query.cursor, 2);
      const rows = await sources.silver.trades({
        symbol: params.symbol,
        ...(fromAt ? { fromAt } : {}),
        ...(toAt ? { toAt } : {}),
        ...(after ? { afterAt: after[0], afterId: after[1] } : {}),
        limit: query.limit + 1,
      });
      const body = {
        symbol: params.symbol,
        ...page(rows, query.limit, (r) => [String(r.event_at), String(r.trade_id ?? '')]),
      };
      return { body, ...(isPast({ ...(toAt ? { toAt } : {}) }) ? { cache: PAST_SESSION_CACHE } : {}) };
    },
  }),
  route({
    path: '/quotes/:symbol/latest',
    summary: "A symbol's newest quote (silver.quotes, from the lake)",
    tag: 'market',
    params: SymbolPath,
    query: EmptyQuery,
    returns:
      '{ symbol, event_at, bid_price, ask_price, mid_price, spread, spread_bps, is_crossed, is_locked }',
    handler: async ({ params, sources }) => {
      const quote = await sources.silver.latestQuote(params.symbol);
      if (!quote) notFound(`no quote for ${params.symbol}`);
      return { body: quote };
    },
  }),
  route({
    path: '/posts/:symbol',
    summary: 'The newest social posts about a symbol with their sentiment (silver.sentiment_posts)',
    tag: 'market',
    params: SymbolPath,
    query: PostsQuery,
    returns:
      '{ symbol, data: [{ post_id, source, created_at, author, title, body, score, sentiment_score, sentiment_label }] }',
    handler: async ({ params, query, sources }) => ({
      body: { symbol: params.symbol, data: await sources.silver.posts(params.symbol, query.limit) },
    }),
  }),
  route({
    path: '/market-summary',
    summary: 'One row per symbol for a session: last price, change, volume, realized volatility, sparkline',
    tag: 'market',
    query: MarketSummaryQuery,
    returns:
      '{ session_date, data: [{ symbol, last, previous_close, change, change_pct, volume, trade_count, realized_vol, sparkline }] }',
    handler: async ({ query, sources }) => {
      const data = await sources.gold.marketSummary(query.session);
      const session = (data[0]?.session_date as string | undefined) ?? query.session ?? null;
      const past = session ? isPast({ toDate: session }) : false;
      return {
        body: { session_date: session, source: sources.gold.source, data },
        ...(past ? { cache: PAST_SESSION_CACHE } : {}),
      };
    },
  }),
  route({
    path: '/alerts',
    summary: 'Alerts (gold.fact_alerts), newest first',
    tag: 'market',
    query: AlertsQuery,
    returns:
      '{ data: [{ symbol, session_date, bar_start_at, rule, threshold, observed_value, open, high, low, close, volume }] }',
    handler: async ({ query, sources }) => ({
      body: {
        source: sources.gold.source,
        data: await sources.gold.alerts({
          limit: query.limit,
          ...(query.symbol ? { symbol: query.symbol } : {}),
          ...(query.kind ? { rule: query.kind } : {}),
          ...(query.since ? { since: query.since } : {}),
        }),
      },
    }),
  }),
  route({
    path: '/runs',
    summary: 'Recent pipeline runs (run history in the catalog), newest first',
    tag: 'pipeline',
    query: RunsQuery,
    returns: '{ data: [{ runId, trigger, command, status, startedAt, endedAt, error }] }',
    handler: async ({ query, sources }) => ({
      body: { data: await sources.lake.runs.listRuns(query.limit) },
    }),
  }),
  route({
    path: '/runs/:id',
    summary: 'One run with its tasks (status, attempts, start and end, rows written)',
    tag: 'pipeline',
    params: RunPath,
    query: EmptyQuery,
    returns:
      '{ run: {...}, tasks: [{ task, status, attempts, startedAt, endedAt, rowsOut, partitions, worker, error }] }',
    handler: async ({ params, sources }) => {
      const found = await sources.lake.runs.getRun(params.id);
      if (!found) notFound(`no run ${params.id}`);
      return { body: found };
    },
  }),
  route({
    path: '/dq/latest',
    summary: 'The latest data-quality report (summary and every check result)',
    tag: 'pipeline',
    query: EmptyQuery,
    returns: '{ generatedAt, runId, summary: { checks, passed, failed, warned }, results: [...] }',
    handler: async ({ sources }) => {
      const text = await sources.lake.store.readText(`${REPORTS_PREFIX}/latest.json`);
      if (text === undefined) notFound('no data-quality report yet: run `marketlake dq` or a pipeline run');
      const { lake: _lake, ...report } = JSON.parse(text) as Record<string, unknown>;
      return { body: report };
    },
  }),
  route({
    path: '/tables',
    summary: "Every table of the lake's catalog with its current snapshot, row count and number of snapshots",
    tag: 'pipeline',
    query: EmptyQuery,
    returns:
      '{ data: [{ table, layer, version, snapshot_id, committed_at, operation, rows, files, bytes, snapshots }] }',
    handler: async ({ sources }) => {
      const { catalog } = sources.lake;
      const data = [];
      for (const ref of await catalog.listTables()) {
        const [snapshot, history] = await Promise.all([catalog.snapshot(ref), catalog.history(ref)]);
        if (!snapshot) continue;
        data.push({
          table: qualifiedName(ref),
          layer: ref.layer,
          version: snapshot.version,
          snapshot_id: snapshot.snapshotId,
          committed_at: snapshot.committedAt,
          operation: snapshot.operation,
          rows: snapshot.files.reduce((n, f) => n + f.rows, 0),
          files: snapshot.files.length,
          bytes: snapshot.files.reduce((n, f) => n + f.bytes, 0),
          snapshots: history.length,
        });
      }
      return { body: { data } };
    },
  }),
  route({
    path: '/tables/:table/snapshots',
    summary: "A table's snapshots (versions), newest first: when, what operation, files and rows",
    tag: 'pipeline',
    params: TablePath,
    query: EmptyQuery,
    returns: '{ table, data: [{ version, snapshot_id, committed_at, operation, files, rows }] }',
    handler: async ({ params, sources }) => {
      const ref = parseTableName(params.table);
      const history = await sources.lake.catalog.history(ref);
      if (history.length === 0) notFound(`no table ${params.table}`);
      const data = history
        .map((h) => ({
          version: h.version,
          snapshot_id: h.snapshotId,
          committed_at: h.committedAt,
          operation: h.operation,
          files: h.files,
          rows: h.rows,
        }))
        .sort((a, b) => b.version - a.version);
      return { body: { table: params.table, data } };
    },
  }),
];
